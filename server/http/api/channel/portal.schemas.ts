import { z } from 'zod';

const instant = z.string().describe('ISO 8601 instant');
const day = z.string().max(10).optional();

export const channelFunnelQuery = z.strictObject({
  from: day,
  to: day,
  days: z.string().max(4).optional(),
  by: z.enum(['day', 'sub'], { error: '分组须为 day 或 sub' }).optional().describe('rows by Asia/Shanghai day (default) or by sub-ID'),
});

export const channelJson = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  type: z.string(),
  typeLabel: z.string(),
  status: z.string(),
  statusLabel: z.string(),
});
export const channelMeResponse = z.object({ channel: channelJson, attributedBorrowers: z.number().int() });

export const channelLinkJson = z.object({
  id: z.string(),
  subId: z.string(),
  label: z.string(),
  status: z.string(),
  landingHeadline: z.string(),
  trackingUrl: z.string(),
  landingUrl: z.string(),
  createdAt: instant,
});
export const channelLinksResponse = z.object({ items: z.array(channelLinkJson) });

const postbackJson = z.object({
  id: z.string(),
  event: z.string().describe('registration, verified_registration, application, approval or disbursement'),
  eventLabel: z.string(),
  subId: z.string(),
  clickId: z.string().describe('your click id, as the visit carried it'),
  occurredAt: instant,
  status: z.enum(['pending', 'delivered', 'failed']),
  statusLabel: z.string(),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: instant.nullable(),
  nextAttemptAt: instant,
});
export const channelPostbacksResponse = z.object({ items: z.array(postbackJson) });

const funnelRowJson = z.object({
  key: z.string().describe('YYYY-MM-DD, or the sub-ID (empty = the bare link)'),
  visits: z.number().int(),
  registrations: z.number().int(),
  verified: z.number().int(),
  applications: z.number().int(),
  approvals: z.number().int(),
  disbursements: z.number().int(),
});
export const channelFunnelResponse = z.object({
  range: z.object({ from: z.string(), to: z.string() }),
  by: z.enum(['day', 'sub']),
  rows: z.array(funnelRowJson),
  total: funnelRowJson,
});
