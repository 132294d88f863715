import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Lease, LockManager } from '../adapters/redis';
import { NotFoundError } from '../lib/errors';
import { systemClock, type Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { AuditActor, AuditService } from '../modules/audit';
import type { JobRun, JobTrigger, JobsService } from '../modules/jobs';
import { compileCron, defaultCatchUp, missedInstants, nextInstant, previousInstant, type CatchUpPolicy, type CronSchedule } from './cron';
import { isTicker, type BackgroundWork, type JobDefinition, type TickerDefinition, type TickerRecord } from './job';

export const JOB_TIMEZONE = 'Asia/Shanghai';

export interface SchedulerOptions {
  locks: LockManager;
  runs: JobsService;
  logger?: Logger;
  /** this process, in run records; default host:pid:random */
  instanceId?: string;
  /** the job lock's lifetime; the holder renews it every third of it while the job runs */
  lockTtlMs?: number;
  /** how long a scheduled run waits for a lock held by another run (a manual run does not wait) */
  lockWaitMs?: number;
  catchUp?: CatchUpPolicy;
  /** the time jobs run for and runs are recorded at; default the system clock */
  clock?: Clock;
  /** records manual runs (`runManually`); a scheduler without it runs jobs on their schedules only */
  audit?: Pick<AuditService, 'recordNow'>;
}

/**
 * What came of asking for a run: `ran` (the record says how it ended), `done` (the instant was
 * already run, by this or another instance), `locked` (the job was running elsewhere; a manual
 * request gets a `skipped_locked` record).
 */
export type RunResult = { status: 'ran' | 'done'; run: JobRun } | { status: 'locked'; run?: JobRun };

export interface JobOverview {
  job: Pick<JobDefinition, 'name' | 'title' | 'schedule'>;
  nextRunAt: Date | null;
  lastRun: JobRun | undefined;
  recent: JobRun[];
}

interface RunningTicker {
  definition: TickerDefinition;
  record: TickerRecord;
  timer: NodeJS.Timeout | undefined;
  started: boolean;
}

/**
 * Runs the platform's jobs on their cron schedules (node-cron, Asia/Shanghai) in the worker role:
 * one run per job at a time across every instance (the shared lock, renewed while the job runs),
 * one run per instant (the unique run record), missed instants caught up at start-up. Runs the
 * tickers (short-interval work, server/jobs/job.ts) under the same start and stop.
 */
export class Scheduler {
  readonly instanceId: string;
  logger: Logger | undefined;
  private readonly jobs = new Map<string, { job: JobDefinition; cron: CronSchedule }>();
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private shutdown = new AbortController();
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;
  private readonly catchUpPolicy: CatchUpPolicy;
  private readonly clock: Clock;
  private readonly tickers = new Map<string, RunningTicker>();

  constructor(
    work: BackgroundWork[],
    private readonly options: SchedulerOptions,
  ) {
    for (const item of work) {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(item.name)) throw new Error(`job name "${item.name}" must be kebab-case`);
      if (this.jobs.has(item.name) || this.tickers.has(item.name)) throw new Error(`job "${item.name}" is registered twice`);
      if (isTicker(item)) this.tickers.set(item.name, { definition: item, record: emptyRecord(item), timer: undefined, started: false });
      else this.jobs.set(item.name, { job: item, cron: compileCron(item.schedule) });
    }
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.logger = options.logger;
    this.lockTtlMs = options.lockTtlMs ?? 60_000;
    this.lockWaitMs = options.lockWaitMs ?? 30_000;
    this.catchUpPolicy = options.catchUp ?? defaultCatchUp;
    this.clock = options.clock ?? systemClock;
  }

  get definitions(): JobDefinition[] {
    return [...this.jobs.values()].map((j) => j.job);
  }

  private entry(name: string) {
    const entry = this.jobs.get(name);
    if (!entry) throw new NotFoundError('任务');
    return entry;
  }

  /** Schedules every job with node-cron and starts every ticker (worker role). */
  start(): void {
    if (this.shutdown.signal.aborted) this.shutdown = new AbortController();
    this.startTickers('worker');
    if (this.tasks.length > 0) return;
    for (const { job, cron: schedule } of this.jobs.values()) {
      const task = cron.schedule(
        job.schedule,
        (context) => {
          // the instant node-cron fired for, to the minute
          const instant = previousInstant(schedule, context.date, 1) ?? new Date(Math.floor(context.date.getTime() / 60_000) * 60_000);
          return this.track(this.runInstant(job.name, instant, 'schedule')).catch((err: unknown) => this.logger?.error({ err, job: job.name }, 'scheduled job could not run'));
        },
        { timezone: JOB_TIMEZONE, name: `job:${job.name}` },
      );
      this.tasks.push(task);
    }
    this.logger?.info({ jobs: [...this.jobs.keys()], instance: this.instanceId }, 'scheduler started');
  }

  /**
   * Starts the tickers every process runs (`instance` scope; any role), or with `worker` every
   * ticker. A ticker already running is left alone.
   */
  startTickers(role: 'instance' | 'worker' = 'instance'): void {
    if (this.shutdown.signal.aborted) this.shutdown = new AbortController();
    for (const ticker of this.tickers.values()) {
      if (ticker.started || (role === 'instance' && ticker.definition.scope === 'worker')) continue;
      ticker.started = true;
      this.scheduleTick(ticker, ticker.definition.everyMs);
    }
  }

  private scheduleTick(ticker: RunningTicker, delayMs: number): void {
    if (!ticker.started) return;
    ticker.timer = setTimeout(() => {
      ticker.timer = undefined;
      void this.track(this.tick(ticker.definition.name)).then((again) => this.scheduleTick(ticker, again ? 0 : ticker.definition.everyMs));
    }, delayMs);
    ticker.timer.unref();
  }

  /** Runs one tick of a ticker now (the timers do this; tests call it). Errors are logged and recorded, not thrown. */
  async tick(name: string): Promise<boolean> {
    const ticker = this.tickers.get(name);
    if (!ticker) throw new NotFoundError('任务');
    const { definition, record } = ticker;
    record.running = true;
    record.lastAt = this.clock.now();
    try {
      const result = await definition.tick({ now: record.lastAt, signal: this.shutdown.signal });
      record.ticks++;
      record.lastProcessed = result.processed;
      record.lastError = null;
      return result.again === true;
    } catch (err) {
      record.ticks++;
      record.failures++;
      record.lastError = err instanceof Error ? err.message : String(err);
      this.logger?.error({ err, ticker: name }, 'ticker failed');
      return false;
    } finally {
      record.running = false;
    }
  }

  /** The tickers' in-memory records. */
  get tickerRecords(): TickerRecord[] {
    return [...this.tickers.values()].map((t) => ({ ...t.record }));
  }

  /** Stops scheduling and the tickers, tells running jobs to stop (their signal aborts) and waits for them a while. */
  async stop(timeoutMs = 10_000): Promise<void> {
    for (const ticker of this.tickers.values()) {
      ticker.started = false;
      clearTimeout(ticker.timer);
      ticker.timer = undefined;
    }
    for (const task of this.tasks.splice(0)) await task.destroy();
    this.shutdown.abort(new Error('shutting down'));
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Runs, with trigger `catch_up`, the instants each job missed since its last successful scheduled run. */
  async catchUp(now = this.clock.now()): Promise<RunResult[]> {
    const last = await this.options.runs.lastScheduledSuccess([...this.jobs.keys()]);
    const results: RunResult[] = [];
    for (const { job, cron: schedule } of this.jobs.values()) {
      for (const instant of missedInstants(schedule, last.get(job.name) ?? null, now, this.catchUpPolicy)) {
        if (this.shutdown.signal.aborted) return results;
        this.logger?.info({ job: job.name, instant }, 'catching up a missed run');
        results.push(await this.track(this.runInstant(job.name, instant, 'catch_up')));
      }
    }
    return results;
  }

  /** An operator's 立即运行: runs now under the same lock; if the job is running elsewhere, records `skipped_locked`. */
  runNow(name: string, requestedBy?: string): Promise<RunResult> {
    return this.track(this.runInstant(name, this.clock.now(), 'manual', requestedBy));
  }

  /**
   * 立即运行 from a page or the API, as one use case: the job (NotFoundError when there is none)
   * runs now under its lock, then the request and its outcome are audited. The run commits its own
   * records as it goes, so the audit row follows the finished run record rather than sharing a
   * transaction with it.
   */
  async runManually(name: string, actor: AuditActor): Promise<{ job: JobOverview['job']; result: RunResult }> {
    const { job } = this.entry(name);
    const { audit } = this.options;
    if (!audit) throw new Error('manual runs are audited: this scheduler was built without options.audit');
    const result = await this.runNow(name, actor.id ?? undefined);
    await audit.recordNow(actor, {
      action: 'job.run_manually',
      objectType: 'job',
      objectId: name,
      detail: { runId: result.run?.id ?? null, outcome: result.run?.outcome ?? 'skipped_locked', processed: result.run?.processed ?? null },
    });
    return { job: { name: job.name, title: job.title, schedule: job.schedule }, result };
  }

  /** Runs one instant of a job under its lock, once per instant (scheduled and catch-up runs). */
  async runInstant(name: string, instant: Date, trigger: JobTrigger, requestedBy?: string): Promise<RunResult> {
    const { job } = this.entry(name);
    const { runs } = this.options;
    const lease = await this.acquire(name, trigger === 'manual' ? 0 : this.lockWaitMs);
    if (!lease) {
      this.logger?.info({ job: name, instant, trigger }, 'job is running elsewhere; not run here');
      if (trigger !== 'manual') return { status: 'locked' };
      return { status: 'locked', run: await runs.recordSkipped({ jobName: name, requestedBy, instanceId: this.instanceId }, this.clock.now()) };
    }
    const holder = { instanceId: this.instanceId, fencingToken: lease.fencingToken };
    const work = new AbortController();
    const onShutdown = () => work.abort(this.shutdown.signal.reason);
    this.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    const renewEveryMs = Math.max(50, Math.floor(this.lockTtlMs / 3));
    // the lock is ours until at least `confirmedAt + lockTtlMs` (measured from before the call that set it)
    let confirmedAt = Date.now();
    const renewal = setInterval(() => {
      const sentAt = Date.now();
      lease.extend(this.lockTtlMs).then(
        (kept) => {
          if (kept) confirmedAt = sentAt;
          else work.abort(new Error('lost the job lock'));
        },
        () => {
          // the lock service cannot be reached: try again at the next renewal, unless the lock may expire
          // before then; past that another instance could take it, so stop rather than run twice
          if (Date.now() + renewEveryMs >= confirmedAt + this.lockTtlMs) work.abort(new Error('任务锁无法续期（Redis 无法连接），已停止，以免与其他实例重复运行'));
        },
      );
    }, renewEveryMs);
    renewal.unref();
    try {
      const claim = await runs.claim({ jobName: name, scheduledFor: instant, trigger, requestedBy, ...holder }, this.clock.now());
      if (!claim.claimed) return { status: 'done', run: claim.run };
      const started = Date.now();
      try {
        const result = await job.run({ now: instant, signal: work.signal });
        const kept = await runs.finish(claim.run.id, holder, { outcome: 'succeeded', processed: result.processed, detail: result.detail });
        if (!kept) this.logger?.warn({ job: name, instant, fencingToken: lease.fencingToken }, 'job finished after its lock was taken over; outcome not recorded');
        this.logger?.info({ job: name, instant, trigger, processed: result.processed, ms: Date.now() - started }, 'job succeeded');
      } catch (err) {
        this.logger?.error({ err, job: name, instant, trigger }, 'job failed');
        const message = err instanceof Error ? err.message : String(err);
        await runs.finish(claim.run.id, holder, { outcome: 'failed', error: message || '未知错误' });
      }
      return { status: 'ran', run: (await runs.get(claim.run.id))! };
    } finally {
      clearInterval(renewal);
      this.shutdown.signal.removeEventListener('abort', onShutdown);
      await lease.release().catch(() => undefined);
    }
  }

  /**
   * The job's lock, waiting up to `waitMs` while another run holds it. While the lock service
   * cannot be reached it keeps trying until the deadline, then throws that error: the run does
   * not happen (never without the lock), the error says why (a manual run answers 503), and the
   * missed instant is caught up later.
   */
  private async acquire(name: string, waitMs: number): Promise<Lease | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      let lease: Lease | null = null;
      let failure: unknown;
      try {
        lease = await this.options.locks.tryAcquire(`job:${name}`, this.lockTtlMs);
      } catch (err) {
        failure = err;
      }
      if (lease) return lease;
      if (Date.now() >= deadline || this.shutdown.signal.aborted) {
        if (failure !== undefined) throw failure;
        return null;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(50, this.lockTtlMs / 10))));
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  /** For /admin/jobs: each job with its next instant (Shanghai), last run and recent runs. */
  async overview(recentCount = 10, now = this.clock.now()): Promise<JobOverview[]> {
    return Promise.all(
      [...this.jobs.values()].map(async ({ job, cron: schedule }) => {
        const recent = await this.options.runs.recent(job.name, recentCount);
        return { job: { name: job.name, title: job.title, schedule: job.schedule }, nextRunAt: nextInstant(schedule, now), lastRun: recent[0], recent };
      }),
    );
  }

  /** A job's overview, or NotFoundError. */
  async describe(name: string, recentCount = 20): Promise<JobOverview> {
    const { job, cron: schedule } = this.entry(name);
    const recent = await this.options.runs.recent(name, recentCount);
    return { job: { name: job.name, title: job.title, schedule: job.schedule }, nextRunAt: nextInstant(schedule, this.clock.now()), lastRun: recent[0], recent };
  }
}

function emptyRecord(ticker: TickerDefinition): TickerRecord {
  return { name: ticker.name, title: ticker.title, everyMs: ticker.everyMs, scope: ticker.scope, running: false, ticks: 0, failures: 0, lastAt: null, lastProcessed: null, lastError: null };
}
