/**
 * The demo seed's rows, to check that a faster seed writes the same data: seeds a fresh embedded
 * database (PGlite in a temporary DATA_DIR, the child's way: write-only search index, no tickers),
 * then prints per table the row count and an md5 over the columns that do not change from one
 * run to the next (uuid, time, bytea and jsonb columns and ids, times, hashes, keys and ciphertexts
 * by their names left out; rows sorted by their text), and
 * the seed's wall and CPU time. Two runs of the same code print the same digests except for the
 * few tables holding random text (ids inside text, salts, ciphertexts); compare before/after.
 *
 *   npx tsx scripts/bench/seed-digest.ts [--json out.json]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../server/config';
import { createContainer } from '../../server/container';
import { seedDemo } from '../../server/demo/seed-demo';
import { queryRows } from '../../server/db/client';
import { rssLine, rssSampler } from './lib/rss';
import { WriteOnlySearchIndex } from '../../server/modules/search';

const { values } = parseArgs({ options: { json: { type: 'string' } } });
const rss = rssSampler();
const dataDir = mkdtempSync(path.join(tmpdir(), 'daichao-seed-digest-'));
try {
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: randomBytes(32).toString('hex'), REDIS_URL: '' });
  const container = await createContainer(config, { search: new WriteOnlySearchIndex(), tickers: false });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await seedDemo(container.services);
  const wallMs = performance.now() - t0;
  const { user, system } = process.cpuUsage(cpu);
  // the catalogue's buffered events, written on close in the real child: written now, to be counted
  await container.services.catalogue.flushEvents();
  const db = container.database.db;
  const columns = await queryRows<{ table_name: string; column_name: string; data_type: string }>(
    db,
    sql`select table_name, column_name, data_type from information_schema.columns
         where table_schema = 'public' and table_name in (select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE')
         order by table_name, ordinal_position`,
  );
  const skipped = /^(uuid|timestamp|date|bytea|jsonb|json|interval|time)/;
  // ids (text ids are random), times, hashes, tokens and ciphertexts differ on every run
  const randomName = /(^id$|_id$|_ids$|_at$|hash|token|secret|_enc$|cipher|nonce|key$)/;
  const tables = new Map<string, string[]>();
  for (const c of columns) {
    const list = tables.get(c.table_name) ?? [];
    if (!skipped.test(c.data_type) && !randomName.test(c.column_name)) list.push(c.column_name);
    tables.set(c.table_name, list);
  }
  const out: Record<string, { rows: number; digest: string }> = {};
  for (const [table, cols] of [...tables.entries()].sort()) {
    const row = cols.length ? sql.raw(`row(${cols.map((c) => `"${c}"`).join(', ')})::text`) : sql.raw(`''`);
    const [r] = await queryRows<{ n: number; d: string | null }>(
      db,
      sql`select count(*)::int as n, md5(coalesce(string_agg(x, '|' order by x), '')) as d from (select ${row} as x from ${sql.raw(`"${table}"`)}) s`,
    );
    if (r!.n > 0) out[table] = { rows: r!.n, digest: r!.d!.slice(0, 12) };
  }
  for (const [table, { rows, digest }] of Object.entries(out)) process.stdout.write(`${table.padEnd(40)} ${String(rows).padStart(6)}  ${digest}\n`);
  process.stdout.write(`seed: ${Math.round(wallMs)} ms wall, ${Math.round((user + system) / 1000)} ms CPU\n${rssLine(rss)}\n`);
  if (values.json) writeFileSync(values.json, JSON.stringify(out, null, 1));
  await container.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
