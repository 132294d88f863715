import { ValidationError } from '../../../lib/errors';
import { biMeasureKeys, cohortRequest, parseSelection, type MeasureKey } from '../../../modules/analytics';
import { auditActor } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import {
  biAlertListResponse,
  biCohortQuery,
  biCohortResponse,
  biDrillQuery,
  biDrillResponse,
  biPivotResponse,
  biQuery,
  biRebuildBody,
  biRebuildResponse,
  biSubscriptionBody,
  biSubscriptionListResponse,
  biViewBody,
  biViewListResponse,
  biViewResponse,
} from './bi.schemas';

const view = guard.operator('dashboard.view');
const viewJson = (v: { id: string; name: string; spec: unknown; createdAt: Date }) => ({ id: v.id, name: v.name, selection: v.spec, createdAt: v.createdAt.toISOString() });

/** `/api/admin/v1/bi/...`: the BI pivot, drill-down, saved views, cohorts, alerts and the rollup rebuild. */
export const adminBiRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/bi/query',
    guard: view,
    summary:
      'A pivot over the daily rollup: measures by up to two dimensions (rows × cols) over [from, to] (at most 400 days), filtered by `f.<dimension>=value`; with row, column and grand totals. An unknown measure or dimension is a 400 naming the field (measures, rows, cols, filters.<name>)',
    query: biQuery,
    responseDescription: 'Pivot: { selection, rows, cols, cells, rowTotals, colTotals, total }; money in fen',
    response: biPivotResponse,
    handler: async ({ req, services }) => services.bi.query(parseSelection(req.query as Record<string, unknown>, services.bi.today())),
  }),
  route({
    method: 'get',
    path: '/bi/drill',
    guard: view,
    summary: "The rows behind one pivot cell (borrowers or applications, names masked, at most 500, newest first, with the total); the read is recorded in the audit log",
    query: biDrillQuery,
    responseDescription: '{ set, from, to, filters, total, rows }',
    response: biDrillResponse,
    handler: async ({ req, query, services }) => {
      if (!(biMeasureKeys as string[]).includes(query.measure)) throw new ValidationError('明细条件有误', { measure: `未知的指标：${query.measure}` });
      const sel = parseSelection(req.query as Record<string, unknown>, services.bi.today());
      const result = await services.bi.drill(auditActor(req), sel, { measure: query.measure as MeasureKey, row: query.row, col: query.col });
      return { ...result, rows: result.rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
    },
  }),
  route({
    method: 'get',
    path: '/bi/views',
    guard: view,
    summary: "The caller's saved BI views, newest first",
    responseDescription: '{ items }',
    response: biViewListResponse,
    handler: async ({ principal, services }) => ({ items: (await services.bi.listViews(principal.account.id)).map(viewJson) }),
  }),
  route({
    method: 'post',
    path: '/bi/views',
    guard: view,
    summary: 'Saves a selection under a name (unique per operator: 409 view_name_taken); a bad selection is a 400 naming the field',
    body: biViewBody,
    status: 201,
    errors: [409],
    responseDescription: 'Saved view',
    response: biViewResponse,
    handler: async ({ body, req, principal, services }) => {
      const sel = parseSelection({ ...body.selection, measures: body.selection.measures?.join(',') }, services.bi.today());
      const saved = await services.bi.saveView({ ...auditActor(req), id: principal.account.id }, body.name, sel);
      return viewJson(await services.bi.view(principal.account.id, saved.id));
    },
  }),
  route({
    method: 'get',
    path: '/bi/views/:id',
    guard: view,
    summary: "One of the caller's saved views (404 for another operator's)",
    responseDescription: 'Saved view',
    response: biViewResponse,
    handler: async ({ params, principal, services }) => viewJson(await services.bi.view(principal.account.id, params.id)),
  }),
  route({
    method: 'delete',
    path: '/bi/views/:id',
    guard: view,
    summary: "Deletes one of the caller's saved views (404 for another operator's)",
    status: 204,
    handler: async ({ params, req, res, principal, services }) => {
      await services.bi.deleteView({ ...auditActor(req), id: principal.account.id }, params.id);
      res.status(204).end();
    },
  }),
  route({
    method: 'get',
    path: '/bi/cohorts',
    guard: view,
    summary: 'Borrowers by registration week (optionally one channel, or split by channel) and the share who had applied, been approved, had a loan disbursed by the end of weeks 0–8 (null = not over yet)',
    query: biCohortQuery,
    responseDescription: '{ items }',
    response: biCohortResponse,
    handler: async ({ query, services }) => ({ items: await services.bi.cohorts(cohortRequest(query, services.bi.today())) }),
  }),
  route({
    method: 'get',
    path: '/bi/alerts',
    guard: view,
    summary: 'Fired BI alerts, newest first',
    responseDescription: '{ items }',
    response: biAlertListResponse,
    handler: async ({ services }) => ({ items: (await services.bi.alerts(200)).map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })) }),
  }),
  route({
    method: 'get',
    path: '/bi/alerts/subscriptions',
    guard: view,
    summary: "The caller's active alert subscriptions",
    responseDescription: '{ items }',
    response: biSubscriptionListResponse,
    handler: async ({ principal, services }) => ({ items: (await services.bi.subscriptions(principal.account.id)).map((s) => ({ ...s, createdAt: s.createdAt.toISOString() })) }),
  }),
  route({
    method: 'post',
    path: '/bi/alerts/subscriptions',
    guard: view,
    summary: 'Subscribes the caller to an alert: a kind, a threshold in percentage points, optionally one subject and an SMS number',
    body: biSubscriptionBody,
    status: 201,
    responseDescription: '{ items }: the caller’s subscriptions',
    response: biSubscriptionListResponse,
    handler: async ({ body, req, principal, services }) => {
      await services.bi.subscribe({ ...auditActor(req), id: principal.account.id }, body);
      return { items: (await services.bi.subscriptions(principal.account.id)).map((s) => ({ ...s, createdAt: s.createdAt.toISOString() })) };
    },
  }),
  route({
    method: 'delete',
    path: '/bi/alerts/subscriptions/:id',
    guard: view,
    summary: "Ends one of the caller's subscriptions (404 for another operator's)",
    status: 204,
    handler: async ({ params, req, res, principal, services }) => {
      await services.bi.unsubscribe({ ...auditActor(req), id: principal.account.id }, params.id);
      res.status(204).end();
    },
  }),
  route({
    method: 'post',
    path: '/bi/rebuild',
    guard: guard.operator('jobs.run'),
    summary: 'Rebuilds the daily rollup for [from, to] (at most 400 days, not after today), a day per transaction; idempotent',
    body: biRebuildBody,
    responseDescription: '{ days, rows }',
    response: biRebuildResponse,
    handler: async ({ body, req, services }) => services.bi.rebuildForOperator(auditActor(req), body.from, body.to),
  }),
];
