import { overviewJson, runJson } from '../../../jobs/run-view';
import { auditActor } from '../../audit-actor';
import { auditFilterDetail, auditQuery, auditRowJson, toAuditFilter } from '../../audit-query';
import { jobNameParam, tickerJson } from '../../job-run';
import { guard, route, type ApiRoute } from '../route-table';
import { auditPageResponse, jobOverviewResponse, jobRunNowResponse } from './operations.schemas';

const jobs = guard.operator('jobs.run');

/** `/api/admin/v1/audit` and `/jobs`: the audit log and the scheduled jobs. */
export const adminOperationsRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/audit',
    guard: guard.operator('audit.view'),
    summary: 'The audit log, newest first, 100 per call (permission audit.view); pass nextBefore as before for the next page. Each call is itself audited.',
    description: 'action is a prefix match; from/to are Asia/Shanghai calendar days (YYYY-MM-DD), both inclusive.',
    query: auditQuery,
    queryError: '筛选条件有误',
    responseDescription: '{ items: [{ id, createdAt, actor: { kind, id, name }, action, object: { type, id }, ip, requestId, detail }], nextBefore }',
    response: auditPageResponse,
    handler: async ({ query: q, services, req }) => {
      const page = await services.audit.viewAsOperator(auditActor(req), toAuditFilter(q), { before: q.before, limit: 100 }, { filter: auditFilterDetail(q), via: 'api' });
      return { items: page.rows.map(auditRowJson), nextBefore: page.nextBefore };
    },
  }),
  route({
    method: 'get',
    path: '/jobs',
    guard: jobs,
    summary:
      "The scheduled jobs (permission jobs.run): schedule (cron, Asia/Shanghai), next run, last run and the 10 most recent runs; and the tickers (short-interval work) with this process's in-memory record of their ticks",
    responseDescription:
      '{ items: [{ name, title, schedule, timezone, nextRunAt, lastRun, recent: [{ id, job, scheduledFor, trigger, outcome, startedAt, finishedAt, durationMs, processed, detail, error, instanceId, fencingToken, attempt, requestedBy }] }], tickers: [{ name, title, everyMs, scope, running, ticks, failures, lastAt, lastOutcome, lastProcessed, lastError }] }',
    response: jobOverviewResponse,
    handler: async ({ services }) => ({ items: (await services.scheduler.overview(10)).map(overviewJson), tickers: services.scheduler.tickerRecords.map(tickerJson) }),
  }),
  route({
    method: 'post',
    path: '/jobs/:name/run',
    guard: jobs,
    summary: 'Runs a job now under its lock (trigger manual, audited); status ran, or locked with a skipped_locked run when it is running elsewhere',
    params: { name: jobNameParam },
    bodyError: '此接口不接受参数',
    responseDescription: '{ status, run }',
    response: jobRunNowResponse,
    handler: async ({ params, services, req }) => {
      const { result } = await services.scheduler.runManually(params.name, auditActor(req));
      return { status: result.status, run: result.run ? runJson(result.run) : null };
    },
  }),
];
