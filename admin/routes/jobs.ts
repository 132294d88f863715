import { describeCron, jobNameParam, runMessage, runView, tickerView } from '../../server/http/job-run';
import { guard, page } from '../../server/http/page-route';
import { auditActor } from '../../server/http/audit-actor';

/** `/admin/jobs`: the scheduled jobs, their runs, and 立即运行 (manual run under the job's lock, audited); the tickers with their last tick. */
export const jobPages = [
  page({
    method: 'get',
    path: '/jobs',
    guard: guard.operator('jobs.run'),
    handler: async ({ req, services, render }) => {
      const highlight = typeof req.query.run === 'string' ? req.query.run : undefined;
      const jobs = await services.scheduler.overview(10);
      await render('jobs', {
        title: '定时任务',
        jobs: jobs.map((o) => ({
          ...o.job,
          scheduleText: describeCron(o.job.schedule),
          nextRunAt: o.nextRunAt,
          lastRun: o.lastRun ? runView(o.lastRun) : undefined,
          recent: o.recent.map((run) => ({ ...runView(run), highlighted: run.id === highlight })),
        })),
        tickers: services.scheduler.tickerRecords.map(tickerView),
      });
    },
  }),
  page({
    method: 'post',
    path: '/jobs/:name/run',
    guard: guard.operator('jobs.run'),
    params: { name: jobNameParam },
    handler: async ({ params, req, res, services }) => {
      const { job, result } = await services.scheduler.runManually(params.name, auditActor(req));
      req.session.flash = runMessage(job.title, result);
      res.redirect(303, result.run ? `/admin/jobs?run=${encodeURIComponent(result.run.id)}#run-${result.run.id}` : '/admin/jobs');
    },
  }),
];
