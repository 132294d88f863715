import { z } from 'zod';
import { yuanAmount } from '../../validate';
import { statementDetailResponse, statementPaymentResponse } from '../responses';
import { dateRange } from '../partner/settlement.schemas';

/** A bank transfer finance records against a statement (the page's 登记银行转账). */
export const bankTransferBody = z
  .object({
    /** yuan, at most two decimals */
    amount: yuanAmount('到账金额'),
    /** the Asia/Shanghai day the money arrived, not later than today */
    paidOn: z.iso.date({ error: '到账日期格式为 YYYY-MM-DD' }),
    reference: z.string({ error: '请填写银行流水号' }).trim().min(1, '请填写银行流水号').max(100, '流水号最多 100 字'),
    /** true to accept more than is outstanding; the excess is kept as the institution's credit */
    overpayment: z.boolean({ error: 'overpayment 须为 true 或 false' }).default(false),
    overpaymentReason: z.string({ error: '多付原因须为文字' }).max(200, '原因最多 200 字').default(''),
  })
  .strict();

/* What the settlement and dashboard routes answer (statements: ../responses.ts). */

export const bankTransferResponse = z.object({
  payment: statementPaymentResponse.extend({ id: z.string() }),
  statement: statementDetailResponse,
});

export const receivablesResponse = z.object({
  items: z.array(z.object({ institutionId: z.string(), institutionName: z.string(), amount: z.number().describe('yuan') })),
});

const count = z.number().int();
const share = z.number().nullable().describe('fraction, null when there is nothing to divide by');
const dashboardDay = {
  searches: count,
  clicks: count,
  applications: count,
  approvals: count,
  disbursements: count,
  disbursedAmount: z.number().describe('yuan'),
  commission: z.number().describe('yuan'),
  complaints: count,
};

/** The platform dashboard through `inYuan`: each `…Fen` figure as yuan, without the suffix. */
export const dashboardResponse = z.object({
  range: dateRange,
  totals: z.object({ ...dashboardDay, activeUsers: count, decided: count, approvalRate: share }),
  daily: z.array(z.object({ day: z.string(), ...dashboardDay, activeUsers: count })),
  institutions: z.array(
    z.object({
      institutionId: z.string(),
      name: z.string(),
      applications: count,
      approvals: count,
      rejections: count,
      approvalRate: share,
      disbursements: count,
      disbursedAmount: z.number().describe('yuan'),
      commission: z.number().describe('yuan'),
      avgFirstResponseHours: z.number().nullable(),
    }),
  ),
  funnel: z.array(z.object({ key: z.string(), label: z.string(), count, stepRate: share, overallRate: share })),
  funnelByChannel: z.array(
    z.object({ channel: z.string(), label: z.string(), steps: z.array(z.object({ key: z.string(), label: z.string(), count, stepRate: share, overallRate: share })) }),
  ),
});
