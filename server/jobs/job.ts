/**
 * A scheduled job, declared by the domain that owns the work. The scheduler (server/jobs/scheduler.ts)
 * registers every job in one place, runs it in the worker role on its cron schedule (Asia/Shanghai),
 * once across instances, records each run, and catches up missed runs at start-up.
 *
 * A job must be idempotent: running it twice for the same `now` changes nothing the second time.
 */
export interface JobDefinition {
  /** stable id, kebab-case, e.g. `statements-close` */
  name: string;
  /** what it does, in Chinese, for /admin/jobs */
  title: string;
  /** a node-cron expression evaluated in Asia/Shanghai, e.g. `0 2 1 * *` */
  schedule: string;
  /** does the work as of `now`; returns how many items it processed (for the run record) */
  run(context: JobContext): Promise<{ processed: number; detail?: Record<string, unknown> }>;
}

export interface JobContext {
  /** the instant the run is for (a catch-up run gets the missed instant) */
  now: Date;
  /** aborted when the process is shutting down */
  signal: AbortSignal;
}
