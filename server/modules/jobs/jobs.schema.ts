import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const jobTriggers = ['schedule', 'catch_up', 'manual'] as const;
export type JobTrigger = (typeof jobTriggers)[number];
/** `running` until the run ends; a run that never ends was interrupted and is taken over by the next lock holder */
export const jobOutcomes = ['running', 'succeeded', 'failed', 'skipped_locked'] as const;
export type JobOutcome = (typeof jobOutcomes)[number];

/**
 * One row per run of a scheduled job. A scheduled or catch-up instant has at most one row
 * (unique job + instant), so an instant runs once across every instance; manual runs are free.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    jobName: text('job_name').notNull(),
    /** the cron instant the run is for; for a manual run, when it was asked for */
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }).notNull(),
    trigger: text('trigger').$type<JobTrigger>().notNull(),
    outcome: text('outcome').$type<JobOutcome>().notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    processed: integer('processed'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    /** the error's message only, never a stack */
    error: text('error'),
    /** which process ran it (host:pid:random) */
    instanceId: text('instance_id').notNull(),
    /** the lock lease's fencing token: only the current holder may write the outcome */
    fencingToken: bigint('fencing_token', { mode: 'number' }),
    /** 1, or more when an interrupted or failed run of the same instant was taken over */
    attempt: integer('attempt').notNull().default(1),
    /** the operator who pressed 立即运行 */
    requestedBy: text('requested_by'),
  },
  (t) => [
    uniqueIndex('job_runs_instant_uq').on(t.jobName, t.scheduledFor).where(sql`${t.trigger} <> 'manual'`),
    index('job_runs_job_started_idx').on(t.jobName, t.startedAt),
    check('job_runs_trigger_check', sql`${t.trigger} in ('schedule', 'catch_up', 'manual')`),
    check('job_runs_outcome_check', sql`${t.outcome} in ('running', 'succeeded', 'failed', 'skipped_locked')`),
  ],
);

export type JobRun = typeof jobRuns.$inferSelect;
