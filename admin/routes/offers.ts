import { z } from 'zod';
import { guard, page } from '../../server/http/page-route';

const OFFER_REPORT_DAYS = [30, 90, 180] as const;
const reportQuery = z.object({ days: z.coerce.number().pipe(z.union(OFFER_REPORT_DAYS.map((d) => z.literal(d)) as [z.ZodLiteral<30>, z.ZodLiteral<90>, z.ZodLiteral<180>])).catch(90) });

/** `/admin/offers`: offers priced above what the product advertised, by institution and product (they also lower the institution's rank). */
export const offerReportPages = [
  page({
    method: 'get',
    path: '/offers',
    guard: guard.operator('ranking.manage'),
    query: reportQuery,
    handler: async ({ query, services, render }) => {
      const rows = await services.offers.aboveAdvertisedReport(query.days);
      const total = rows.reduce((s, r) => s + r.offers, 0);
      const above = rows.reduce((s, r) => s + r.above, 0);
      await render('offers-report', {
        title: '报价与公示利率',
        days: query.days,
        periods: OFFER_REPORT_DAYS.map((d) => ({ days: d, current: d === query.days })),
        rows,
        total,
        above,
        share: total ? above / total : 0,
      });
    },
  }),
];
