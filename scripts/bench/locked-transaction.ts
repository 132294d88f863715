/**
 * Locked-transaction benchmark (a measurement, not a test: it always exits 0 once it has run).
 *
 *   npx tsx scripts/bench/locked-transaction.ts [--database-url postgres://postgres@127.0.0.1:5432/test]
 *                                               [--transactions 3000] [--connections 10] [--rounds 4]
 *
 * A submission's transaction as the app runs it on the PostgreSQL server (`transactionLocked`: the
 * connection pipelined, `begin`, the per-borrower advisory lock and the first read sent in one
 * write, the last statement and `commit` in another) against the baseline, the code before it
 * (drizzle's `transaction()`: `begin`, the lock, the read, the last statement and `commit`, each
 * sent after the answer to the one before). Each transaction takes the lock, runs a parameterised
 * read (the submission's reads) and a `select 1` (its write batch) and commits. `--connections`
 * callers run `--transactions` each way, alternating, `--rounds` times, on one pool. Prints
 * transactions/s, this process's CPU per transaction and the PostgreSQL server's (when it runs on
 * this machine), and the ratios against the baseline of the same round.
 */
import { sql } from 'drizzle-orm';
import { parseArgs } from 'node:util';
import { drizzleInternals, openDatabase, queryRows, type Database } from '../../server/db/client';
import { transactionLocked } from '../../server/db/locked-transaction';
import { positiveInt } from './lib/args';
import { cpuPerAnswer, postgresCpuMs } from './lib/cpu';
import { rssLine, rssSampler } from './lib/rss';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    transactions: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '4' },
  },
});
const transactions = positiveInt(args, 'transactions');
const connections = positiveInt(args, 'connections');
const rounds = positiveInt(args, 'rounds');

type Way = (db: Database, key: string) => Promise<void>;

/** what runs under the lock: a parameterised read, then one more statement */
const read = (tx: Database) => queryRows(tx, sql`select count(*) from pg_class where relname = ${'locked_bench'}`);
const last = (tx: Database) => tx.execute(sql`select 1`);
const lastRendered = (tx: Database) => drizzleInternals(tx).dialect.sqlToQuery(sql`select 1`);
const baseline: Way = (db, key) =>
  db.transaction(async (tx) => {
    await queryRows(tx, sql`select pg_advisory_xact_lock(hashtext(${key})), now() as now`);
    await read(tx);
    await last(tx);
  });
const locked: Way = (db, key) => transactionLocked(db, key, { read, work: async ({ tx, commitWith }) => commitWith(lastRendered(tx)) });

async function run(db: Database, way: Way) {
  let next = 0;
  const pgBefore = postgresCpuMs();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, caller) => {
      while (next < transactions) {
        next++;
        await way(db, `bench:${caller}:${next % 50}`);
      }
    }),
  );
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: (transactions / ms) * 1000, nodeMs: (cpu.user + cpu.system) / 1000 / transactions, pgMs: cpuPerAnswer(pgBefore, postgresCpuMs(), transactions) };
}

async function main(): Promise<void> {
  const rss = rssSampler();
  const handle = await openDatabase({ url: args['database-url'], poolMax: connections });
  const lines: string[] = [];
  const f = (n: number, d = 3) => (Number.isNaN(n) ? 'n/a' : n.toFixed(d));
  try {
    await locked(handle.db, 'bench:warm-up');
    for (let round = 1; round <= rounds; round++) {
      const base = await run(handle.db, baseline);
      const ours = await run(handle.db, locked);
      for (const [label, r] of [['baseline: drizzle transaction(), 5 round trips', base], ['transactionLocked: pipelined, 2 round trips', ours]] as const) {
        lines.push(`round ${round}  ${label.padEnd(46)} ${f(r.perSecond, 0).padStart(6)} transactions/s, this process ${f(r.nodeMs)} ms CPU, PostgreSQL ${f(r.pgMs)} ms CPU per transaction`);
      }
      lines.push(`round ${round}  transactionLocked / baseline: transactions/s ${f(ours.perSecond / base.perSecond)}, this process's CPU ${f(ours.nodeMs / base.nodeMs)}, PostgreSQL's ${f(ours.pgMs / base.pgMs)}`);
    }
  } finally {
    await handle.close();
  }
  rss.stop();
  process.stdout.write(
    ['', `locked transactions — ${transactions} each way per round, ${connections} callers on a pool of ${connections}, lock + 2 statements + commit (node ${process.version})`, ...lines, rssLine(rss), ''].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
