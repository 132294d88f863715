/**
 * Settlement benchmark: accrue N commission events through the real accrual path (CPL, CPA and
 * CPS, under the per-institution month lock, journal + accrual per event, in batches of
 * transactions), then close the month into statements. Prints events per second, the statement
 * run time and the peak resident memory.
 *
 *   npx tsx scripts/bench/settlement.ts [--events 1000000] [--institutions 20] [--batch 200] [--seed accrue|sql] [--database-url postgres://…]
 *
 * `--seed sql` writes the same accruals, journals and ledger entries with set-based SQL instead of
 * one accrual call per event: it measures the statement run at a size the per-event path would
 * take hours to reach on a small machine (its events/s is the bulk load rate, not the accrual rate).
 *
 * Without --database-url it runs on PGlite in a temporary directory; with it, on a fresh
 * database created on that server (dropped afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type DatabaseHandle } from '../../server/db/client';
import { PiiCipher } from '../../server/lib/pii';
import { withTransaction } from '../../server/lib/tx';
import { AuditService } from '../../server/modules/audit';
import { InstitutionsService } from '../../server/modules/institutions';
import { SettlementService, StatementsService, shanghaiMidnight, type CommissionRule } from '../../server/modules/settlement';
import { systemClock } from '../../server/lib/clock';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    institutions: { type: 'string', default: '20' },
    batch: { type: 'string', default: '200' },
    seed: { type: 'string', default: 'accrue' },
    'database-url': { type: 'string' },
  },
});
const events = Number(values.events);
const institutionCount = Number(values.institutions);
const batch = Number(values.batch);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function open(): Promise<{ handle: DatabaseHandle; label: string; cleanup: () => Promise<void> }> {
  const url = values['database-url'];
  if (!url) {
    const dir = mkdtempSync(path.join(tmpdir(), 'dc-bench-settlement-'));
    const handle = await openDatabase({ dir });
    return { handle, label: 'PGlite', cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `dc_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const handle = await openDatabase({ url: target.toString() });
  return {
    handle,
    label: `PostgreSQL (${target.host})`,
    cleanup: async () => {
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

const { handle, label, cleanup } = await open();
try {
  await handle.migrate();
  const pii = new PiiCipher([{ id: 'bench', key: randomBytes(32) }]);
  const audit = new AuditService({ db: handle.db, pii });
  const settlement = new SettlementService({ db: handle.db, pii, audit, clock: systemClock });
  const statements = new StatementsService({ db: handle.db, audit, clock: systemClock });
  const institutions = new InstitutionsService({ db: handle.db, audit });
  const ids: string[] = [];
  for (let i = 0; i < institutionCount; i++) {
    const id = (await institutions.create({ name: `压测机构${i}有限公司`, shortName: `压测${i}`, kind: 'bank' })).id;
    await settlement.createAgreement({
      institutionId: id,
      cplFen: 2_000,
      cpaFen: 10_000,
      cpsRate: '0.015',
      tiers: [{ rule: 'cps', fromCount: 1_000, rate: '0.012' }],
      cpsEventCapFen: 80_000,
      effectiveFrom: shanghaiMidnight('2026-01-01')!,
    });
    ids.push(id);
  }
  const monthStart = shanghaiMidnight('2026-03-01')!.getTime();
  const monthMs = 31 * 86_400_000 - 1;
  const rules: CommissionRule[] = ['cpl', 'cpa', 'cps'];
  console.log(`${label}: accruing ${events.toLocaleString()} events for ${institutionCount} institutions in March 2026, ${batch} per transaction…`);
  const accrueStart = performance.now();
  let lastReport = accrueStart;
  if (values.seed === 'sql') {
    const rows = await queryRows<{ id: string; institution_id: string }>(handle.db, sql`select id, institution_id from agreements`);
    for (const [k, institutionId] of ids.entries()) {
      const agreementId = rows.find((r) => r.institution_id === institutionId)!.id;
      const per = Math.ceil(events / institutionCount);
      await withTransaction(handle.db, async (tx) => {
        await tx.execute(sql`
          insert into ledger_journals (id, source_key, kind, institution_id, application_id, agreement_id, memo, posted_at)
          select 'jnl_b' || ${k} || '_' || g, (array['cpl','cpa','cps'])[g % 3 + 1] || ':b' || ${k} || '_' || (g / 3), 'commission_' || (array['cpl','cpa','cps'])[g % 3 + 1],
                 ${institutionId}, 'b' || ${k} || '_' || (g / 3), ${agreementId}, '', now()
            from generate_series(0, ${per - 1}) g`);
        await tx.execute(sql`
          insert into ledger_entries (journal_id, account, amount_fen)
          select 'jnl_b' || ${k} || '_' || g, x.account, x.amount
            from generate_series(0, ${per - 1}) g,
                 lateral (values (${`receivable:institution:${institutionId}`}, 2000 + (g % 3) * 4000::bigint),
                                 ('revenue:commission:' || (array['cpl','cpa','cps'])[g % 3 + 1], -(2000 + (g % 3) * 4000::bigint))) as x(account, amount)`);
        await tx.execute(sql`
          insert into commission_accruals (id, source_key, rule, institution_id, application_id, agreement_id, event_at, month, ordinal, amount_fen, journal_id, memo)
          select 'acr_b' || ${k} || '_' || g, (array['cpl','cpa','cps'])[g % 3 + 1] || ':b' || ${k} || '_' || (g / 3), (array['cpl','cpa','cps'])[g % 3 + 1],
                 ${institutionId}, 'b' || ${k} || '_' || (g / 3), ${agreementId},
                 ${new Date(monthStart).toISOString()}::timestamptz + (g::float / ${per} * ${monthMs}) * interval '1 millisecond', '2026-03', g / 3 + 1,
                 2000 + (g % 3) * 4000, 'jnl_b' || ${k} || '_' || g, ''
            from generate_series(0, ${per - 1}) g`);
      });
    }
  }
  for (let done = 0; values.seed !== 'sql' && done < events; done += batch) {
    const n = Math.min(batch, events - done);
    await withTransaction(handle.db, async (tx) => {
      for (let k = 0; k < n; k++) {
        const i = done + k;
        const rule = rules[i % 3]!;
        await settlement.accrue(tx, {
          rule,
          applicationId: `bench_${Math.floor(i / 3)}`,
          institutionId: ids[Math.floor(i / 3) % institutionCount]!,
          at: new Date(monthStart + Math.floor((i / events) * monthMs)),
          baseAmountFen: rule === 'cps' ? 1_000_000 + (i % 97) * 10_000 : undefined,
        });
      }
    });
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      console.log(`  ${(done + n).toLocaleString()} events, ${(((done + n) * 1000) / (lastReport - accrueStart)).toFixed(0)} events/s`);
    }
  }
  const accrueSeconds = (performance.now() - accrueStart) / 1000;
  const closeStart = performance.now();
  const result = await statements.closeMonth('2026-03', { now: new Date('2026-04-01T02:00:00+08:00') });
  const closeSeconds = (performance.now() - closeStart) / 1000;
  const list = await statements.list({ period: '2026-03' });
  const lines = list.reduce((n, s) => n + s.lineCount, 0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(`\n${label}`);
  console.log(`  events ${values.seed === 'sql' ? 'bulk-loaded' : 'accrued'}:        ${events.toLocaleString()} in ${accrueSeconds.toFixed(1)} s = ${(events / accrueSeconds).toFixed(0)} events/s`);
  console.log(`  statement run:         ${result.created.length} statements, ${lines.toLocaleString()} lines in ${closeSeconds.toFixed(2)} s (${(lines / closeSeconds).toFixed(0)} lines/s)`);
  console.log(`  peak memory (rss):     ${mb(peakRss)}`);
} finally {
  clearInterval(sampler);
  await handle.close();
  await cleanup();
}
