import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database, type DatabaseHandle } from '../../db/client';
import { databaseTargets } from '../../../test/support/database';
import { testCipher } from '../../../test/support/pii';
import { AuditService } from '../audit';
import { InstitutionsService } from '../institutions';
import { shanghaiMidnight } from './commission';
import { SettlementService } from './settlement.service';
import { StatementsService } from './statements.service';
import { systemClock } from '../../lib/clock';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const LINES = 40_000;

async function seed(db: Database): Promise<string> {
  const institutionId = (await new InstitutionsService({ db, audit: new AuditService({ db, pii: testCipher() }) }).create({ name: '崩溃测试机构有限公司', shortName: '崩溃测试', kind: 'bank' })).id;
  const agreement = await new SettlementService({ db, pii: testCipher(), clock: systemClock }).createAgreement({ institutionId, cplFen: 100, cpaFen: 0, cpsRate: '0', effectiveFrom: shanghaiMidnight('2026-01-01')! });
  // many accruals at once (the statement reads accruals only)
  await db.execute(sql`
    insert into commission_accruals (id, source_key, rule, institution_id, application_id, agreement_id, event_at, month, ordinal, amount_fen, memo)
    select 'acr_crash_' || g, 'cpl:crash_' || g, 'cpl', ${institutionId}, 'crash_' || g, ${agreement.id},
           timestamptz '2026-03-10T00:00:00Z' + g * interval '1 second', '2026-03', g, 100 + (g % 7), ''
      from generate_series(1, ${LINES}) g`);
  return institutionId;
}

/** Runs the close in a child process and SIGKILLs it `delayMs` after it began; resolves with what it printed. */
function runAndKill(args: string[], delayMs: number): Promise<{ output: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', path.join(root, 'test/children/statement-close.child.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('begin') && !killed) {
        killed = true;
        // npx starts node in turn: kill the whole process group, not only npx
        setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ output, killed: signal === 'SIGKILL' }));
  });
}

async function statementState(db: Database, institutionId: string) {
  return queryRows<{ id: string; total_fen: string; line_count: number; lines: number; line_sum: string }>(
    db,
    sql`select s.id, s.total_fen::text as total_fen, s.line_count,
               (select count(*)::int from statement_lines l where l.statement_id = s.id) as lines,
               (select coalesce(sum(amount_fen), 0)::text from statement_lines l where l.statement_id = s.id) as line_sum
          from statements s where s.institution_id = ${institutionId} and s.period = '2026-03'`,
  );
}

describe.each(databaseTargets())('a statement run killed midway on $name', (target) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('leaves the whole statement or none, and the rerun builds the same statement', { timeout: 300_000 }, async () => {
    let handle: DatabaseHandle;
    let args: string[];
    let reopen: () => Promise<DatabaseHandle>;
    if (target.name === 'pglite') {
      const dir = mkdtempSync(path.join(tmpdir(), 'dc-crash-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      handle = await openDatabase({ dir });
      await handle.migrate();
      args = ['--dir', dir];
      reopen = () => openDatabase({ dir });
    } else {
      handle = await target.open();
      const [{ name }] = (await queryRows<{ name: string }>(handle.db, sql`select current_database() as name`)) as [{ name: string }];
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${name}`;
      url.searchParams.set('application_name', 'statement_crash_child');
      args = ['--url', url.toString()];
      const kept = handle;
      cleanups.push(() => kept.close());
      reopen = async () => kept;
    }
    const institutionId = await seed(handle.db);
    const [expected] = await queryRows<{ total: string }>(handle.db, sql`select sum(amount_fen)::text as total from commission_accruals where institution_id = ${institutionId}`);
    // PGlite allows one process at a time: close it while the child works
    if (target.name === 'pglite') await handle.close();

    const run = await runAndKill([...args, institutionId, '2026-03'], target.name === 'pglite' ? 300 : 100);
    expect(run.output).toContain('begin');
    const after = await reopen();
    // a server finishes (or rolls back) what the killed client had sent: wait for its session to end
    if (target.name === 'postgres') {
      for (let i = 0; i < 100; i++) {
        const [left] = await queryRows<{ n: number }>(after.db, sql`select count(*)::int as n from pg_stat_activity where application_name = 'statement_crash_child'`);
        if (left!.n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const state = await statementState(after.db, institutionId);
    // all or nothing: either no statement, or one with every line
    expect(state.length).toBeLessThanOrEqual(1);
    if (state.length === 1) expect(state[0]).toMatchObject({ line_count: LINES, lines: LINES, line_sum: expected!.total, total_fen: expected!.total });
    const [orphans] = await queryRows<{ n: number }>(after.db, sql`select count(*)::int as n from statement_lines l where not exists (select 1 from statements s where s.id = l.statement_id)`);
    expect(orphans!.n).toBe(0);

    const statements = new StatementsService({ db: after.db, audit: new AuditService({ db: after.db, pii: testCipher() }), clock: systemClock });
    const rerun = await statements.closeFor(institutionId, '2026-03', new Date('2026-04-01T00:00:00Z'));
    const final = await statementState(after.db, institutionId);
    expect(final).toHaveLength(1);
    expect(final[0]).toMatchObject({ line_count: LINES, lines: LINES, total_fen: expected!.total, line_sum: expected!.total });
    expect(rerun).toEqual({ kind: state.length ? 'existing' : 'created', statementId: final[0]!.id });
    expect(await statements.closeFor(institutionId, '2026-03', new Date())).toEqual({ kind: 'existing', statementId: final[0]!.id });
    console.info(`${target.name}: killed=${run.killed} finished-before-kill=${run.output.includes('done')} statement-after-kill=${state.length}`);
    if (target.name === 'pglite') await after.close();
  });
});
