import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import { institutionCsv, presetLinks, statisticsCsv, statisticsRequest, type StatisticsRequest } from '../../server/http/statistics';
import { sendCsv } from '../../server/http/csv';
import { formatMeasuredHours } from '../../server/lib/duration';
import { formatWan } from '../../server/lib/money';
import type { InstitutionStatistics } from '../../server/modules/analytics';
import { barChart, lineChart, shortYuan } from '../../web/charts';
import { formFailure } from '../../server/http/form-failure';

function statisticsView(s: InstitutionStatistics, req: StatisticsRequest) {
  const labels = s.daily.map((d) => d.day);
  const qs = new URLSearchParams({ from: s.range.from, to: s.range.to, ...(s.productId ? { productId: s.productId } : {}) });
  return {
    stats: s,
    kpiHours: formatMeasuredHours(s.kpis.avgFirstResponseHours),
    disbursedWan: formatWan(s.kpis.disbursedAmountFen),
    charts: {
      traffic: lineChart(
        labels,
        [
          { name: '曝光', values: s.daily.map((d) => d.impressions) },
          { name: '点击', values: s.daily.map((d) => d.clicks) },
        ],
        { title: '每日曝光与点击' },
      ),
      outcomes: lineChart(
        labels,
        [
          { name: '申请', values: s.daily.map((d) => d.applications) },
          { name: '审批通过', values: s.daily.map((d) => d.approvals) },
          { name: '放款', values: s.daily.map((d) => d.disbursements) },
        ],
        { title: '每日申请、审批通过与放款（笔）' },
      ),
      amount: barChart(
        labels,
        s.daily.map((d) => d.disbursedAmountFen),
        { title: '每日放款金额', name: '放款金额', format: shortYuan },
      ),
    },
    byProduct: s.byProduct.map((p) => ({ ...p, responseText: formatMeasuredHours(p.avgFirstResponseHours) })),
    mixTables: [
      { key: 'age', title: '年龄段', buckets: s.mix.age },
      { key: 'city', title: '城市', buckets: s.mix.city },
      { key: 'credit', title: '信用自评', buckets: s.mix.credit },
    ],
    presets: presetLinks('/partner/statistics', req.raw, req.range),
    csv: { daily: `/partner/statistics/daily.csv?${qs}`, products: `/partner/statistics/products.csv?${qs}` },
  };
}

/** `/partner/statistics`: the institution's own numbers for a period, with charts and CSV. */
export const statisticsPages = [
  page({
    method: 'get',
    path: '/statistics',
    guard: guard.institution('statistics.view'),
    handler: async ({ principal, services, render, req, res }) => {
      let request: StatisticsRequest;
      try {
        request = statisticsRequest(req.query, true);
      } catch (err) {
        const error = formFailure(res, err);
        const products = await services.catalogue.listForInstitution(principal.institutionId);
        return render('statistics', {
          title: '统计',
          q: req.query,
          products: products.map((p) => ({ id: p.id, name: p.name })),
          error,
        });
      }
      const s = await services.analytics.institutionStatistics(principal.institutionId, request.range, request.productId);
      await render('statistics', { title: '统计', q: { ...request.raw, from: s.range.from, to: s.range.to }, products: s.products, ...statisticsView(s, request) });
    },
  }),
  ...(['daily', 'products'] as const).map((table) =>
    page({
      method: 'get',
      path: `/statistics/${table}.csv`,
      guard: guard.institution('statistics.view'),
      handler: async ({ principal, services, req, res }) => {
        const { range, productId } = statisticsRequest(req.query, true);
        const s = await services.analytics.exportInstitutionStatistics(auditActor(req), principal.institutionId, table, range, productId);
        const { filename, rows } = statisticsCsv(`statistics-${table}`, s.range, institutionCsv[table](s));
        sendCsv(res, filename, rows);
      },
    }),
  ),
];
