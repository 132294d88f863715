import { auditActor } from '../../server/http/audit-actor';
import { csvYuan, sendCsv, type CsvRow } from '../../server/http/csv';
import { failureFlash, formFailure } from '../../server/http/form-failure';
import { guard, page } from '../../server/http/page-route';
import { ValidationError } from '../../server/lib/errors';
import { operatorCan } from '../../server/modules/accounts';
import {
  alertKindLabels,
  biAlertKinds,
  biDimensionKeys,
  biDimensions,
  biMeasureKeys,
  biMeasures,
  COHORT_WEEKS,
  cohortRequest,
  parseSelection,
  rateText,
  selectionQuery,
  type BiAlertKind,
  type BiSelection,
  type MeasureKey,
  type PivotResult,
} from '../../server/modules/analytics';
import { statusLabels, type ApplicationStatus } from '../../server/modules/applications';
import type { Services } from '../../server/container';
import { barChart, lineChart, shortCount, shortYuan } from '../../web/charts';

const today = (services: Services) => services.bi.today();
const timeDims = new Set(['day', 'week', 'month']);
const MAX_SERIES = 6;
/** The level below a dimension, for a row label's link. */
const nextLevel: Partial<Record<keyof typeof biDimensions, keyof typeof biDimensions>> = {
  channel: 'subId',
  institution: 'product',
  category: 'product',
  region: 'institution',
  subId: 'day',
  product: 'day',
};

/** How a measure's numbers are drawn on a chart axis. */
function chartFormat(m: MeasureKey): { scale: number; format: (n: number) => string } {
  const unit = biMeasures[m].unit;
  if (unit === 'fen') return { scale: 1, format: shortYuan };
  if (unit === 'rate') return { scale: 10000, format: (n) => `${(n / 100).toFixed(2)}%` };
  return { scale: 1, format: shortCount };
}

/** The chart of a pivot: over time (rows = day/week/month) a line per column, else bars per row, of the first measure. */
export function pivotChart(p: PivotResult) {
  const m = p.selection.measures[0]!;
  const { scale, format } = chartFormat(m);
  const v = (x: number | null) => Math.round((x ?? 0) * scale);
  const title = `${biMeasures[m].label}${p.selection.rows ? `（按${biDimensions[p.selection.rows]}）` : ''}`;
  if (p.selection.rows && timeDims.has(p.selection.rows)) {
    const series = p.selection.cols
      ? p.cols.slice(0, MAX_SERIES).map((c, j) => ({ name: c.label, values: p.cells.map((row) => v(row[j]![m].value)) }))
      : [{ name: biMeasures[m].label, values: p.rowTotals.map((t) => v(t[m].value)) }];
    return { kind: 'line', chart: lineChart(p.rows.map((r) => r.key), series, { title, format }) };
  }
  if (p.selection.rows) return { kind: 'bar', chart: barChart(p.rows.slice(0, 30).map((r) => r.label), p.rowTotals.slice(0, 30).map((t) => v(t[m].value)), { title, name: biMeasures[m].label, format }) };
  return { kind: 'bar', chart: barChart(p.cols.slice(0, 30).map((c) => c.label), p.colTotals.slice(0, 30).map((t) => v(t[m].value)), { title, name: biMeasures[m].label, format }) };
}

/** The pivot as a table for the page: header cells and body rows with each cell's drill link. */
function pivotTable(p: PivotResult) {
  const sel = p.selection;
  const qs = selectionQuery(sel).toString();
  const drill = (m: MeasureKey, row?: string, col?: string) => {
    const q = new URLSearchParams(qs);
    q.set('measure', m);
    if (sel.rows && row !== undefined) q.set('row', row);
    if (sel.cols && col !== undefined) q.set('col', col);
    return `/admin/bi/drill?${q}`;
  };
  const multi = sel.measures.length > 1;
  const colHeads = sel.cols ? p.cols.flatMap((c) => sel.measures.map((m) => ({ label: multi ? `${c.label} · ${biMeasures[m].label}` : c.label }))) : [];
  const totalHeads = sel.measures.map((m) => ({ label: sel.cols ? `合计 · ${biMeasures[m].label}` : biMeasures[m].label }));
  const cells = (values: PivotResult['cells'][number][number], row?: string, col?: string) =>
    sel.measures.map((m) => ({ text: values[m].text, href: drill(m, row, col), measure: m }));
  // a row's label narrows the view to that value and regroups by the next level down (a channel's sub-IDs, an institution's products, …)
  const sliceHref = (key: string): string | null => {
    if (!sel.rows || timeDims.has(sel.rows) || key === '') return null;
    const rows = nextLevel[sel.rows] ?? 'day';
    const next: BiSelection = { ...sel, rows, cols: sel.cols === rows ? null : sel.cols, filters: { ...sel.filters, [sel.rows]: key } };
    return `/admin/bi?${selectionQuery(next)}`;
  };
  return {
    rowHead: sel.rows ? biDimensions[sel.rows] : '',
    heads: [...colHeads, ...totalHeads],
    body: p.rows.map((r, i) => ({
      key: r.key,
      label: r.label,
      sliceHref: sliceHref(r.key),
      cells: [...(sel.cols ? p.cols.flatMap((c, j) => cells(p.cells[i]![j]!, r.key, c.key)) : []), ...cells(p.rowTotals[i]!, r.key, undefined)],
    })),
    foot: sel.rows ? [...(sel.cols ? p.cols.flatMap((c, j) => cells(p.colTotals[j]!, undefined, c.key)) : []), ...cells(p.total)] : null,
  };
}

/** The pivot as CSV rows: money in yuan (two decimals, numeric), rates in percent with two decimals. */
export function pivotCsv(p: PivotResult): CsvRow[] {
  const sel = p.selection;
  const cell = (m: MeasureKey, v: number | null) => (v === null ? '' : biMeasures[m].unit === 'fen' ? csvYuan(v) : biMeasures[m].unit === 'rate' ? Number((v * 100).toFixed(2)) : v);
  const unit = (m: MeasureKey) => `${biMeasures[m].label}${biMeasures[m].unit === 'fen' ? '（元）' : biMeasures[m].unit === 'rate' ? '（%）' : ''}`;
  const header = [sel.rows ? biDimensions[sel.rows] : '', ...(sel.cols ? p.cols.flatMap((c) => sel.measures.map((m) => `${c.label} · ${unit(m)}`)) : []), ...sel.measures.map((m) => (sel.cols ? `合计 · ${unit(m)}` : unit(m)))];
  const line = (label: string, cols: PivotResult['cells'][number], total: PivotResult['total']): CsvRow => [
    label,
    ...(sel.cols ? cols.flatMap((v) => sel.measures.map((m) => cell(m, v[m].value))) : []),
    ...sel.measures.map((m) => cell(m, total[m].value)),
  ];
  const rows: CsvRow[] = [header, ...p.rows.map((r, i) => line(r.label, p.cells[i]!, p.rowTotals[i]!))];
  if (sel.rows) rows.push(line('合计', p.colTotals, p.total));
  return rows;
}

async function formOptions(services: Services, sel: BiSelection) {
  const labels = await services.bi.labels();
  const [institutions, channels] = await Promise.all([services.institutions.list(), services.bi.channelOptions()]);
  return {
    measureOptions: biMeasureKeys.map((m) => ({ value: m, label: biMeasures[m].label, note: biMeasures[m].note, checked: sel.measures.includes(m) })),
    dimensionOptions: biDimensionKeys.map((d) => ({ value: d, label: biDimensions[d] })),
    institutionOptions: institutions.map((i) => ({ value: i.id, label: i.shortName })),
    channelOptions: [{ value: 'organic', label: '自然流量' }, ...channels.map((c) => ({ value: c.id, label: `${c.name}（${c.code}）` }))],
    activeFilters: Object.entries(sel.filters).map(([k, v]) => {
      const without = { ...sel, filters: { ...sel.filters } };
      delete (without.filters as Record<string, string>)[k];
      return { key: k, value: v, label: `${biDimensions[k as keyof typeof biDimensions]}：${labels(k as keyof typeof biDimensions, v)}`, removeHref: `/admin/bi?${selectionQuery(without)}` };
    }),
  };
}

function lagText(f: { today: Date | null; pastOldest: Date | null; pastMissing: number }, now: Date): string {
  const ago = (d: Date) => Math.max(0, Math.round((now.getTime() - d.getTime()) / 60_000));
  const todayText = f.today ? `今天的数据 ${ago(f.today)} 分钟前刷新` : '今天的数据尚未汇总';
  const pastText = f.pastMissing ? `过去 7 天有 ${f.pastMissing} 天尚未汇总` : f.pastOldest ? `过去 7 天最早一次重建于 ${new Date(f.pastOldest.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')}` : '';
  return [todayText, pastText].filter(Boolean).join('；');
}

/**
 * `/admin/bi`: the pivot (measures × up to two dimensions over a period, with filters), its chart,
 * drill-down from any cell, CSV, saved views and the rollup rebuild; `/admin/bi/cohorts`;
 * `/admin/bi/alerts`.
 */
export const biPages = [
  page({
    method: 'get',
    path: '/bi',
    guard: guard.operator('dashboard.view'),
    handler: async ({ req, res, principal, services, render }) => {
      const views = await services.bi.listViews(principal.account.id);
      const freshness = lagText(await services.bi.freshness(), services.bi.now());
      const common = { title: 'BI 分析', views: views.map((v) => ({ ...v, href: `/admin/bi?${selectionQuery(v.spec)}` })), freshness, canRebuild: operatorCan(principal.account, 'jobs.run'), today: today(services) };
      let sel: BiSelection;
      try {
        sel = parseSelection(req.query as Record<string, unknown>, today(services));
      } catch (err) {
        const error = formFailure(res, err);
        const fallback = parseSelection({}, today(services));
        return render('bi', { ...common, ...(await formOptions(services, fallback)), q: { ...fallback, ...(req.query as Record<string, unknown>) }, error });
      }
      const pivot = await services.bi.query(sel);
      const qs = selectionQuery(sel).toString();
      await render('bi', {
        ...common,
        ...(await formOptions(services, sel)),
        q: sel,
        query: qs,
        table: pivotTable(pivot),
        chart: pivotChart(pivot),
        csvHref: `/admin/bi.csv?${qs}`,
        notes: sel.measures.map((m) => ({ label: biMeasures[m].label, note: biMeasures[m].note })),
      });
    },
  }),
  page({
    method: 'get',
    path: '/bi.csv',
    guard: guard.operator('dashboard.view'),
    handler: async ({ req, res, services }) => {
      const sel = parseSelection(req.query as Record<string, unknown>, today(services));
      const pivot = await services.bi.exportPivot(auditActor(req), sel);
      sendCsv(res, `bi-${sel.from}-${sel.to}.csv`, pivotCsv(pivot));
    },
  }),
  page({
    method: 'get',
    path: '/bi/drill',
    guard: guard.operator('dashboard.view'),
    handler: async ({ req, principal, services, render }) => {
      const q = req.query as Record<string, unknown>;
      const sel = parseSelection(q, today(services));
      const measure = String(q.measure ?? '');
      if (!(biMeasureKeys as string[]).includes(measure)) throw new ValidationError('明细条件有误', { measure: `未知的指标：${measure}` });
      const result = await services.bi.drill(auditActor(req), sel, {
        measure: measure as MeasureKey,
        row: typeof q.row === 'string' ? q.row : undefined,
        col: typeof q.col === 'string' ? q.col : undefined,
      });
      const labels = await services.bi.labels();
      await render('bi-drill', {
        title: `BI 明细：${biMeasures[measure as MeasureKey].label}`,
        measureLabel: biMeasures[measure as MeasureKey].label,
        result,
        filters: Object.entries(result.filters).map(([k, v]) => `${biDimensions[k as keyof typeof biDimensions]}：${labels(k as keyof typeof biDimensions, v)}`),
        rows: result.rows.map((r) => ({ ...r, statusText: r.status ? (statusLabels[r.status as ApplicationStatus] ?? r.status) : '' })),
        borrowers: result.set === 'registrations',
        back: `/admin/bi?${selectionQuery(sel)}`,
        canOpen: operatorCan(principal.account, 'applications.view'),
      });
    },
  }),
  page({
    method: 'post',
    path: '/bi/views',
    guard: guard.operator('dashboard.view'),
    handler: async ({ req, res, principal, services }) => {
      const body = req.body as Record<string, unknown>;
      const query = Object.fromEntries(new URLSearchParams(String(body.query ?? '')));
      try {
        const sel = parseSelection(query, today(services));
        const v = await services.bi.saveView({ ...auditActor(req), id: principal.account.id }, String(body.name ?? ''), sel);
        req.session.flash = { kind: 'success', message: `已保存视图「${v.name}」` };
      } catch (err) {
        req.session.flash = failureFlash(err);
      }
      res.redirect(303, `/admin/bi?${new URLSearchParams(query)}`);
    },
  }),
  page({
    method: 'get',
    path: '/bi/views/:id',
    guard: guard.operator('dashboard.view'),
    handler: async ({ params, res, principal, services }) => {
      const v = await services.bi.view(principal.account.id, params.id);
      res.redirect(303, `/admin/bi?${selectionQuery(v.spec)}`);
    },
  }),
  page({
    method: 'post',
    path: '/bi/views/:id/delete',
    guard: guard.operator('dashboard.view'),
    handler: async ({ req, res, params, principal, services }) => {
      await services.bi.deleteView({ ...auditActor(req), id: principal.account.id }, params.id);
      req.session.flash = { kind: 'success', message: '已删除视图' };
      res.redirect(303, '/admin/bi');
    },
  }),
  page({
    method: 'post',
    path: '/bi/rebuild',
    guard: guard.operator('jobs.run'),
    handler: async ({ req, res, services }) => {
      const body = req.body as Record<string, unknown>;
      try {
        const r = await services.bi.rebuildForOperator(auditActor(req), String(body.from ?? ''), String(body.to ?? ''));
        req.session.flash = { kind: 'success', message: `已重建 ${r.days} 天的汇总数据（${r.rows} 行）` };
      } catch (err) {
        req.session.flash = failureFlash(err);
      }
      res.redirect(303, '/admin/bi');
    },
  }),
  page({
    method: 'get',
    path: '/bi/cohorts',
    guard: guard.operator('dashboard.view'),
    handler: async ({ req, res, services, render }) => {
      const q = req.query as Record<string, unknown>;
      const channels = await services.bi.channelOptions();
      const channelOptions = [{ value: 'organic', label: '自然流量' }, ...channels.map((c) => ({ value: c.id, label: `${c.name}（${c.code}）` }))];
      let opts;
      try {
        opts = cohortRequest(q, today(services));
      } catch (err) {
        const error = formFailure(res, err);
        return render('bi-cohorts', { title: '注册同期群', q, channelOptions, error, weeks: [] });
      }
      const cohorts = await services.bi.cohorts(opts);
      const shade = (v: number | null) => (v === null ? 'shade-none' : `shade-${Math.min(5, Math.ceil(v * 5))}`);
      const cells = (xs: (number | null)[]) => xs.map((v) => ({ text: v === null ? '' : rateText(v), shade: shade(v) }));
      await render('bi-cohorts', {
        title: '注册同期群',
        q: opts,
        channelOptions,
        weeks: Array.from({ length: COHORT_WEEKS }, (_, k) => k),
        cohorts: cohorts.map((c) => ({ ...c, appliedCells: cells(c.applied), approvedCells: cells(c.approved), disbursedCells: cells(c.disbursed) })),
      });
    },
  }),
  page({
    method: 'get',
    path: '/bi/alerts',
    guard: guard.operator('dashboard.view'),
    handler: async ({ principal, services, render }) => {
      const [alerts, subscriptions, channels, institutions] = await Promise.all([
        services.bi.alerts(200),
        services.bi.subscriptions(principal.account.id),
        services.bi.channelOptions(),
        services.institutions.list(),
      ]);
      await render('bi-alerts', {
        title: 'BI 经营预警',
        alerts: alerts.map((a) => ({ ...a, previousText: rateText(a.previousRate), currentText: rateText(a.currentRate) })),
        subscriptions,
        kindOptions: biAlertKinds.map((k) => ({ value: k, label: alertKindLabels[k] })),
        channelOptions: channels.map((c) => ({ value: c.id, label: `${c.name}（${c.code}）` })),
        institutionOptions: institutions.map((i) => ({ value: i.id, label: i.shortName })),
      });
    },
  }),
  page({
    method: 'post',
    path: '/bi/alerts/subscriptions',
    guard: guard.operator('dashboard.view'),
    handler: async ({ req, res, principal, services }) => {
      const body = req.body as Record<string, unknown>;
      try {
        await services.bi.subscribe({ ...auditActor(req), id: principal.account.id }, {
          kind: String(body.kind ?? '') as BiAlertKind,
          // a region is typed; a channel or an institution is chosen
          subject: typeof body.region === 'string' && body.region.trim() ? body.region : typeof body.subject === 'string' ? body.subject : null,
          thresholdPoints: Number(body.thresholdPoints),
          minBase: body.minBase === undefined || body.minBase === '' ? undefined : Number(body.minBase),
          phone: typeof body.phone === 'string' ? body.phone : null,
        });
        req.session.flash = { kind: 'success', message: '已订阅预警' };
      } catch (err) {
        req.session.flash = failureFlash(err);
      }
      res.redirect(303, '/admin/bi/alerts');
    },
  }),
  page({
    method: 'post',
    path: '/bi/alerts/subscriptions/:id/delete',
    guard: guard.operator('dashboard.view'),
    handler: async ({ req, res, params, principal, services }) => {
      await services.bi.unsubscribe({ ...auditActor(req), id: principal.account.id }, params.id);
      req.session.flash = { kind: 'success', message: '已取消订阅' };
      res.redirect(303, '/admin/bi/alerts');
    },
  }),
];
