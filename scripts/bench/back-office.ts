/**
 * Back-office pages on a year of data (a measurement, not a test: it exits 0 once it has run).
 *
 *   npx tsx scripts/bench/back-office.ts [--data-dir ./data/bench-year] [--database-url postgres://…]
 *        [--requests 20] [--warmup 2] [--target-ms 300] [--rebuild-days N] [--fill-days N] [generator sizes: --events --applications --loans --consumers --days]
 *
 * Opens the database (PGlite under --data-dir, or the PostgreSQL server at --database-url; the PII
 * key is read from --data-dir either way), generates a year of activity with generate-year.ts when it
 * holds none yet, builds the real app and serves it on loopback, signs in the demo operator (`admin`)
 * and an institution's admin (`huashang.admin`) through the JSON login, then requests each page
 * `--requests` times one after another (after `--warmup` unmeasured ones) and prints p50 / p95.
 *
 * Timing is server time, measured on the server side: from the moment Node hands the request to the
 * app to the response's `finish` (everything written), around the unchanged app — so the client's
 * parsing is not counted. The baseline, in the same run, is an authenticated trivial page
 * (`/admin/security`). RSS of the process (app + database when PGlite is embedded) is printed idle
 * after loading, and the peak while the pages are requested.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createApp } from '../../server/app';
import { queryRows } from '../../server/db/client';
import { shanghaiDate } from '../../server/lib/shanghai-date';
import { shiftDay } from '../../server/modules/analytics/bi-model';
import { generateYear, openYearContainer } from './generate-year';

const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: './data/bench-year' },
    'database-url': { type: 'string' },
    requests: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '2' },
    'target-ms': { type: 'string', default: '300' },
    events: { type: 'string', default: '1000000' },
    applications: { type: 'string', default: '100000' },
    loans: { type: 'string', default: '20000' },
    consumers: { type: 'string', default: '60000' },
    days: { type: 'string', default: '365' },
    /** rebuild the rollups of the last N days first (through the bi-rollup job's code), e.g. after an upgrade added a rollup */
    'rebuild-days': { type: 'string', default: '0' },
    /** roll up what the last N days miss (as the ticker does after an upgrade that added a rollup, e.g. the funnel rollup), before measuring */
    'fill-days': { type: 'string', default: '0' },
    /** measure only the pages whose path contains one of these comma-separated texts (e.g. `performance,statistics/staff`); a text ending in `$` must end the path (`/admin/$`: the 30-day dashboard only) */
    only: { type: 'string', default: '' },
  },
});
const int = (name: keyof typeof args) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
};
const requests = Math.max(1, int('requests'));
const warmup = int('warmup');
const targetMs = int('target-ms');
const log = (line: string) => process.stderr.write(`${line}\n`);
const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;

const container = await openYearContainer(args['data-dir']!, args['database-url']);
const db = container.database.db;
const [{ n: generated } = { n: 0 }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from accounts where login_hash like 'bench-year:%'`);
if (!generated) {
  log('no generated year in this database: generating one');
  await generateYear(container, { events: int('events'), applications: int('applications'), loans: int('loans'), consumers: int('consumers'), days: int('days'), rollup: true });
}
if (int('rebuild-days') > 0) {
  const t = performance.now();
  const today = shanghaiDate(new Date());
  const r = await container.services.bi.rebuild(shiftDay(today, -(int('rebuild-days') - 1)), today, new Date());
  log(`rollups rebuilt for ${r.days} days in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
if (int('fill-days') > 0) {
  const t = performance.now();
  const r = await container.services.bi.fillMissing(new Date(), int('fill-days'), int('fill-days'));
  log(`missing rollups of ${r.days} of the last ${int('fill-days')} days filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
if (int('rebuild-days') > 0 || int('fill-days') > 0) {
  // a bulk rebuild rewrites many rows (a borrower's applicant rows once per day that touched them): clean up as autovacuum would before measuring
  await db.execute(sql`vacuum analyze funnel_applicant_days, funnel_visitor_days, bi_daily_facts, product_daily_facts`);
}
const [counts] = await queryRows<Record<string, number>>(
  db,
  sql`select (select count(*) from catalogue_events)::int as events, (select count(*) from applications)::int as applications,
    (select count(*) from loans)::int as loans, (select count(*) from loan_instalments)::int as instalments, (select count(*) from bi_daily_facts)::int as rollup_rows`,
);
log(`data: ${Object.entries(counts ?? {}).map(([k, v]) => `${k} ${Number(v).toLocaleString('en')}`).join(', ')}`);

const app = createApp(container);
let current: number[] | null = null;
const server = http.createServer((req, res) => {
  const t = process.hrtime.bigint();
  const into = current;
  res.on('finish', () => into?.push(Number(process.hrtime.bigint() - t) / 1e6));
  app(req, res);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function signIn(surface: 'admin' | 'partner', username: string): Promise<string> {
  const res = await fetch(`${base}/api/${surface}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'Demo@2026' }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}
const operator = await signIn('admin', 'admin');
const institution = await signIn('partner', 'huashang.admin');

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
global.gc?.();
const idleRss = process.memoryUsage().rss;

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
async function measure(path: string, cookie: string): Promise<{ p50: number; p95: number; bytes: number }> {
  let bytes = 0;
  const get = async () => {
    const res = await fetch(`${base}${path}`, { headers: { cookie, accept: path.startsWith('/api/') ? 'application/json' : 'text/html' } });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${Buffer.from(body).toString().slice(0, 300)}`);
    bytes = body.byteLength;
  };
  for (let i = 0; i < warmup; i++) await get();
  const times: number[] = [];
  current = times;
  for (let i = 0; i < requests; i++) await get();
  current = null;
  times.sort((a, b) => a - b);
  return { p50: pct(times, 0.5), p95: pct(times, 0.95), bytes };
}

const allPages: [string, string, string][] = [
  ['operator dashboard /admin (30 days)', '/admin/', operator],
  ['operator dashboard /admin (90 days)', '/admin/?days=90', operator],
  ['operator dashboard /admin (366 days)', '/admin/?days=366', operator],
  ['dashboard API /api/admin/v1/dashboard (90 days)', '/api/admin/v1/dashboard?days=90', operator],
  ['overdue report /admin/loans/overdue', '/admin/loans/overdue', operator],
  ['partner statistics /partner/statistics (90 days)', '/partner/statistics?days=90', institution],
  ['partner statistics API (90 days)', '/api/partner/v1/statistics?days=90', institution],
  ['partner overdue /partner/loans/monitoring', '/partner/loans/monitoring', institution],
  ['partner staff performance /partner/statistics/staff (90 days)', '/partner/statistics/staff?days=90', institution],
  ['partner staff performance /partner/statistics/staff (366 days)', '/partner/statistics/staff?days=366', institution],
  ['operator performance /admin/performance (90 days)', '/admin/performance?days=90', operator],
  ['operator performance /admin/performance (366 days)', '/admin/performance?days=366', operator],
];
const matches = (path: string, part: string) => (part.endsWith('$') ? path.endsWith(part.slice(0, -1)) : path.includes(part));
const pages = allPages.filter(([, path]) => !args.only || args.only.split(',').some((part) => matches(path, part)));
try {
  const baseline = await measure('/admin/security', operator);
  const out = { push: (line: string) => process.stdout.write(`${line}\n`) };
  out.push(`back-office pages, ${requests} sequential requests each after ${warmup} warm-up; server time (request in → response finished, on the server), ms`);
  out.push(`database: ${args['database-url'] ? 'PostgreSQL server' : 'PGlite (embedded)'}; idle RSS after load ${mb(idleRss)}`);
  out.push('| page | p50 ms | p95 ms | p95 ÷ baseline p95 | KB | < ' + targetMs + ' ms p95 |');
  out.push('|---|---:|---:|---:|---:|:---:|');
  out.push(`| baseline: authenticated trivial page /admin/security | ${baseline.p50.toFixed(1)} | ${baseline.p95.toFixed(1)} | 1.0× | ${(baseline.bytes / 1024).toFixed(0)} | |`);
  let failed = 0;
  for (const [name, path, cookie] of pages) {
    const r = await measure(path, cookie);
    const ok = r.p95 < targetMs;
    if (!ok) failed += 1;
    out.push(`| ${name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${(r.p95 / baseline.p95).toFixed(1)}× | ${(r.bytes / 1024).toFixed(0)} | ${ok ? 'PASS' : 'FAIL'} |`);
  }
  out.push(`peak RSS while serving ${mb(peakRss)}; ${failed ? `${failed} page(s) over ${targetMs} ms at p95` : `every page under ${targetMs} ms at p95`}`);
} finally {
  clearInterval(sampler);
  server.close();
  await container.close();
}
