import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/client';
import { startTestApp, TEST_PII_KEY, type TestApp } from '../support/app';
import { csrfFrom } from '../support/http';

const run = promisify(execFile);

/**
 * `npm run create-operator` on a fresh production deployment (no demo data there): the real
 * command, in its own process, on its own PGlite directory; then the app on that database.
 */
describe('the create-operator command', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'daichao-operator-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    PII_KEY: TEST_PII_KEY,
    PUBLIC_URL: 'https://daichao.example',
    LOG_LEVEL: 'silent',
  };
  const command = (...args: string[]) =>
    run('npx', ['tsx', 'scripts/create-operator.ts', ...args], { env, timeout: 120_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );
  let first: Awaited<ReturnType<typeof command>>;
  let second: Awaited<ReturnType<typeof command>>;
  let t: TestApp;

  beforeAll(async () => {
    first = await command('--username', 'Ops.Lead', '--name', '张三');
    second = await command('--username', 'ops.other', '--name', '李四');
    t = await startTestApp({ database: await openDatabase({ dir: path.join(dataDir, 'pglite') }) });
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates one super admin with a one-time password printed once, and refuses a second time', async () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Created operator ops.lead (张三, 超级管理员');
    expect(first.stdout).toContain('then to set up two-step verification');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('已存在超级管理员');
    const bad = await command('--name', '王五');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: npm run create-operator');
  });

  it('the operator must set a password of their own at first login; the creation is audited', async () => {
    const oneTime = /One-time password \(shown only now\): (\S+)/.exec(first.stdout)![1]!;
    const agent = request.agent(t.app);
    const form = await agent.get('/admin/login').expect(200);
    await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(form.text), username: 'ops.lead', password: oneTime }).expect(303);
    expect((await agent.get('/admin/staff')).headers.location).toBe('/admin/security?required=password');
    const security = await agent.get('/admin/security?required=password').expect(200);
    await agent
      .post('/admin/security/password')
      .type('form')
      .send({ _csrf: csrfFrom(security.text), currentPassword: oneTime, password: 'Harbour-lights-42', confirm: 'Harbour-lights-42' })
      .expect(303);
    await agent.get('/admin/staff').expect(200);
    const [created] = await t.container.services.audit.recentActions('staff.first_operator_created');
    expect(created).toMatchObject({ actorKind: 'system', actorId: 'create-operator' });
    // nothing from the demo data: no demo operator, no demo consumer
    await request(t.app).post('/api/admin/v1/auth/login').send({ username: 'admin', password: 'Demo@2026' }).expect(401);
  });
});
