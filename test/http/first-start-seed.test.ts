import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { createContainer, type Container } from '../../server/container';
import { seedDemo, type DemoLogins } from '../../server/demo/seed-demo';
import { DEMO_PASSWORD, demoProducts } from '../../server/demo/demo-data';
import type { RunResult } from '../../server/jobs/scheduler';
import { WriteOnlySearchIndex } from '../../server/modules/search';
import { startTestApp, TEST_PII_KEY, type TestApp } from '../support/app';
import { openMigratedPglite } from '../support/database';

// A first start on an empty DATA_DIR (server/main.ts): a child process seeds the demo data with a
// write-only search index and no tickers, catches up the jobs and exits; the server then opens the
// database as on a restart. Here the "child" is a container on the same database.
const now = new Date();
const dataDir = mkdtempSync(path.join(tmpdir(), 'daichao-first-start-'));
let seeding: Container;
let logins: DemoLogins | null;
let childCatchUp: RunResult[];
let t: TestApp;

beforeAll(async () => {
  const database = await openMigratedPglite();
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: randomBytes(32).toString('hex'), PII_KEY: TEST_PII_KEY, REDIS_URL: '' });
  seeding = await createContainer(config, { database, search: new WriteOnlySearchIndex(), tickers: false });
  logins = await seedDemo(seeding.services);
  childCatchUp = await seeding.services.scheduler.catchUp(now);
  t = await startTestApp({ database, data: 'none' });
}, 300_000);
afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the demo seed of a first start, in a process of its own', () => {
  it('writes every demo product through the write-only index, which refuses to search', async () => {
    expect(logins?.operator[0]?.username).toBe('admin');
    expect(await seeding.search.count()).toBe(demoProducts.length);
    await expect(seeding.search.search({ q: '装修', sort: 'relevance', page: 1, pageSize: 10 })).rejects.toThrow(/no search index/);
  });

  it('leaves a database the server searches from its own index, and whose demo logins work', async () => {
    const product = demoProducts[0]!;
    const res = await request(t.app).get(`/api/v1/products?q=${encodeURIComponent(product.name)}`).expect(200);
    expect(res.body.total).toBeGreaterThanOrEqual(1);
    await request.agent(t.app).post('/api/admin/v1/auth/login').send({ username: logins!.operator[0]!.username, password: DEMO_PASSWORD }).expect(200);
  });

  it('caught up every job, so the server has nothing left to catch up', async () => {
    const { scheduler } = t.container.services;
    expect(childCatchUp.length).toBeGreaterThan(0);
    expect(childCatchUp.filter((r) => r.status !== 'ran')).toEqual([]);
    const again = await scheduler.catchUp(now);
    expect(again.filter((r) => r.status === 'ran')).toEqual([]);
  });
});
