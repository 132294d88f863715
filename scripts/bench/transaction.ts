/**
 * Transaction overhead benchmark (a measurement, not a test: it always exits 0 once it has run).
 *
 *   npx tsx scripts/bench/transaction.ts [--rounds 10] [--per-round 500] [--database-url postgres://…]
 *
 * Opens one connection (an in-memory PGlite, or a pool of one on the PostgreSQL server) and two
 * drizzle handles over it: as the app makes it since 2026-12-07 (no relational schema), and the
 * baseline, as it was made before (`{ schema }`: drizzle then builds a relational query builder
 * for each of the 126 tables among server/db/schema.ts's 170 exports in every transaction).
 * Runs `--per-round` empty transactions (BEGIN; COMMIT) with each, alternating, `--rounds` times,
 * and prints this process's CPU time and the wall time per transaction of each, and the ratio.
 * With PGlite the database's own work is in this process's CPU time; with a server it is not.
 * Also prints this process's RSS (now and its peak).
 */
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { parseArgs } from 'node:util';
import * as schema from '../../server/db/schema';
import { positiveInt } from './lib/args';
import { rssLine, rssSampler } from './lib/rss';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '10' }, 'per-round': { type: 'string', default: '500' }, 'database-url': { type: 'string' } },
});
const rounds = positiveInt(args, 'rounds');
const perRound = positiveInt(args, 'per-round');

interface Handle {
  transaction(work: (tx: unknown) => Promise<void>): Promise<void>;
}

/** CPU and wall microseconds per empty transaction over `n` of them */
async function measure(db: Handle, n: number): Promise<{ cpu: number; wall: number }> {
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await db.transaction(async () => undefined);
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / n, wall: Number(process.hrtime.bigint() - t) / 1e3 / n };
}

async function main(): Promise<void> {
  const rss = rssSampler();
  const url = args['database-url'];
  const pool = url ? new pg.Pool({ connectionString: url, max: 1 }) : undefined;
  const client = url ? undefined : new PGlite();
  const app = (pool ? drizzlePg(pool) : drizzlePglite(client!)) as unknown as Handle;
  const before = (pool ? drizzlePg(pool, { schema }) : drizzlePglite(client!, { schema })) as unknown as Handle;
  await measure(app, perRound); // warm-up
  await measure(before, perRound);
  const sum = { app: { cpu: 0, wall: 0 }, before: { cpu: 0, wall: 0 } };
  for (let r = 0; r < rounds; r++) {
    for (const [name, db] of [['app', app], ['before', before]] as const) {
      const m = await measure(db, perRound);
      sum[name].cpu += m.cpu / rounds;
      sum[name].wall += m.wall / rounds;
    }
  }
  const f = (v: number) => v.toFixed(1);
  console.log(`transaction overhead — ${url ? 'PostgreSQL server, a pool of one' : 'PGlite in memory'}, ${rounds} × ${perRound} empty transactions each way, alternating`);
  console.log(`baseline (drizzle with the relational schema, ${Object.keys(schema).length} exports): ${f(sum.before.cpu)} µs CPU, ${f(sum.before.wall)} µs wall per transaction`);
  console.log(`the app's handle (no relational schema):               ${f(sum.app.cpu)} µs CPU, ${f(sum.app.wall)} µs wall per transaction`);
  console.log(`ratio app/baseline: CPU ${(sum.app.cpu / sum.before.cpu).toFixed(3)}, wall ${(sum.app.wall / sum.before.wall).toFixed(3)}`);
  console.log(rssLine(rss));
  rss.stop();
  await pool?.end();
  await client?.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
