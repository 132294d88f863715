/**
 * Settlement benchmark: accrue N commission events through the real batched accrual path
 * (`SettlementService.accrueBatch`: CPL, CPA and CPS under the per-institution month locks, with
 * tiers, a per-event cap and re-delivered duplicates), then close the month into statements.
 * Prints events per second, the accrual, close and total seconds, the ratio against the per-event
 * path (`accrue`, one call per event, as the request path does) measured on the first events in
 * the same run, the checks (every journal balances, one accrual per distinct source key, every
 * accrual covered by one journal whose entries sum to the accruals it covers, statement totals =
 * accruals) and the peak resident memory.
 *
 *   npx tsx scripts/bench/settlement.ts [--events 1000000] [--institutions 20] [--batch 5000] [--baseline 5000]
 *        [--duplicates 0.01] [--workers 2] [--seed accrue|sql] [--database-url postgres://…]
 *
 * `--seed sql` writes the same accruals, journals and ledger entries with set-based SQL instead of
 * the accrual path: it measures the statement run alone (its events/s is the bulk load rate).
 *
 * Without --database-url it runs on PGlite in a temporary directory; with it, on a fresh
 * database created on that server (dropped afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type DatabaseHandle } from '../../server/db/client';
import { freshDatabase } from './lib/fresh-database';
import { PiiCipher } from '../../server/lib/pii';
import { withTransaction } from '../../server/lib/tx';
import { AuditService } from '../../server/modules/audit';
import { InstitutionsService } from '../../server/modules/institutions';
import { SettlementService, StatementsService, shanghaiMidnight, type AccrualEvent, type CommissionRule } from '../../server/modules/settlement';
import { systemClock } from '../../server/lib/clock';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    institutions: { type: 'string', default: '20' },
    batch: { type: 'string', default: '5000' },
    baseline: { type: 'string', default: '5000' },
    duplicates: { type: 'string', default: '0.01' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: 'accrue' },
    'database-url': { type: 'string' },
  },
});
const events = Number(values.events);
const institutionCount = Number(values.institutions);
const batch = Number(values.batch);
const baselineEvents = Number(values.baseline);
const duplicateShare = Number(values.duplicates);
const workers = Number(values.workers);

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
  const fresh = await freshDatabase(url);
  return {
    handle: fresh.handle,
    label: `PostgreSQL (${new URL(url).host})`,
    cleanup: fresh.drop,
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
  /** The i-th event of a stream: each application earns CPL, CPA and CPS in turn, institutions round robin. */
  const eventOf = (i: number, prefix: string, start: number, total: number): AccrualEvent => {
    const rule = rules[i % 3]!;
    return {
      rule,
      applicationId: `${prefix}_${Math.floor(i / 3)}`,
      institutionId: ids[Math.floor(i / 3) % institutionCount]!,
      at: new Date(start + Math.floor((i / total) * monthMs)),
      baseAmountFen: rule === 'cps' ? 1_000_000 + (i % 97) * 10_000 : undefined,
    };
  };

  // baseline, same run: the per-event path (one accrue call per event, as a request does), on
  // April's events so March's tiers and statements are untouched
  let baselineRate = 0;
  if (values.seed !== 'sql' && baselineEvents > 0) {
    const aprilStart = shanghaiMidnight('2026-04-01')!.getTime();
    const started = performance.now();
    for (let done = 0; done < baselineEvents; done += 200) {
      await withTransaction(handle.db, async (tx) => {
        for (let i = done; i < Math.min(done + 200, baselineEvents); i++) await settlement.accrue(tx, eventOf(i, 'base', aprilStart, baselineEvents));
      });
    }
    baselineRate = baselineEvents / ((performance.now() - started) / 1000);
    console.log(`${label}: baseline, per-event accrue: ${baselineEvents.toLocaleString()} events at ${baselineRate.toFixed(0)} events/s`);
  }

  const duplicateEvery = duplicateShare > 0 ? Math.round(1 / duplicateShare) : 0;
  const distinct = values.seed === 'sql' ? events : events - (duplicateEvery > 1 ? Math.floor(events / duplicateEvery) : 0);
  console.log(
    `${label}: ${values.seed === 'sql' ? 'bulk-loading' : 'accruing'} ${events.toLocaleString()} events (${distinct.toLocaleString()} distinct) for ${institutionCount} institutions in March 2026, ` +
      (values.seed === 'sql' ? 'one transaction per institution…' : `${batch} per transaction, ${workers} drains at once…`),
  );
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
  // `workers` drains run at once, each over its own institutions (the locks are per institution
  // and month, so they never wait on each other); in each, every duplicateEvery-th event
  // re-delivers one of its recent events (a retry, in the same batch or the one before): it must post nothing
  let delivered = values.seed === 'sql' ? events : 0;
  const drain = async (worker: number) => {
    const seen: number[] = [];
    let pending: AccrualEvent[] = [];
    const flush = async () => {
      await withTransaction(handle.db, (tx) => settlement.accrueBatch(tx, pending));
      delivered += pending.length;
      pending = [];
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        console.log(`  ${delivered.toLocaleString()} events, ${((delivered * 1000) / (lastReport - accrueStart)).toFixed(0)} events/s`);
      }
    };
    for (let i = 0; i < distinct; i++) {
      if ((Math.floor(i / 3) % institutionCount) % workers !== worker) continue;
      pending.push(eventOf(i, 'bench', monthStart, distinct));
      seen.push(i);
      if (duplicateEvery > 1 && seen.length % (duplicateEvery - 1) === 0) pending.push(eventOf(seen[Math.max(0, seen.length - 1 - (seen.length % batch))]!, 'bench', monthStart, distinct));
      if (pending.length >= batch) await flush();
    }
    if (pending.length > 0) await flush();
  };
  if (values.seed !== 'sql') await Promise.all(Array.from({ length: workers }, (_, w) => drain(w)));
  const accrueSeconds = (performance.now() - accrueStart) / 1000;
  const closeStart = performance.now();
  const result = await statements.closeMonth('2026-03', { now: new Date('2026-04-01T02:00:00+08:00') });
  const closeSeconds = (performance.now() - closeStart) / 1000;
  const list = await statements.list({ period: '2026-03' });
  const lines = list.reduce((n, s) => n + s.lineCount, 0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const [ledger] = await queryRows<{ unbalanced: number; total: string; journals: number }>(
    handle.db,
    sql`select (select count(*)::int from (select 1 from ledger_entries group by journal_id, currency having sum(amount_fen) <> 0) u) as unbalanced,
               (select coalesce(sum(amount_fen), 0)::text from ledger_entries) as total,
               (select count(distinct journal_id)::int from commission_accruals where month = '2026-03') as journals`,
  );
  const [march] = await queryRows<{ accruals: number; keys: number; paid: number; amount: string }>(
    handle.db,
    sql`select count(*)::int as accruals, count(distinct source_key)::int as keys, count(*) filter (where amount_fen > 0)::int as paid, coalesce(sum(amount_fen), 0)::text as amount
          from commission_accruals where month = '2026-03'`,
  );
  const [totals] = await queryRows<{ off: number }>(
    handle.db,
    sql`select count(*)::int as off from commission_month_totals t
          full join (select institution_id, rule, month, count(*)::int as n, sum(amount_fen) as amount from commission_accruals group by 1, 2, 3) a
            using (institution_id, rule, month)
         where t.count is distinct from a.n or t.amount_fen is distinct from a.amount`,
  );
  // every accrual that earned something is covered by exactly one journal (its journal_id) and each
  // commission journal's receivable entries sum to the accruals it covers (one per batch,
  // institution and month on the batched path; one per accrual with --seed sql and on the baseline)
  const [cover] = await queryRows<{ bare: number; off: number }>(
    handle.db,
    sql`select (select count(*)::int from commission_accruals where (amount_fen > 0) <> (journal_id is not null)) as bare,
               (select count(*)::int from (
                  select journal_id, sum(amount_fen) as amount from ledger_entries
                   where account like 'receivable:%'
                     and journal_id in (select id from ledger_journals where kind like 'commission\\_%' and kind <> 'commission_reversal')
                   group by 1) e
                  full join (select journal_id, sum(amount_fen) as amount from commission_accruals where journal_id is not null group by 1) a using (journal_id)
                 where e.amount is distinct from a.amount) as off`,
  );
  const billed = list.reduce((n, s) => n + s.totalFen, 0);
  const checks: [string, boolean][] = [
    ['every journal balances, and the ledger sums to 0', ledger!.unbalanced === 0 && ledger!.total === '0'],
    [`one accrual per distinct source key (${march!.accruals.toLocaleString()} = ${distinct.toLocaleString()})`, march!.accruals === distinct && march!.keys === distinct],
    [
      `every accrual that earned something covered by one journal whose entries sum to the accruals it covers (${ledger!.journals.toLocaleString()} journals for ${march!.paid.toLocaleString()} accruals)`,
      cover!.bare === 0 && cover!.off === 0 && ledger!.journals > 0 && ledger!.journals <= march!.paid,
    ],
    [`statement totals = accruals (${billed} fen, ${lines.toLocaleString()} lines)`, String(billed) === march!.amount && lines === march!.accruals],
    ['month-to-date totals = the accruals they count', totals!.off === 0],
  ];
  const total = accrueSeconds + closeSeconds;
  const rate = delivered / accrueSeconds;
  console.log(`\n${label}`);
  console.log(`  events ${values.seed === 'sql' ? 'bulk-loaded' : 'accrued'}:        ${delivered.toLocaleString()} in ${accrueSeconds.toFixed(1)} s = ${rate.toFixed(0)} events/s`);
  if (baselineRate) console.log(`  per-event baseline:    ${baselineRate.toFixed(0)} events/s → batched path ${(rate / baselineRate).toFixed(1)}× the baseline`);
  console.log(`  statement run:         ${result.created.length} statements, ${lines.toLocaleString()} lines in ${closeSeconds.toFixed(2)} s (${(lines / closeSeconds).toFixed(0)} lines/s)`);
  console.log(`  accrual + close:       ${total.toFixed(1)} s (target < 60 s: ${total < 60 ? 'PASS' : 'FAIL'})`);
  console.log(`  peak memory (rss):     ${mb(peakRss)}`);
  for (const [name, ok] of checks) console.log(`  check: ${ok ? 'ok  ' : 'FAIL'} ${name}`);
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
} finally {
  clearInterval(sampler);
  await handle.close();
  await cleanup();
}
