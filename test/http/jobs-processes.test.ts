import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationEvents, applications } from '../../server/db/schema';
import { openDatabase } from '../../server/db/client';
import { startTestApp, TEST_PII_KEY, type TestApp } from '../support/app';
import { apply, consumerAgent } from '../support/http';

const run = promisify(execFile);
const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

/**
 * Two real worker processes (separate Node processes, each with its own container, database pool
 * and Redis connection) fire the same job instant at the same moment: it runs once. Needs the
 * PostgreSQL and Redis servers (CI sets TEST_DATABASE_URL and TEST_REDIS_URL).
 */
describe.skipIf(!databaseUrl || !redisUrl)('two worker processes against one Redis and one database', () => {
  const name = `dc_test_${randomBytes(6).toString('hex')}`;
  let url: string;
  let t: TestApp;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(databaseUrl!);
    u.pathname = `/${name}`;
    url = u.toString();
    const database = await openDatabase({ url });
    await database.migrate();
    t = await startTestApp({ database });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('runs the instant exactly once, and its effect happens once', { timeout: 120_000 }, async () => {
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
    await t.container.database.db.execute(sql`update applications set updated_at = now() - interval '31 days' where id = ${application.id}`);
    const instant = '2031-08-01T02:15:00.000Z';
    const prefix = `dc-test-procs-${randomBytes(4).toString('hex')}:`;
    const worker = () => run('npx', ['tsx', 'test/support/job-instance.ts', url, redisUrl!, prefix, TEST_PII_KEY, 'applications-expire', instant], { timeout: 90_000 });
    const outputs = await Promise.all([worker(), worker()]);
    const results = outputs.map((o) => JSON.parse(o.stdout.trim().split('\n').pop()!) as { pid: number; status: string; runId: string | null });
    expect(new Set(results.map((r) => r.pid)).size).toBe(2);
    // one ran it; the other waited for the lock and found the instant done
    expect(results.map((r) => r.status).sort()).toEqual(['done', 'ran']);
    const runs = await t.container.services.jobs.forInstant('applications-expire', new Date(instant));
    expect(runs).toEqual([expect.objectContaining({ outcome: 'succeeded', processed: 1 })]);
    expect(results.every((r) => r.runId === runs[0]!.id)).toBe(true);
    const db = t.container.database.db;
    const [app] = await db.select().from(applications).where(eq(applications.id, application.id));
    expect(app!.status).toBe('expired');
    const events = await db.select().from(applicationEvents).where(and(eq(applicationEvents.applicationId, application.id), eq(applicationEvents.toStatus, 'expired')));
    expect(events).toHaveLength(1);
  });
});
