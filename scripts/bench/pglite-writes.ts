/**
 * PGlite buffered-write benchmark (a measurement, not a test: it always exits 0 once it has run).
 *
 *   npx tsx scripts/bench/pglite-writes.ts [--events 300000] [--rows 100] [--rounds 2]
 *
 * On the embedded default every statement runs on the serving thread, so the longest statement
 * is how long every request waits behind it. This writes `--events` search events through the
 * catalogue's own statement (CatalogueRepository.insertEvents, `--rows` per statement; by default
 * WRITE_CHUNK, as the buffered writes send them) into a fresh on-disk PGlite, migrated as `npm start` migrates it,
 * and times each statement. Each round runs twice, alternating: with PGlite's own settings (the
 * baseline) and with the app's (PGLITE_SETTINGS in server/db/client.ts: wal_init_zero=off), each
 * in its own fresh data directory. Prints per run the events/s, each statement's p50, p99 and
 * longest time, how many took 20 ms or more, and the ratios against the baseline of the same round.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PGLITE_SETTINGS, openDatabase } from '../../server/db/client';
import { CatalogueRepository, type BufferedEvent } from '../../server/modules/catalogue/catalogue.repository';
import { WRITE_CHUNK } from '../../server/modules/catalogue/catalogue.service';
import { positiveInt } from './lib/args';
import { rssLine, rssSampler } from './lib/rss';
import { searchEvents } from './lib/search-events';

const { values: args } = parseArgs({ options: { events: { type: 'string', default: '300000' }, rows: { type: 'string', default: String(WRITE_CHUNK) }, rounds: { type: 'string', default: '2' } } });
const events = positiveInt(args, 'events');
const rowsPerStatement = positiveInt(args, 'rows');
const rounds = positiveInt(args, 'rounds');
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Run {
  seconds: number;
  statements: number[];
}

async function run(settings: Readonly<Record<string, string>>, batch: BufferedEvent[]): Promise<Run> {
  const dir = mkdtempSync(path.join(tmpdir(), 'daichao-pglite-writes-'));
  try {
    const handle = await openDatabase({ dir: path.join(dir, 'pglite'), pgliteSettings: settings });
    await handle.migrate();
    const repo = new CatalogueRepository(handle.db);
    const statements: number[] = [];
    const started = performance.now();
    for (let i = 0; i < batch.length; i += rowsPerStatement) {
      const t = performance.now();
      await repo.insertEvents(batch.slice(i, i + rowsPerStatement));
      statements.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    await handle.close();
    return { seconds, statements };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function figures(r: Run) {
  const sorted = [...r.statements].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { perSecond: events / r.seconds, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]!, over20: sorted.filter((t) => t >= 20).length };
}

async function main(): Promise<void> {
  const rss = rssSampler();
  const batch = searchEvents(events, 20_261_207);
  const app = Object.entries(PGLITE_SETTINGS).map(([k, v]) => `${k}=${v}`).join(' ');
  const lines: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}: ${events} events, ${rowsPerStatement} per statement, baseline then the app's settings …`);
    const base = figures(await run({}, batch));
    const ours = figures(await run(PGLITE_SETTINGS, batch));
    for (const [label, f] of [["PGlite's own settings (baseline)", base], [`the app's: ${app}`, ours]] as const) {
      lines.push(`round ${round}  ${label.padEnd(36)} ${f.perSecond.toFixed(0).padStart(7)} events/s  statement p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, longest ${f.max.toFixed(1)} ms, ${f.over20} of ${Math.ceil(events / rowsPerStatement)} ≥ 20 ms`);
    }
    lines.push(`round ${round}  the app's / baseline: events/s ${(ours.perSecond / base.perSecond).toFixed(3)}, p99 ${(ours.p99 / base.p99).toFixed(3)}, longest ${(ours.max / base.max).toFixed(3)}`);
  }
  rss.stop();
  process.stdout.write(
    ['', `PGlite buffered writes — ${events} search events through CatalogueRepository.insertEvents, ${rowsPerStatement} per statement, on disk (node ${process.version})`, ...lines, rssLine(rss), ''].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
