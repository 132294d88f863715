import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/client';
import { startTestApp, TEST_PII_KEY } from '../support/app';

const run = promisify(execFile);

/** `npm run verify-contracts`: the real command in its own process, on a PGlite directory holding signed contracts. */
describe('the verify-contracts command', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'daichao-verify-'));
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
    run('npx', ['tsx', 'scripts/verify-contracts.ts', ...args], { env, timeout: 120_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );
  const ids: string[] = [];

  beforeAll(async () => {
    const t = await startTestApp({ database: await openDatabase({ dir: path.join(dataDir, 'pglite') }), env: { DATA_DIR: dataDir } });
    const origin = { actor: { kind: 'consumer' as const, id: 'acc_cli', ip: '198.51.100.4' }, device: 'dev', visitor: 'v', door: 'api' as const };
    for (const subjectId of ['o1', 'o2']) {
      const variables = { borrowerName: '李雷', institutionName: '甲银行股份有限公司', fields: '姓名、手机号', productName: '甲银行信用贷', date: '2026-12-06' };
      ids.push((await t.container.services.contracts.sign({ kind: 'authorization', institutionId: t.fixtures.institutionA.id, consumerId: 'acc_cli', signerAccountId: 'acc_cli', variables, smsConfirmed: false, origin, subjectId })).id);
    }
    await t.close();
  }, 300_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exits 0 when every contract is intact, 1 naming the contract and the check when one was changed', async () => {
    const intact = await command();
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toContain('2 contracts checked, 0 failed');

    const db = await openDatabase({ dir: path.join(dataDir, 'pglite') });
    await db.db.execute(sql`update contract_evidence set device_hash = 'forged' where contract_id = ${ids[0]!}`);
    await db.close();

    const changed = await command();
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain(`FAIL ${ids[0]}  evidence_row_changed`);
    expect(changed.stdout).toContain('2 contracts checked, 1 failed');
    const one = await command(ids[1]!);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`OK   ${ids[1]}`);
  }, 300_000);
});
