import { z } from 'zod';
import { instant } from '../responses';

/** What the audit-log and job routes answer; instants as ISO strings (UTC). */

export const auditPageResponse = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      createdAt: instant,
      actor: z.object({ kind: z.string(), id: z.string().nullable(), name: z.string().nullable() }),
      action: z.string(),
      object: z.object({ type: z.string(), id: z.string().nullable() }),
      ip: z.string().nullable(),
      requestId: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
  nextBefore: z.number().int().nullable().describe('pass as `before` for the next page; null on the last'),
});

export const jobRunResponse = z.object({
  id: z.string(),
  job: z.string(),
  scheduledFor: instant,
  trigger: z.string(),
  outcome: z.string(),
  startedAt: instant,
  finishedAt: instant.nullable(),
  durationMs: z.number().nullable(),
  processed: z.number().int().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable().describe('the message only'),
  instanceId: z.string(),
  fencingToken: z.number().int().nullable(),
  attempt: z.number().int(),
  requestedBy: z.string().nullable(),
});

export const jobOverviewResponse = z.object({
  items: z.array(
    z.object({
      name: z.string(),
      title: z.string(),
      schedule: z.string().describe('cron, Asia/Shanghai'),
      timezone: z.literal('Asia/Shanghai'),
      nextRunAt: instant.nullable(),
      lastRun: jobRunResponse.nullable(),
      recent: z.array(jobRunResponse),
    }),
  ),
  tickers: z
    .array(
      z.object({
        name: z.string(),
        title: z.string(),
        everyMs: z.number().int().describe('the interval between ticks, in milliseconds'),
        scope: z.enum(['instance', 'worker']).describe('instance: every process runs it; worker: only the worker process'),
        running: z.boolean(),
        ticks: z.number().int(),
        failures: z.number().int(),
        lastAt: instant.nullable(),
        lastOutcome: z.enum(['running', 'succeeded', 'failed']).nullable(),
        lastProcessed: z.number().int().nullable(),
        lastError: z.string().nullable(),
      }),
    )
    .describe("this process's in-memory record of its short-interval work"),
});

export const jobRunNowResponse = z.object({
  status: z.enum(['ran', 'done', 'locked']),
  run: jobRunResponse.nullable().describe('a skipped_locked run when it was running elsewhere'),
});
