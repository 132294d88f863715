import { z } from 'zod';
import { yuanAmount } from '../../validate';
import { instant } from '../responses';

/** Maker-checker approvals (复核): the queue, a confirmation or a return, the institution's threshold. */

export const reviewReturnBody = z.strictObject({
  reason: z.string({ error: '请填写退回原因' }).trim().min(2, '请填写退回原因（2–500 字）').max(500, '退回原因最多 500 字'),
});

export const reviewListQuery = z.strictObject({
  status: z.enum(['pending', 'confirmed', 'returned'], { error: '状态为 pending、confirmed 或 returned' }).optional(),
});

export const approvalPolicyBody = z.strictObject({
  threshold: yuanAmount('复核金额').nullable().describe('yuan; approvals of more than this need a second reviewer; null turns the rule off'),
});

export const approvalPolicyResponse = z.object({ threshold: z.number().nullable().describe('yuan, or null when off') });

export const approvalReviewResponse = z.object({
  id: z.string(),
  applicationId: z.string(),
  amount: z.number().describe('yuan, as approved by the maker'),
  termMonths: z.number(),
  apr: z.number().describe('all-in APR, fraction'),
  status: z.enum(['pending', 'confirmed', 'returned']),
  statusLabel: z.string(),
  maker: z.object({ id: z.string(), name: z.string() }),
  checker: z.object({ id: z.string(), name: z.string() }).nullable(),
  returnReason: z.string().nullable(),
  createdAt: instant,
  decidedAt: instant.nullable(),
});
