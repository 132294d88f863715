/**
 * PGlite statement benchmark (a measurement, not a test: it always exits 0 once it has run).
 *
 *   npx tsx scripts/bench/pglite-statement.ts [--statements 3000] [--rounds 3] [--wasm-compiler baseline|optimizing]
 *
 * What one statement costs the thread PGlite runs on (the database thread of the embedded default,
 * server/db/pglite-thread.ts; here PGlite is opened on the bench's own thread to time it), the way
 * drizzle sends it: with its keep-the-text type parsers in the query's options. The baseline is PGlite's own `query`
 * (the code before): it copies its 300–450 parsers into a merged set for every query, and parses
 * and plans every statement again. The app's way is `client.query` as `streamlineQueries`
 * (server/db/pglite-queries.ts) leaves it: the parsers installed on the instance once, and a
 * parameterised statement prepared once, then bound and executed in one call. Both run on the same
 * migrated on-disk PGlite (compiled as `npm start` compiles it unless `--wasm-compiler` says
 * otherwise), alternating, `--rounds` times: `select 1` (no parameters: only the copy differs),
 * a parameterised read of five rows with a timestamp, a date and a number by an index, and the
 * repository's write of a batch of 100 catalogue events (one 15 KB JSON parameter: the app binds it
 * with node's UTF-8 calls, PGlite's writer counts it out in JavaScript; a tenth as many runs). Prints µs
 * per statement (one caller, one after another, so wall time is the serving thread's time) and
 * CPU µs per statement, and the ratios against the baseline of the same round.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite, type QueryOptions } from '@electric-sql/pglite';
import { loadConfig } from '../../server/config';
import { drizzleInternals, openDatabase, type Database } from '../../server/db/client';
import { insertEventsSql } from '../../server/modules/catalogue/catalogue.repository';
import { WRITE_CHUNK } from '../../server/modules/catalogue/catalogue.service';
import { drizzlePgliteOptions } from '../../test/support/drizzle-pglite-options';
import { positiveInt } from './lib/args';
import { rssLine, rssSampler } from './lib/rss';
import { searchEvents } from './lib/search-events';

const { values: args } = parseArgs({
  options: {
    statements: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    'wasm-compiler': { type: 'string' },
  },
});
const statements = positiveInt(args, 'statements');
const rounds = positiveInt(args, 'rounds');
const log = (line: string) => process.stderr.write(`${line}\n`);

/** a statement the bench sends: its text, fresh parameters for each run, and how many runs (of --statements) */
interface Statement {
  text: string;
  params: () => unknown[];
  runs: number;
  /** run after each timing of it (untimed): what keeps the next timings of every statement on the same data */
  cleanUp?: string[];
}

const BATCH_VISITOR = '0b5e4c2a-7d1f-4e8b-9a3c-5f6d7e8f9a0b';

/** a batch of buffered catalogue events as the serving thread writes them: WRITE_CHUNK searches, one JSON parameter */
let batches = 0;
const eventBatch = () => searchEvents(WRITE_CHUNK, ++batches, { visitor: BATCH_VISITOR, atMs: Date.now() });

function statementsOn(db: Database): Record<string, Statement> {
  const batch = drizzleInternals(db).dialect.sqlToQuery(insertEventsSql(eventBatch()));
  return {
    'select 1': { text: 'select 1', params: () => [], runs: statements },
    'five rows by an index': {
      text: 'select id, created_at, created_at::date as day, result_count from catalogue_events where visitor = $1 order by id desc limit 5',
      params: () => ['bench-visitor'],
      runs: statements,
    },
    // the repository's own statement; each run writes WRITE_CHUNK rows, so a tenth as many runs
    [`${WRITE_CHUNK} catalogue events`]: {
      text: batch.sql,
      params: () => [JSON.stringify(eventBatch())],
      runs: Math.max(20, Math.round(statements / 10)),
      cleanUp: [`delete from catalogue_events where visitor = '${BATCH_VISITOR}'`, 'vacuum analyze catalogue_events'],
    },
  };
}

type Send = (text: string, params: unknown[], options: QueryOptions) => Promise<unknown>;

async function measure(send: Send, statement: Statement, drizzleOptions: () => QueryOptions): Promise<{ us: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < statement.runs; i++) await send(statement.text, statement.params(), drizzleOptions());
  const used = process.cpuUsage(cpu);
  return { us: ((performance.now() - started) * 1000) / statement.runs, cpuUs: (used.user + used.system) / statement.runs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'daichao-pglite-statement-'));
  const rss = rssSampler();
  try {
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir, LOG_LEVEL: 'silent', PGLITE_WASM_COMPILER: args['wasm-compiler'] });
    const handle = await openDatabase({ dir: path.join(dir, 'pglite'), wasmCompiler: config.pgliteWasmCompiler, pgliteThread: 'caller' });
    await handle.migrate();
    const client = (handle.db as unknown as { $client: PGlite }).$client;
    // what drizzle passes with a select's query (row mode array and its keep-the-text parsers)
    const drizzleOptions = drizzlePgliteOptions(handle.db, 'array');
    await client.query(
      `insert into catalogue_events (kind, channel, visitor, query, result_count, created_at)
       select 'search', 'api', 'bench-visitor', '信用', g, now() - g * interval '1 minute' from generate_series(1, 20) g`,
    );
    const baseline: Send = (text, params, options) => PGlite.prototype.query.call(client, text, params, options);
    const app: Send = (text, params, options) => client.query(text, params, options);
    // both ways once first: the first statements compile and warm PGlite's caches
    const timed = statementsOn(handle.db);
    for (const statement of Object.values(timed)) {
      for (const send of [baseline, app]) for (let i = 0; i < 200; i++) await send(statement.text, statement.params(), drizzleOptions());
      for (const step of statement.cleanUp ?? []) await client.exec(step);
    }

    const lines: string[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const [name, statement] of Object.entries(timed)) {
        log(`round ${round}: ${name} …`);
        const before = await measure(baseline, statement, drizzleOptions);
        for (const step of statement.cleanUp ?? []) await client.exec(step);
        const after = await measure(app, statement, drizzleOptions);
        for (const step of statement.cleanUp ?? []) await client.exec(step);
        lines.push(
          `${String(round).padStart(5)}  ${name.padEnd(22)} ${before.us.toFixed(1).padStart(9)} ${before.cpuUs.toFixed(1).padStart(9)} ${after.us.toFixed(1).padStart(9)} ${after.cpuUs.toFixed(1).padStart(9)}` +
            `   ${(after.us / before.us).toFixed(3)}  ${(after.cpuUs / before.cpuUs).toFixed(3)}`,
        );
      }
    }
    await handle.close();
    console.log(`\nPGlite statement benchmark — ${statements} statements a way per round (the event batch: ${timed[`${WRITE_CHUNK} catalogue events`]!.runs}), one caller, ${config.pgliteWasmCompiler} WebAssembly compiler, node ${process.version}`);
    console.log(`PGlite's parsers after the migrations: ${Object.keys(client.parsers).length}`);
    console.log("round  statement              PGlite's query (baseline): µs  CPU µs    streamlined: µs  CPU µs   ratio µs  CPU");
    for (const line of lines) console.log(line);
    console.log(rssLine(rss));
    rss.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
