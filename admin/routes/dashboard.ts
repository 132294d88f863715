import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import { dashboardCsv, statisticsCsv, statisticsRequest, type StatisticsRequest } from '../../server/http/statistics';
import { sendCsv } from '../../server/http/csv';
import { formatMeasuredHours } from '../../server/lib/duration';
import { formatWan } from '../../server/lib/money';
import { applicationStatuses, statusLabels } from '../../server/modules/applications';
import { rateText, type OperatorDashboard } from '../../server/modules/analytics';
import { presetLinks } from '../../server/http/statistics';
import { barChart, funnelChart, lineChart, shortYuan } from '../../web/charts';
import { operatorAgenda } from '../agenda';
import { formFailure } from '../../server/http/form-failure';

function dashboardView(d: OperatorDashboard, req: StatisticsRequest) {
  const labels = d.daily.map((x) => x.day);
  const qs = new URLSearchParams({ from: d.range.from, to: d.range.to });
  return {
    dash: d,
    disbursedWan: formatWan(d.totals.disbursedAmountFen),
    charts: {
      applications: lineChart(
        labels,
        [
          { name: '申请', values: d.daily.map((x) => x.applications) },
          { name: '审批通过', values: d.daily.map((x) => x.approvals) },
          { name: '放款', values: d.daily.map((x) => x.disbursements) },
        ],
        { title: '每日申请、审批通过与放款（笔）' },
      ),
      disbursed: barChart(labels, d.daily.map((x) => x.disbursedAmountFen), { title: '每日放款金额', name: '放款金额', format: shortYuan }),
      commission: barChart(labels, d.daily.map((x) => x.commissionFen), { title: '每日应计佣金', name: '佣金', format: shortYuan }),
      activeUsers: lineChart(labels, [{ name: '活跃用户', values: d.daily.map((x) => x.activeUsers) }], { title: '每日活跃用户' }),
      complaints: barChart(labels, d.daily.map((x) => x.complaints), { title: '每日新增投诉', name: '投诉' }),
    },
    funnelChart: funnelChart(d.funnel, { title: `转化漏斗（人）：${d.funnel.map((s) => s.label).join(' → ')}` }),
    funnel: d.funnel.map((s) => ({ ...s, stepText: rateText(s.stepRate), overallText: rateText(s.overallRate) })),
    funnelSteps: d.funnel.map((s) => s.label),
    funnelByChannel: d.funnelByChannel.map((c) => ({
      ...c,
      // the channel in the BI view: its sub-IDs, what they brought and what they cost
      biHref: `/admin/bi?${new URLSearchParams({ measures: 'visits,registrations,applications,approvals,roi', rows: 'subId', from: d.range.from, to: d.range.to, 'f.channel': c.channel })}`,
      steps: c.steps.map((s) => ({ ...s, stepText: rateText(s.stepRate) })),
    })),
    presets: presetLinks('/admin', req.raw, req.range),
    csv: { daily: `/admin/dashboard/daily.csv?${qs}`, institutions: `/admin/dashboard/institutions.csv?${qs}` },
  };
}

/** `/admin`: the operator dashboard — per-day charts, per-institution table, the funnel, and today's state. */
export const dashboardPages = [
  page({
    method: 'get',
    path: '/',
    guard: guard.operator('dashboard.view'),
    handler: async ({ req, res, principal, services, render }) => {
      const [counts, receivables, stale, agenda, biAlerts] = await Promise.all([
        services.applications.countsByStatus(),
        services.settlement.receivables(),
        services.applications.staleLeadCounts(),
        operatorAgenda(services, principal.account),
        services.bi.recentAlertCount(7),
      ]);
      const current = {
        agenda,
        biAlerts,
        statusCounts: applicationStatuses.map((s) => ({ label: statusLabels[s], n: counts[s] ?? 0 })),
        receivables,
        totalReceivable: receivables.reduce((sum, r) => sum + r.amountFen, 0),
      };
      let request: StatisticsRequest;
      try {
        request = statisticsRequest(req.query, false);
      } catch (err) {
        const error = formFailure(res, err);
        return render('dashboard', { title: '概览', q: req.query, ...current, error });
      }
      const d = await services.analytics.operatorDashboard(request.range);
      await render('dashboard', {
        title: '概览',
        q: { from: d.range.from, to: d.range.to },
        ...current,
        ...dashboardView(d, request),
        institutions: d.institutions.map((i) => ({ ...i, responseText: formatMeasuredHours(i.avgFirstResponseHours), stale: stale.get(i.institutionId) ?? 0 })),
      });
    },
  }),
  ...(['daily', 'institutions'] as const).map((table) =>
    page({
      method: 'get',
      path: `/dashboard/${table}.csv`,
      guard: guard.operator('dashboard.view'),
      handler: async ({ req, res, services }) => {
        const { range } = statisticsRequest(req.query, false);
        const d = await services.analytics.exportOperatorDashboard(auditActor(req), table, range);
        const { filename, rows } = statisticsCsv(`dashboard-${table}`, d.range, dashboardCsv[table](d));
        sendCsv(res, filename, rows);
      },
    }),
  ),
];
