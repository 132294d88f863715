import { and, desc, eq, inArray, max, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { newId } from '../../lib/ids';
import { withTransaction } from '../../lib/tx';
import { jobRuns, type JobRun, type JobTrigger } from './jobs.schema';
import type { Clock } from '../../lib/clock';

export type ClaimResult = { run: JobRun; claimed: true } | { run: JobRun; claimed: false };

export interface RunEnd {
  outcome: 'succeeded' | 'failed';
  processed?: number;
  detail?: Record<string, unknown>;
  error?: string;
}

interface Holder {
  instanceId: string;
  fencingToken: number;
}

export interface JobsServiceDeps {
  clock: Clock;
  db: Database;
}

/**
 * The record of every job run. The scheduler claims an instant while it holds the job's lock,
 * then writes the outcome with the lease's fencing token: a holder whose lease was taken over
 * can no longer write.
 */
export class JobsService {
  constructor(private readonly deps: JobsServiceDeps) {}

  /**
   * Claims `scheduledFor` of a job for the caller, who holds the job's lock. A manual run always
   * gets a new row. A scheduled or catch-up instant is claimed when it has no row yet, when its
   * row is still `running` (its holder lost the lock: it was interrupted) or, for a catch-up, when
   * it failed; a succeeded instant is not run again.
   */
  async claim(input: { jobName: string; scheduledFor: Date; trigger: JobTrigger; requestedBy?: string } & Holder, now = this.deps.clock.now()): Promise<ClaimResult> {
    const values = {
      id: newId('jrun'),
      jobName: input.jobName,
      scheduledFor: input.scheduledFor,
      trigger: input.trigger,
      outcome: 'running' as const,
      startedAt: now,
      instanceId: input.instanceId,
      fencingToken: input.fencingToken,
      requestedBy: input.requestedBy ?? null,
    };
    if (input.trigger === 'manual') {
      const [run] = await this.deps.db.insert(jobRuns).values(values).returning();
      return { run: run!, claimed: true };
    }
    return withTransaction(this.deps.db, async (tx) => {
      const [inserted] = await tx
        .insert(jobRuns)
        .values(values)
        .onConflictDoNothing({ target: [jobRuns.jobName, jobRuns.scheduledFor], where: sql`trigger <> 'manual'` })
        .returning();
      if (inserted) return { run: inserted, claimed: true };
      const [existing] = await tx
        .select()
        .from(jobRuns)
        .where(and(eq(jobRuns.jobName, input.jobName), eq(jobRuns.scheduledFor, input.scheduledFor), sql`${jobRuns.trigger} <> 'manual'`))
        .for('update');
      if (!existing) throw new Error(`job run ${input.jobName}@${input.scheduledFor.toISOString()} vanished`);
      const takeOver = existing.outcome === 'running' || (existing.outcome === 'failed' && input.trigger === 'catch_up');
      if (!takeOver) return { run: existing, claimed: false };
      const [run] = await tx
        .update(jobRuns)
        .set({
          trigger: input.trigger,
          outcome: 'running',
          startedAt: now,
          finishedAt: null,
          processed: null,
          detail: null,
          error: null,
          instanceId: input.instanceId,
          fencingToken: input.fencingToken,
          attempt: existing.attempt + 1,
        })
        .where(eq(jobRuns.id, existing.id))
        .returning();
      return { run: run!, claimed: true };
    });
  }

  /** Writes how a run ended; false (nothing written) when the writer no longer holds that run. */
  async finish(id: string, holder: Holder, end: RunEnd, now = this.deps.clock.now()): Promise<boolean> {
    const rows = await this.deps.db
      .update(jobRuns)
      .set({
        outcome: end.outcome,
        finishedAt: now,
        processed: end.processed ?? null,
        detail: end.detail ?? null,
        error: end.error ? end.error.slice(0, 500) : null,
      })
      .where(and(eq(jobRuns.id, id), eq(jobRuns.outcome, 'running'), eq(jobRuns.instanceId, holder.instanceId), eq(jobRuns.fencingToken, holder.fencingToken)))
      .returning({ id: jobRuns.id });
    return rows.length === 1;
  }

  /** A manual run that found the job running elsewhere. */
  async recordSkipped(input: { jobName: string; requestedBy?: string; instanceId: string }, now = this.deps.clock.now()): Promise<JobRun> {
    const [run] = await this.deps.db
      .insert(jobRuns)
      .values({
        id: newId('jrun'),
        jobName: input.jobName,
        scheduledFor: now,
        trigger: 'manual',
        outcome: 'skipped_locked',
        startedAt: now,
        finishedAt: now,
        instanceId: input.instanceId,
        requestedBy: input.requestedBy ?? null,
      })
      .returning();
    return run!;
  }

  /** The latest instant a scheduled or catch-up run of the job succeeded for, per job. */
  async lastScheduledSuccess(jobNames: string[]): Promise<Map<string, Date>> {
    if (jobNames.length === 0) return new Map();
    const rows = await this.deps.db
      .select({ jobName: jobRuns.jobName, at: max(jobRuns.scheduledFor) })
      .from(jobRuns)
      .where(and(inArray(jobRuns.jobName, jobNames), eq(jobRuns.outcome, 'succeeded'), inArray(jobRuns.trigger, ['schedule', 'catch_up'])))
      .groupBy(jobRuns.jobName);
    return new Map(rows.filter((r) => r.at).map((r) => [r.jobName, new Date(r.at!)]));
  }

  async get(id: string): Promise<JobRun | undefined> {
    const [run] = await this.deps.db.select().from(jobRuns).where(eq(jobRuns.id, id));
    return run;
  }

  /** The most recent runs of one job, newest first. */
  async recent(jobName: string, limit = 10): Promise<JobRun[]> {
    return this.deps.db.select().from(jobRuns).where(eq(jobRuns.jobName, jobName)).orderBy(desc(jobRuns.startedAt), desc(jobRuns.id)).limit(limit);
  }

  /** Every run of one job for one instant (scheduled, catch-up), for tests and diagnosis. */
  async forInstant(jobName: string, scheduledFor: Date): Promise<JobRun[]> {
    return this.deps.db
      .select()
      .from(jobRuns)
      .where(and(eq(jobRuns.jobName, jobName), eq(jobRuns.scheduledFor, scheduledFor)));
  }
}
