import { z } from 'zod';
import type { ScheduleChangeView, ScheduleVersionView } from '../../modules/loans';
import { instant } from './responses';

const line = z.object({ period: z.number().int(), dueDate: z.string(), principal: z.number(), interest: z.number(), fee: z.number(), paid: z.number() }).describe('yuan');

export const scheduleChangeResponse = z.object({
  id: z.string(),
  loanId: z.string(),
  kind: z.enum(['extension', 'restructure']),
  kindLabel: z.string(),
  extraPeriods: z.number().int().nullable(),
  requestedTermMonths: z.number().int().nullable(),
  reason: z.string(),
  status: z.enum(['requested', 'offered', 'accepted', 'declined', 'withdrawn', 'expired']),
  statusLabel: z.string(),
  offer: z
    .object({ termMonths: z.number().int(), annualRate: z.number(), fee: z.number(), apr: z.number().describe('all-in APR of the new schedule (IRR, every fee), fraction'), total: z.number().describe('yuan still to pay under the new schedule'), schedule: z.array(line), offeredAt: instant, expiresAt: instant.describe('accept before this; the offer then expires') })
    .nullable(),
  declineReason: z.string().nullable(),
  decidedAt: instant.nullable(),
  createdAt: instant,
});

export const scheduleHistoryResponse = z.object({
  changes: z.array(scheduleChangeResponse),
  versions: z.array(z.object({ version: z.number().int(), kind: z.enum(['original', 'extension', 'restructure']), annualRate: z.number(), current: z.boolean(), createdAt: instant, supersededAt: instant.nullable(), schedule: z.array(line) })),
});

const lineJson = (l: ScheduleChangeView['offer'] extends infer O ? (O extends { lines: (infer L)[] } ? L : never) : never) => ({
  period: l.period,
  dueDate: l.dueDate,
  principal: l.principalFen / 100,
  interest: l.interestFen / 100,
  fee: l.feeFen / 100,
  paid: l.paidFen / 100,
});

export function scheduleChangeJson(c: ScheduleChangeView) {
  return {
    id: c.id,
    loanId: c.loanId,
    kind: c.kind,
    kindLabel: c.kindLabel,
    extraPeriods: c.extraPeriods,
    requestedTermMonths: c.requestedTermMonths,
    reason: c.reason,
    status: c.status,
    statusLabel: c.statusLabel,
    offer: c.offer
      ? { termMonths: c.offer.termMonths, annualRate: Number(c.offer.annualRate), fee: c.offer.feeFen / 100, apr: Number(c.offer.apr), total: c.offer.totalFen / 100, schedule: c.offer.lines.map(lineJson), offeredAt: c.offer.offeredAt, expiresAt: c.offer.expiresAt }
      : null,
    declineReason: c.declineReason,
    decidedAt: c.decidedAt,
    createdAt: c.createdAt,
  };
}

export function scheduleHistoryJson(h: { changes: ScheduleChangeView[]; versions: ScheduleVersionView[] }) {
  return {
    changes: h.changes.map(scheduleChangeJson),
    versions: h.versions.map((v) => ({ version: v.version, kind: v.kind, annualRate: Number(v.annualRate), current: v.current, createdAt: v.createdAt, supersededAt: v.supersededAt, schedule: v.lines.map(lineJson) })),
  };
}
