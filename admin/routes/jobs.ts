import type { Router } from 'express';
import type { Services } from '../../server/container';
import { describeCron, runJobManually, runMessage, runView } from '../../server/http/job-run';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';

/** `/admin/jobs`: the scheduled jobs, their runs, and 立即运行 (manual run under the job's lock, audited). */
export function jobRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const guard = kit.guards.operator('page', 'jobs.run');

  r.get('/jobs', guard, async (req, res) => {
    const highlight = typeof req.query.run === 'string' ? req.query.run : undefined;
    const jobs = await services.scheduler.overview(10);
    await render(req, res, 'jobs', {
      title: '定时任务',
      jobs: jobs.map((o) => ({
        ...o.job,
        scheduleText: describeCron(o.job.schedule),
        nextRunAt: o.nextRunAt,
        lastRun: o.lastRun ? runView(o.lastRun) : undefined,
        recent: o.recent.map((run) => ({ ...runView(run), highlighted: run.id === highlight })),
      })),
    });
  });

  r.post('/jobs/:name/run', guard, async (req, res) => {
    const { job, result } = await runJobManually(req, services, String(req.params.name));
    req.session.flash = runMessage(job.title, result);
    res.redirect(303, result.run ? `/admin/jobs?run=${encodeURIComponent(result.run.id)}#run-${result.run.id}` : '/admin/jobs');
  });
}
