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

/**
 * Short-interval background work: lead webhook delivery, refreshing a process's in-memory read
 * models. The scheduler starts and stops tickers with the jobs and keeps a record of their ticks
 * in memory (`Scheduler.tickerRecords`; a tick every few seconds would flood the run records).
 * A tick's error is logged and the ticker carries on at its next interval.
 */
export interface TickerDefinition {
  kind: 'ticker';
  /** stable id, kebab-case, e.g. `webhooks-deliver` */
  name: string;
  /** what it does, in Chinese */
  title: string;
  /** the pause between the end of one tick and the start of the next */
  everyMs: number;
  /**
   * `instance`: every process runs it (it refreshes that process's memory), from `startTickers()`;
   * `worker`: only the worker role, started with the jobs by `start()`
   */
  scope: 'instance' | 'worker';
  /** one tick; `again: true` (a full batch) runs the next tick at once */
  tick(context: JobContext): Promise<{ processed: number; again?: boolean }>;
}

/** What a module declares: cron jobs and tickers. */
export type BackgroundWork = JobDefinition | TickerDefinition;

export function isTicker(work: BackgroundWork): work is TickerDefinition {
  return 'kind' in work && work.kind === 'ticker';
}

/** The in-memory record of a ticker. */
export interface TickerRecord {
  name: string;
  title: string;
  everyMs: number;
  scope: TickerDefinition['scope'];
  running: boolean;
  ticks: number;
  failures: number;
  lastAt: Date | null;
  lastProcessed: number | null;
  lastError: string | null;
}
