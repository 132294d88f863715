import type { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../container';
import { overviewJson, runJson } from '../../jobs/run-view';
import { runJobManually } from '../job-run';
import type { HttpKit } from '../kit';
import { parse } from '../validate';

/** `/api/admin/v1/jobs`: the scheduled jobs with next run (Asia/Shanghai schedule, ISO instants) and recent runs; a manual run. */
export function jobsApiRoutes(r: Router, services: Services, kit: HttpKit): void {
  const guard = kit.guards.operator('api', 'jobs.run');

  r.get('/jobs', guard, async (_req, res) => {
    res.json({ items: (await services.scheduler.overview(10)).map(overviewJson) });
  });

  r.post('/jobs/:name/run', guard, async (req, res) => {
    parse(z.object({}).strict(), req.body ?? {}, '此接口不接受参数');
    const { result } = await runJobManually(req, services, String(req.params.name));
    res.json({ status: result.status, run: result.run ? runJson(result.run) : null });
  });
}
