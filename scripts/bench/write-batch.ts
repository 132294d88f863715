/**
 * Write-batch rendering benchmark (a measurement, not a test: it always exits 0 once it has run).
 *
 *   npx tsx scripts/bench/write-batch.ts [--rounds 3000] [--rows 12]
 *
 * Builds, on an in-memory PGlite handle, a write batch shaped like a multi-apply's (plain
 * multi-row inserts with text, null, jsonb and timestamp values, raw SQL with values, an insert
 * with ON CONFLICT, two NOTIFYs; ~200 values with the default 12 rows) and renders its one
 * statement `--rounds` times each way, alternating: drizzle's SQL tree (`togetherByDrizzle` +
 * `sqlToQuery`, the baseline, as executeTogether did before) and `renderTogether`
 * (server/db/write-batch-sql.ts). Prints the time per batch of each, the ratio, and checks that
 * both gave the same text and values. Nothing is sent to the database.
 */
import { sql, type SQLWrapper } from 'drizzle-orm';
import { parseArgs } from 'node:util';
import { drizzleInternals, openDatabase, togetherByDrizzle, type Database } from '../../server/db/client';
import { renderTogether } from '../../server/db/write-batch-sql';
import { auditLog } from '../../server/modules/audit/audit.schema';
import { riskFlags, riskSignals } from '../../server/modules/risk/risk.schema';
import { positiveInt } from './lib/args';
import { rssLine, rssSampler } from './lib/rss';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3000' }, rows: { type: 'string', default: '12' } } });
const rounds = positiveInt(args, 'rounds');
const rows = positiveInt(args, 'rows');
const at = new Date('2026-12-07T03:00:00.000Z');

function batch(db: Database, n: number): SQLWrapper[] {
  const ids = Array.from({ length: n }, (_, i) => i);
  return [
    db.insert(riskSignals).values(ids.map((i) => ({ kind: 'application' as const, accountId: 'acc', applicationId: `app-${i}`, deviceHash: 'dev', ipHash: 'ip', createdAt: at }))),
    db.insert(auditLog).values(ids.map((i) => ({ actorKind: 'consumer', actorId: 'acc', action: 'application.created', objectType: 'application', objectId: `app-${i}`, detail: { productId: `prd-${i}`, fields: ['realName', 'phone'] }, requestId: 'req', ip: '127.0.0.1', createdAt: at }))),
    sql`insert into ${riskFlags} (account_id, code, detail) select ${'acc'}, 'shared_device', ${JSON.stringify({ accounts: 3 })}::jsonb where ${2}::int > ${1}::int`,
    db.insert(riskFlags).values({ accountId: 'acc', code: 'application_burst', detail: { n: 2 } }).onConflictDoNothing(),
  ];
}

async function main(): Promise<void> {
  const rss = rssSampler();
  const handle = await openDatabase({});
  const db = handle.db;
  const { dialect } = drizzleInternals(db);
  const notes = [
    { channel: 'dc_webhooks', payload: 'ins-1' },
    { channel: 'dc_commissions', payload: '' },
  ];
  const writes = batch(db, rows);
  const slowOnce = dialect.sqlToQuery(togetherByDrizzle(writes, notes));
  const fastOnce = renderTogether(dialect, writes, notes);
  const same = fastOnce !== undefined && fastOnce.sql === slowOnce.sql && JSON.stringify(fastOnce.params) === JSON.stringify(slowOnce.params);

  const time = { drizzle: 0, render: 0 };
  const warm = Math.min(500, rounds);
  for (let r = -warm; r < rounds; r++) {
    // builders made as a submission makes them, one batch for each way, outside the timing
    const forDrizzle = batch(db, rows);
    const forRender = batch(db, rows);
    const a = performance.now();
    dialect.sqlToQuery(togetherByDrizzle(forDrizzle, notes));
    const b = performance.now();
    renderTogether(dialect, forRender, notes);
    const c = performance.now();
    if (r >= 0) {
      time.drizzle += b - a;
      time.render += c - b;
    }
  }
  await handle.close();
  rss.stop();
  const per = (ms: number) => ((ms / rounds) * 1000).toFixed(1);
  process.stdout.write(
    [
      '',
      `write-batch rendering — ${rows} rows per insert, ${slowOnce.params.length} values, ${slowOnce.sql.length} characters; ${rounds} rounds each way, alternating, after ${warm} warm-up rounds (node ${process.version})`,
      `baseline: drizzle's SQL tree (togetherByDrizzle + sqlToQuery) ... ${per(time.drizzle)} µs per batch`,
      `renderTogether ................................................ ${per(time.render)} µs per batch`,
      `renderTogether / baseline time: ${(time.render / time.drizzle).toFixed(3)} (${(time.drizzle / time.render).toFixed(1)}× as fast)`,
      `same text and values: ${same ? 'yes' : 'NO'}`,
      rssLine(rss),
      '',
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
