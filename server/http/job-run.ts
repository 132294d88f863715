import type { Request } from 'express';
import type { Services } from '../container';
import type { JobOverview, RunResult } from '../jobs/scheduler';
import { auditActor } from './audit-actor';

// the jobs page's presentation helpers, so surfaces reach them through server/http
export { describeCron } from '../jobs/cron-text';
export { runMessage, runView } from '../jobs/run-view';

/** 立即运行 from a page or the API: the job runs now under its lock; the request and its outcome are audited. */
export async function runJobManually(req: Request, services: Services, name: string): Promise<{ job: JobOverview['job']; result: RunResult }> {
  const { job } = await services.scheduler.describe(name, 0); // NotFoundError for a job that does not exist
  const actor = auditActor(req);
  const result = await services.scheduler.runNow(name, actor.id ?? undefined);
  await services.audit.recordNow(actor, {
    action: 'job.run_manually',
    objectType: 'job',
    objectId: name,
    detail: { runId: result.run?.id ?? null, outcome: result.run?.outcome ?? 'skipped_locked', processed: result.run?.processed ?? null },
  });
  return { job, result };
}
