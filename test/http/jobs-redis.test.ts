import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSharedState, type SharedState } from '../../server/adapters/redis';
import { applicationEvents, applications, notifications } from '../../server/db/schema';
import type { JobDefinition } from '../../server/jobs/job';
import { allJobs } from '../../server/jobs/registry';
import { Scheduler } from '../../server/jobs/scheduler';
import { systemClock } from '../../server/lib/clock';
import { JobsService } from '../../server/modules/jobs';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets, type DatabaseTarget } from '../support/database';
import { apply, consumerAgent } from '../support/http';

const redisUrl = process.env.TEST_REDIS_URL;

/**
 * Two scheduler instances, as in two worker processes: one database, one lock service. On Redis
 * (CI sets TEST_REDIS_URL) each instance has its own connection; without it, the in-process
 * fallback is one lock table shared by both.
 */
const [pglite, server] = databaseTargets();
const targets: { name: string; url?: string; database: DatabaseTarget }[] = [{ name: 'in-process locks, PGlite', database: pglite! }];
// on Redis, the database server when there is one (CI): two instances' transactions really run at once
if (redisUrl) targets.push({ name: `Redis, ${(server ?? pglite)!.name}`, url: redisUrl, database: (server ?? pglite)! });

describe.each(targets)('two scheduler instances ($name)', ({ url, database }) => {
  let t: TestApp;
  let sharedA: SharedState;
  let sharedB: SharedState;
  let a: Scheduler;
  let b: Scheduler;
  let slowRuns = 0;
  const slow: JobDefinition = {
    name: 'test-slow',
    title: '慢速测试任务',
    schedule: '0 3 * * *',
    run: async () => {
      slowRuns += 1;
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { processed: 1 };
    },
  };

  beforeAll(async () => {
    t = await startTestApp({ database: await database.open() });
    const prefix = `dc-test-jobs-${randomBytes(4).toString('hex')}:`;
    sharedA = await connectSharedState(url, prefix);
    sharedB = url ? await connectSharedState(url, prefix) : sharedA;
    expect(sharedA.mode).toBe(url ? 'redis' : 'memory');
    const make = (instanceId: string, shared: SharedState) =>
      new Scheduler([...allJobs(t.container.services), slow], {
        locks: shared.locks,
        runs: new JobsService({ db: t.container.database.db, clock: systemClock }),
        instanceId,
        lockTtlMs: 1_000,
        lockWaitMs: 5_000,
      });
    a = make('instance-a', sharedA);
    b = make('instance-b', sharedB);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await sharedA?.close();
    if (sharedB !== sharedA) await sharedB?.close();
    await t?.close();
  });

  async function staleApplication(): Promise<string> {
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
    await t.container.database.db.execute(sql`update applications set updated_at = now() - interval '31 days' where id = ${application.id}`);
    return application.id as string;
  }

  /** what an expiry leaves behind for one application */
  async function stateOf(applicationId: string) {
    const db = t.container.database.db;
    const [app] = await db.select().from(applications).where(eq(applications.id, applicationId));
    const events = await db.select().from(applicationEvents).where(and(eq(applicationEvents.applicationId, applicationId), eq(applicationEvents.toStatus, 'expired')));
    const notes = await db.select().from(notifications).where(and(eq(notifications.accountId, app!.consumerId), eq(notifications.kind, 'application.expired')));
    return { status: app!.status, expiredEvents: events.length, notifications: notes.length };
  }

  it('both asked to run the same instant: it runs exactly once', async () => {
    const id = await staleApplication();
    const instant = new Date('2031-07-01T02:15:00Z');
    const results = await Promise.all([a.runInstant('applications-expire', instant, 'schedule'), b.runInstant('applications-expire', instant, 'schedule')]);
    const runs = await t.container.services.jobs.forInstant('applications-expire', instant);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'succeeded', processed: 1, trigger: 'schedule' });
    // one ran it; the other waited for the lock and found the instant done
    expect(results.map((r) => r.status).sort()).toEqual(['done', 'ran']);
    expect(results.every((r) => r.run?.id === runs[0]!.id)).toBe(true);
    expect(await stateOf(id)).toEqual({ status: 'expired', expiredEvents: 1, notifications: 1 });

    // several instants of another job, fired on both at once: one record each
    for (const minute of [0, 10, 20, 30]) {
      const at = new Date(Date.UTC(2031, 6, 1, 3, minute));
      await Promise.all([a.runInstant('complaints-escalate', at, 'schedule'), b.runInstant('complaints-escalate', at, 'schedule')]);
      expect(await t.container.services.jobs.forInstant('complaints-escalate', at)).toEqual([expect.objectContaining({ outcome: 'succeeded' })]);
    }
  });

  it('the one that cannot get the lock in time does not run the job (nothing recorded by it)', async () => {
    slowRuns = 0;
    const quickB = new Scheduler([slow], { locks: sharedB.locks, runs: t.container.services.jobs, instanceId: 'instance-b2', lockTtlMs: 1_000, lockWaitMs: 100 });
    const instant = new Date('2031-07-02T19:00:00Z');
    const [ranOnA, onB] = await Promise.all([
      a.runInstant('test-slow', instant, 'schedule'),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() => quickB.runInstant('test-slow', instant, 'schedule')),
    ]);
    expect(ranOnA.status).toBe('ran');
    expect(onB).toEqual({ status: 'locked' });
    expect(slowRuns).toBe(1);
    expect(await t.container.services.jobs.forInstant('test-slow', instant)).toEqual([expect.objectContaining({ outcome: 'succeeded', instanceId: 'instance-a' })]);
  });

  it('a holder that dies without releasing is taken over after the lock expires; the rerun leaves the same result', async () => {
    const id = await staleApplication();
    const instant = new Date('2031-07-03T02:15:00Z');
    const runs = t.container.services.jobs;

    // instance A takes the lock, claims the instant, does the work… and dies before recording the outcome
    const leaseA = await sharedA.locks.tryAcquire('job:applications-expire', 1_000);
    expect(leaseA).not.toBeNull();
    const claimA = await runs.claim({ jobName: 'applications-expire', scheduledFor: instant, trigger: 'schedule', instanceId: 'instance-a', fencingToken: leaseA!.fencingToken });
    expect(claimA.claimed).toBe(true);
    expect(await t.container.services.applications.expireStale(instant)).toBe(1);
    const afterA = await stateOf(id);
    expect(afterA).toEqual({ status: 'expired', expiredEvents: 1, notifications: 1 });

    // instance B fires for the same instant: it waits for the lock to expire, then takes the run over
    const started = Date.now();
    const taken = await b.runInstant('applications-expire', instant, 'schedule');
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(taken.status).toBe('ran');
    expect(taken.run).toMatchObject({ id: claimA.run.id, outcome: 'succeeded', processed: 0, instanceId: 'instance-b', attempt: 2 });
    expect(taken.run!.fencingToken!).toBeGreaterThan(leaseA!.fencingToken);
    expect(await stateOf(id)).toEqual(afterA); // the rerun changed nothing

    // A was only paused, wakes up and tries to record its outcome: its fencing token is stale
    expect(await runs.finish(claimA.run.id, { instanceId: 'instance-a', fencingToken: leaseA!.fencingToken }, { outcome: 'succeeded', processed: 1 })).toBe(false);
    expect(await runs.get(claimA.run.id)).toMatchObject({ instanceId: 'instance-b', processed: 0 });
    await leaseA!.release(); // a stale release does not free the lock of whoever holds it now

    // asked again, either instance finds the instant done
    expect((await a.runInstant('applications-expire', instant, 'catch_up')).status).toBe('done');
    expect(await runs.forInstant('applications-expire', instant)).toHaveLength(1);
  });

  it('a job that outlives the lock lifetime keeps its lock by renewing it', async () => {
    let longRuns = 0;
    const long: JobDefinition = {
      name: 'test-long',
      title: '长时间测试任务',
      schedule: '0 4 * * *',
      run: async () => {
        longRuns += 1;
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        return { processed: 1 };
      },
    };
    const options = { runs: t.container.services.jobs, lockTtlMs: 300, lockWaitMs: 100 };
    const longA = new Scheduler([long], { ...options, locks: sharedA.locks, instanceId: 'instance-a3' });
    const longB = new Scheduler([long], { ...options, locks: sharedB.locks, instanceId: 'instance-b3' });
    const instant = new Date('2031-07-04T20:00:00Z');
    const onA = longA.runInstant('test-long', instant, 'schedule');
    await new Promise((resolve) => setTimeout(resolve, 800)); // well past the 300 ms the lock was first taken for
    expect(await longB.runInstant('test-long', instant, 'schedule')).toEqual({ status: 'locked' });
    expect((await longB.runNow('test-long')).run).toMatchObject({ outcome: 'skipped_locked', instanceId: 'instance-b3' });
    expect((await onA).run).toMatchObject({ outcome: 'succeeded', instanceId: 'instance-a3' });
    expect(longRuns).toBe(1);
  });
});
