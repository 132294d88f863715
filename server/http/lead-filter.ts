import type { z } from 'zod';
import type { LeadFilter } from '../modules/applications';
import type { leadFilterQuery } from './api/schemas';

/** Validated inbox parameters → the service's filter (dates are Shanghai calendar days). */
export function toLeadFilter(q: z.output<typeof leadFilterQuery>): LeadFilter {
  const day = (d: string, plus = 0) => new Date(new Date(`${d}T00:00:00+08:00`).getTime() + plus * 86_400_000);
  return {
    status: q.status,
    productId: q.productId || undefined,
    from: q.from ? day(q.from) : undefined,
    to: q.to ? day(q.to, 1) : undefined,
    minAmountFen: q.minAmount,
    maxAmountFen: q.maxAmount,
    creditBand: q.creditBand,
    region: q.region || undefined,
    q: q.q || undefined,
    stale: q.stale || undefined,
    queue: q.queue,
  };
}
