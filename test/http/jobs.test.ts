import { and, eq, sql } from 'drizzle-orm';
import cron from 'node-cron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryLocks, type LockManager } from '../../server/adapters/redis/lock';
import { applicationEvents, jobRuns } from '../../server/db/schema';
import type { JobDefinition } from '../../server/jobs/job';
import { allJobs } from '../../server/jobs/registry';
import { Scheduler } from '../../server/jobs/scheduler';
import { ServiceUnavailableError } from '../../server/lib/errors';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';

/** an instant written as Shanghai wall-clock time */
const sh = (local: string) => new Date(`${local}+08:00`);

describe.each(databaseTargets())('scheduled jobs on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
  });
  afterAll(() => t?.close());

  /** an application that has had no progress for 31 days */
  async function staleApplication(): Promise<string> {
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
    await t.container.database.db.execute(sql`update applications set updated_at = now() - interval '31 days' where id = ${application.id}`);
    return application.id as string;
  }

  const expiredEvents = async (applicationId: string) =>
    t.container.database.db
      .select()
      .from(applicationEvents)
      .where(and(eq(applicationEvents.applicationId, applicationId), eq(applicationEvents.toStatus, 'expired')));

  it('records a run with its outcome and count; the same instant a second time changes nothing', async () => {
    const { scheduler, jobs } = t.container.services;
    const id = await staleApplication();
    const instant = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 + 15 * 60_000); // a :15 instant, as the schedule says

    const first = await scheduler.runInstant('applications-expire', instant, 'schedule');
    expect(first.status).toBe('ran');
    expect(first.run).toMatchObject({ jobName: 'applications-expire', trigger: 'schedule', outcome: 'succeeded', processed: 1, error: null, instanceId: scheduler.instanceId, attempt: 1 });
    expect(first.run!.scheduledFor.toISOString()).toBe(instant.toISOString());
    expect(first.run!.fencingToken).toBeGreaterThan(0);
    expect(first.run!.finishedAt!.getTime()).toBeGreaterThanOrEqual(first.run!.startedAt.getTime());

    // the same instant again (another instance, or a catch-up): not run, the record is the first one
    const again = await scheduler.runInstant('applications-expire', instant, 'catch_up');
    expect(again).toMatchObject({ status: 'done', run: { id: first.run!.id, outcome: 'succeeded', processed: 1 } });
    expect(await jobs.forInstant('applications-expire', instant)).toHaveLength(1);
    expect(await expiredEvents(id)).toHaveLength(1);

    // the job itself is idempotent: the next instant finds nothing left to do
    const next = await scheduler.runInstant('applications-expire', new Date(instant.getTime() + 3600_000), 'schedule');
    expect(next.run).toMatchObject({ outcome: 'succeeded', processed: 0 });
    expect(await expiredEvents(id)).toHaveLength(1);
  });

  it('a failing job records failed with its message and the scheduler goes on', async () => {
    const { services } = t.container;
    let okRuns = 0;
    const failing: JobDefinition = {
      name: 'test-failing',
      title: '总是失败的测试任务',
      schedule: '*/5 * * * *',
      run: async () => {
        throw new Error('上游接口超时');
      },
    };
    const ok: JobDefinition = { name: 'test-ok', title: '测试任务', schedule: '*/5 * * * *', run: async () => ({ processed: ++okRuns }) };
    const now = sh('2031-05-31T23:58:00');
    const scheduler = new Scheduler([failing, ok], { locks: new MemoryLocks(), runs: services.jobs, clock: { now: () => now } });

    const failed = await scheduler.runInstant('test-failing', sh('2031-05-31T23:50:00'), 'schedule');
    expect(failed.run).toMatchObject({ outcome: 'failed', error: '上游接口超时', processed: null });
    expect(failed.run!.error).not.toMatch(/at .*\.ts/); // the message, never a stack

    // catch-up runs the latest missed instant of each job: the failure does not stop the other job
    const caughtUp = await scheduler.catchUp();
    expect(caughtUp.map((r) => [r.run?.jobName, r.run?.trigger, r.run?.outcome, r.run?.scheduledFor.toISOString()])).toEqual([
      ['test-failing', 'catch_up', 'failed', sh('2031-05-31T23:55:00').toISOString()],
      ['test-ok', 'catch_up', 'succeeded', sh('2031-05-31T23:55:00').toISOString()],
    ]);
    expect(okRuns).toBe(1);
    // a failed instant is retried by the next catch-up (same row, second attempt); a succeeded one is not
    const retried = await scheduler.catchUp();
    expect(retried.map((r) => [r.run?.jobName, r.status, r.run?.outcome, r.run?.attempt])).toEqual([['test-failing', 'ran', 'failed', 2]]);
    expect(okRuns).toBe(1);
    await scheduler.stop();
  });

  it('catches up only the latest instant missed since the last successful scheduled run', async () => {
    const { services } = t.container;
    const seen: string[] = [];
    const hourly: JobDefinition = { name: 'test-hourly', title: '每小时测试任务', schedule: '15 * * * *', run: async ({ now }) => (seen.push(now.toISOString()), { processed: 0 }) };
    let now = sh('2031-06-01T10:20:00');
    const scheduler = new Scheduler([hourly], { locks: new MemoryLocks(), runs: services.jobs, clock: { now: () => now } });
    await scheduler.runInstant('test-hourly', sh('2031-06-01T10:15:00'), 'schedule');
    // no worker ran from 10:20 to 13:40: 11:15, 12:15 and 13:15 were missed; 13:15 is run, as a catch-up
    now = sh('2031-06-01T13:40:00');
    const results = await scheduler.catchUp();
    expect(results.map((r) => r.run?.trigger)).toEqual(['catch_up']);
    expect(seen).toEqual([sh('2031-06-01T10:15:00').toISOString(), sh('2031-06-01T13:15:00').toISOString()]);
    expect(await scheduler.catchUp()).toEqual([]);
    const overview = await scheduler.describe('test-hourly');
    expect(overview.nextRunAt?.toISOString()).toBe(sh('2031-06-01T14:15:00').toISOString());
    expect(overview.lastRun?.trigger).toBe('catch_up');
  });

  it('start() schedules every job with node-cron in Asia/Shanghai; a fired task records a scheduled run; stop() removes them', async () => {
    let fired = 0;
    const every: JobDefinition = { name: 'test-every-minute', title: '每分钟测试任务', schedule: '* * * * *', run: async () => ({ processed: ++fired }) };
    const scheduler = new Scheduler([every], { locks: new MemoryLocks(), runs: t.container.services.jobs });
    scheduler.start();
    const task = [...cron.getTasks().values()].find((task) => task.name === 'job:test-every-minute');
    expect(task).toBeDefined();
    expect(task!.getNextRun()!.getUTCSeconds()).toBe(0);
    await task!.execute(); // what node-cron does at the minute
    const [run] = await t.container.services.jobs.recent('test-every-minute', 1);
    expect(run).toMatchObject({ trigger: 'schedule', outcome: 'succeeded', processed: 1 });
    expect(run!.scheduledFor.getUTCSeconds()).toBe(0);
    await scheduler.stop();
    expect([...cron.getTasks().values()].some((task) => task.name === 'job:test-every-minute')).toBe(false);
  });

  it('a manual run while the job runs elsewhere is recorded as skipped_locked', async () => {
    const locks = new MemoryLocks();
    const scheduler = new Scheduler(allJobs(t.container.services), { locks, runs: t.container.services.jobs });
    const held = await locks.tryAcquire('job:complaints-escalate', 60_000);
    const result = await scheduler.runNow('complaints-escalate', 'op_test');
    expect(result.status).toBe('locked');
    expect(result.run).toMatchObject({ outcome: 'skipped_locked', trigger: 'manual', requestedBy: 'op_test' });
    await held!.release();
    expect((await scheduler.runNow('complaints-escalate')).run?.outcome).toBe('succeeded');
  });

  it('nothing runs without its lock while the lock service is down; a job that cannot renew its lock stops before the lock expires', async () => {
    const down = new ServiceUnavailableError('任务锁暂时不可用（Redis 无法连接），请稍后再试');
    let reachable = false;
    const inner = new MemoryLocks();
    const locks: LockManager = {
      tryAcquire: async (name, ttlMs) => {
        if (!reachable) throw down;
        const lease = await inner.tryAcquire(name, ttlMs);
        return lease && { ...lease, extend: async (ms) => (reachable ? lease.extend(ms) : Promise.reject(down)) };
      },
    };
    let runs = 0;
    let abortedAt = 0;
    const job: JobDefinition = {
      name: 'test-lock-outage',
      title: '锁服务故障测试任务',
      schedule: '0 6 * * *',
      run: ({ signal }) =>
        new Promise((_resolve, reject) => {
          runs += 1;
          signal.addEventListener('abort', () => ((abortedAt = Date.now()), reject(signal.reason as Error)), { once: true });
        }),
    };
    const scheduler = new Scheduler([job], { locks, runs: t.container.services.jobs, lockTtlMs: 600, lockWaitMs: 200 });
    const instant = sh('2031-07-01T06:00:00');
    // a manual run answers 503 at once; a scheduled one keeps trying for its wait, then is not run (a catch-up runs it later)
    await expect(scheduler.runNow(job.name)).rejects.toBe(down);
    await expect(scheduler.runInstant(job.name, instant, 'schedule')).rejects.toBe(down);
    expect(runs).toBe(0);
    expect(await t.container.services.jobs.recent(job.name, 10)).toEqual([]);

    // running with the lock when the lock service goes away: stopped before the 600 ms lock could lapse and be taken by another instance
    reachable = true;
    const running = scheduler.runInstant(job.name, instant, 'schedule');
    await vi.waitFor(() => expect(runs).toBe(1));
    const lostAt = Date.now();
    reachable = false;
    const result = await running;
    expect(abortedAt - lostAt).toBeLessThan(600);
    expect(result.run).toMatchObject({ outcome: 'failed', error: '任务锁无法续期（Redis 无法连接），已停止，以免与其他实例重复运行' });
    await scheduler.stop();
  });

  it('/admin/jobs lists the jobs; 立即运行 runs one now, answers with the run, and is audited', async () => {
    const id = await staleApplication();
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const page = await op.get('/admin/jobs').expect(200);
    for (const name of ['applications-expire', 'licences-check', 'complaints-escalate']) expect(page.text).toContain(`data-job="${name}"`);
    expect(page.text).toContain('立即运行');
    expect(page.text).toContain('15 * * * *');
    expect(page.text).toContain('href="/admin/jobs"'); // the menu entry

    const res = await op.post('/admin/jobs/applications-expire/run').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    const runId = /run=([\w-]+)/.exec(String(res.headers.location))?.[1];
    expect(runId).toBeTruthy();
    const [run] = await t.container.database.db.select().from(jobRuns).where(eq(jobRuns.id, runId!));
    expect(run).toMatchObject({ jobName: 'applications-expire', trigger: 'manual', outcome: 'succeeded', processed: 1 });
    expect((await expiredEvents(id)).length).toBe(1);

    const after = await op.get(String(res.headers.location)).expect(200);
    expect(after.text).toContain('已运行：成功，处理 1 条');
    expect(after.text).toMatch(new RegExp(`id="run-${runId}"[^>]*data-outcome="succeeded"[^>]*class="highlighted"`));

    const audit = await t.container.services.audit.forObject('job', 'applications-expire');
    const entry = audit.find((a) => a.action === 'job.run_manually' && (a.detail as { runId?: string }).runId === runId);
    expect(entry).toMatchObject({ actorKind: 'operator', detail: { outcome: 'succeeded', processed: 1 } });
    expect(run!.requestedBy).toBe(entry!.actorId);

    await op.post('/admin/jobs/no-such-job/run').type('form').send({ _csrf: csrfFrom(page.text) }).expect(404);
  });

  it('/admin/jobs and GET /api/admin/v1/jobs show the tickers: the webhook dispatcher with its interval, scope and last tick', async () => {
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const rowOf = (html: string) => /<tr id="ticker-webhooks-deliver"[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '';
    const before = await op.get('/admin/jobs').expect(200);
    expect(before.text).toContain('常驻任务');
    expect(rowOf(before.text)).toContain('尚未运行');
    for (const name of ['catalogue-sync', 'complaint-rates-refresh', 'webhooks-deliver']) expect(before.text).toContain(`data-ticker="${name}"`);

    expect(await t.container.services.scheduler.tick('webhooks-deliver')).toBe(false);
    const row = rowOf((await op.get('/admin/jobs').expect(200)).text);
    expect(row).toContain('data-outcome="succeeded"');
    expect(row).toContain('投递到期的线索回调');
    expect(row).toContain('每 30 秒');
    expect(row).toContain('后台任务进程');
    expect(row).not.toContain('尚未运行');
    expect(row).toMatch(/<td>1<\/td>\s*<td>0<\/td>/); // one tick, no failure

    const res = await op.get('/api/admin/v1/jobs').expect(200);
    const ticker = res.body.tickers.find((x: { name: string }) => x.name === 'webhooks-deliver');
    expect(ticker).toMatchObject({ title: '投递到期的线索回调', everyMs: 30_000, scope: 'worker', running: false, ticks: 1, failures: 0, lastOutcome: 'succeeded', lastProcessed: 0, lastError: null });
    expect(Date.parse(ticker.lastAt)).toBeGreaterThan(0);
  });

  it('GET /api/admin/v1/jobs: schedule, next run and recent runs as JSON; POST runs one', async () => {
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const res = await op.get('/api/admin/v1/jobs').expect(200);
    const expire = res.body.items.find((j: { name: string }) => j.name === 'applications-expire');
    expect(expire).toMatchObject({ title: expect.any(String), schedule: '15 * * * *', timezone: 'Asia/Shanghai', lastRun: { outcome: 'succeeded' } });
    expect(new Date(expire.nextRunAt).getUTCMinutes()).toBe(15);
    expect(new Date(expire.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(expire.recent.length).toBeGreaterThan(0);
    const ran = await op.post('/api/admin/v1/jobs/licences-check/run').send({}).expect(200);
    expect(ran.body).toMatchObject({ status: 'ran', run: { job: 'licences-check', trigger: 'manual', outcome: 'succeeded', processed: 0 } });
    const audited = (await t.container.services.audit.forObject('job', 'licences-check')).find((a) => (a.detail as { runId?: string }).runId === ran.body.run.id);
    expect(audited).toMatchObject({ action: 'job.run_manually', actorKind: 'operator', detail: { outcome: 'succeeded', processed: 0 } });
    await op.post('/api/admin/v1/jobs/nope/run').send({}).expect(404);
    const refused = await op.post('/api/admin/v1/jobs/licences-check/run').send({ now: '2030-01-01T00:00:00Z' }).expect(400);
    expect(refused.body.error.fields).toHaveProperty('now');
    expect((await op.get('/api/openapi.json').expect(200)).body.paths).toHaveProperty(['/api/admin/v1/jobs/{name}/run']);
  });
});
