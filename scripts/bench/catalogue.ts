/**
 * Catalogue search benchmark (a measurement, not a test: it always exits 0 once it has run).
 *
 *   npx tsx scripts/bench/catalogue.ts [--products 10000] [--duration 10] [--connections 10]
 *                                      [--institutions 40] [--queries 50000] [--samples 5000] [--warmup 2]
 *                                      [--load-concurrency 16] [--database-url postgres://…]
 *                                      [--typical-duration 30] [--profile DIR] [--plain]
 *
 * Builds the real app on a fresh PGlite in a temporary data directory (on disk, as `npm start` keeps it), loads deterministic generated products
 * through the catalogue service, then in one process and against one app:
 *   - autocannon on GET /healthz (baseline) and on GET /api/v1/products with a mix of Chinese
 *     queries and filters, each request taking the next of `--queries` distinct query strings;
 *     the baseline runs again after the searches, and the ratios are against the mean of its two
 *     runs (the host's speed drifts between runs; both are printed, and the ratio against each);
 *   - the typical mix: 500 of those queries drawn by a Zipf law, from empty caches, for one lifetime
 *     of a kept result (30 s): as many full searches per request as steady traffic, where each
 *     popular query is searched again once per lifetime (a shorter run from cold holds more);
 *   - searchListed() called directly for the same query mix (no HTTP), cache invalidated
 *     before each call so every sample is a real search.
 * Every request sends a browser's Accept-Encoding (with --plain, none): the API answers repeats of
 * anonymous lists gzipped. Each HTTP run also prints the bytes received per response, the main
 * (serving) thread's CPU time per request, from /proc, and how busy the serving thread and the load
 * generator's were (both share the machine's cores: the load generator keeps no response bodies,
 * and builds the typical mix's requests once per connection, as it does a single URL's).
 * Targets (issue 18): every query distinct ≥ 0.5 × the baseline's requests/s with p99 ≤ 20 ms;
 * the typical mix ≥ 0.8 ×; in-process p99 ≤ 5 ms at 10,000 products (≤ 20 ms from 100,000).
 * The app is served from this process: its RSS (process.memoryUsage().rss) is sampled every
 * 100 ms and printed after the load, at its peak and at the end.
 * With --profile DIR, the serving thread's CPU profile of each measured HTTP run is written to
 * DIR/<run>.cpuprofile and its allocations to DIR/<run>.heapprofile (open both in Chrome DevTools;
 * profiling slows the run, so its figures are not the bench's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { Request } from 'express';
import { createApp } from '../../server/app';
import { listenLocally } from '../../server/http/app-server';
import { loadConfig } from '../../server/config';
import { createContainer, type Container } from '../../server/container';
import { openDatabase, type DatabaseHandle } from '../../server/db/client';
import { productListQuery } from '../../server/http/api/schemas';
import { toSearchQuery } from '../../server/http/catalogue-query';
import { SEARCH_CACHE_SECONDS, repaymentMethods } from '../../server/modules/catalogue';
import { searchSorts } from '../../server/modules/search';
import type { CatalogueQuery } from '../../server/modules/catalogue';
import { benchCategories, createRng, generateInstitutions, generateProducts } from './generate-products';
import { positiveInt as positiveIntOf } from './lib/args';
import { freshDatabase } from './lib/fresh-database';
import { cpuPerAnswer, mainThreadCpuMs, threadCpuMs } from './lib/cpu';
import { rssSampler } from './lib/rss';
import { startProfile } from './lib/profile';

const { values: args } = parseArgs({
  options: {
    products: { type: 'string', default: '10000' },
    institutions: { type: 'string', default: '40' },
    duration: { type: 'string', default: '10' },
    /** the typical mix's run: by default one lifetime of a kept result (SEARCH_CACHE_SECONDS) */
    'typical-duration': { type: 'string', default: String(SEARCH_CACHE_SECONDS) },
    connections: { type: 'string', default: '10' },
    queries: { type: 'string', default: '50000' },
    samples: { type: 'string', default: '5000' },
    warmup: { type: 'string', default: '2' },
    'load-concurrency': { type: 'string', default: '16' },
    /** a PostgreSQL server to run on instead of in-process PGlite: a fresh database is created on it and dropped after */
    'database-url': { type: 'string' },
    /** write the serving thread's CPU profile of each measured HTTP run to this directory */
    profile: { type: 'string' },
    /** send no Accept-Encoding (every answer plain) instead of a browser's */
    plain: { type: 'boolean', default: false },
  },
});
const positiveInt = (name: keyof typeof args, min = 1): number => positiveIntOf(args, name, min);
const opts = {
  products: positiveInt('products'),
  institutions: positiveInt('institutions'),
  duration: positiveInt('duration'),
  connections: positiveInt('connections'),
  queries: Math.max(500, positiveInt('queries')),
  samples: positiveInt('samples'),
  warmup: positiveInt('warmup', 0),
  typicalDuration: positiveInt('typical-duration'),
  loadConcurrency: positiveInt('load-concurrency'),
};

/** the first-party visitor cookie a returning browser sends (set on its first visit) */
const VISITOR_COOKIE = `dc_vid=${'0b5e4c2a-7d1f-4e8b-9a3c-5f6d7e8f9a0b'}`;
/** the compressions a browser accepts (Chrome's header); --plain sends none, as curl does */
const ACCEPT_ENCODING = args.plain ? undefined : 'gzip, deflate, br, zstd';
const now = () => process.hrtime.bigint();
const msSince = (t: bigint) => Number(now() - t) / 1e6;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** RSS of this process (it serves the requests), sampled every 100 ms */
const rss = rssSampler();
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

function percentile(sorted: Float64Array, q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------
// query mix

/** words people type, mixed with brand names, Latin fragments and the odd typo */
const queryWords = [
  '闪电贷', '装修', '信用', '华商', '经营', '车贷', '薪', '公积金', '房抵', '分期', '免抵押', '随借随还',
  '先息后本', '明湖', '安和', '消费', '新能源', '低息', '装修贷款', '我想借钱', 'e贷', '税易贷', '小微',
  '家装', '车主', '工薪', '额度高', '秒批', '公积金贷款', '经营贷 先息后本', '速融', '禾信', '信用贷',
  '消费分期', '购车', '抵押', '社保', '发票', '个体户', '旅游', '数码', '白领', '极速', 'pro', 'plus',
  '房子抵押', '装修分期', '企业主', '网商', '随心借', '华商银行', '农商', '小贷', '汽车金融', '30万', '精英',
  'pluss', '装修带款', 'e贷 pro',
];
const amountsYuan = [3_000, 5_000, 10_000, 20_000, 30_000, 50_000, 80_000, 100_000, 200_000, 300_000, 500_000, 1_000_000, 2_000_000];
const termChoices = [3, 6, 12, 12, 24, 36, 60, 120];
const aprChoices = ['0.08', '0.1', '0.12', '0.15', '0.18', '0.2', '0.24', '0.36'];

interface MixEntry {
  path: string;
  query: CatalogueQuery;
}

/** `count` query strings whose search queries (hence cache keys) are all distinct; deterministic. */
async function buildQueryMix(container: Container, count: number, seed = 20_260_103): Promise<MixEntry[]> {
  const rng = createRng(seed);
  const noVisitor = { account: undefined } as unknown as Request; // only read for eligible=1, never sent here
  const seen = new Set<string>();
  const out: MixEntry[] = [];
  for (let attempts = 0; out.length < count; attempts++) {
    if (attempts > count * 20) throw new Error(`could only build ${out.length} distinct queries`);
    const p = new URLSearchParams();
    if (rng.chance(0.8)) p.set('q', rng.pick(queryWords));
    if (rng.chance(0.5)) p.set('amount', String(rng.pick(amountsYuan)));
    if (rng.chance(0.4)) p.set('termMonths', String(rng.pick(termChoices)));
    if (rng.chance(0.35)) p.set('aprMax', rng.pick(aprChoices));
    if (rng.chance(0.35)) p.set('category', rng.some(benchCategories, rng.chance(0.75) ? 1 : 2).join(','));
    if (rng.chance(0.2)) p.set('repayment', rng.pick(repaymentMethods));
    if (rng.chance(0.4)) p.set('sort', rng.pick(searchSorts));
    const page = rng.next();
    if (page > 0.6) p.set('page', String(page > 0.95 ? rng.int(4, 10) : rng.int(2, 3)));
    const input = productListQuery.parse(Object.fromEntries(p));
    const query = await toSearchQuery(container.services, noVisitor, input);
    const key = JSON.stringify(query);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: `/api/v1/products?${p.toString()}`, query });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// phases

async function load(container: Container): Promise<{ seconds: number; perProductMs: number; listed: number }> {
  const { institutions, catalogue } = container.services;
  const started = now();
  const insts = [];
  for (const inst of generateInstitutions(opts.institutions)) insts.push(await institutions.create(inst));
  const products = generateProducts(opts.products, insts);
  log(`generated ${products.length} products in ${(msSince(started) / 1000).toFixed(1)} s`);
  const insertStarted = now();
  await catalogue.createMany(products); // validated and priced one by one, inserted in batches, indexed once
  const perProductMs = msSince(insertStarted) / products.length;
  return { seconds: msSince(started) / 1000, perProductMs, listed: catalogue.allListed().length };
}

interface HttpFigures {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  /** bytes received per response, headers included */
  bytesPerResponse: number;
  /** CPU time of the serving (main) thread per completed request, ms; NaN where /proc is missing */
  cpuMsPerRequest: number;
  /** how busy the serving thread and autocannon's thread were over the run (CPU time / run time, 1 = a whole core); NaN where /proc is missing */
  busy: { app: number; load: number };
  /** the serving thread's event-loop stalls during the run: p99 and longest, ms (what every request waiting then waited) */
  stall: { p99: number; max: number };
}

/**
 * One autocannon run, in a worker thread (its own event loop, so it does not steal the app's).
 * autocannon's own latency histogram has whole-millisecond resolution, so the percentiles printed
 * come from the per-response times it emits (2xx only, as autocannon counts).
 */
async function cannon(label: string, base: string, duration: number, paths?: string[], path = '/healthz', prebuilt = false): Promise<HttpFigures & { sent: number }> {
  const profiler = label === 'warm-up' ? undefined : await startProfile(args.profile);
  const figures = await cannonRun(label, base, duration, paths, path, prebuilt);
  if (profiler) log(`  CPU profile: ${await profiler.stop(label)}`);
  return figures;
}

function cannonRun(label: string, base: string, duration: number, paths: string[] | undefined, path: string, prebuilt: boolean): Promise<HttpFigures & { sent: number }> {
  const cpuBefore = mainThreadCpuMs();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./cannon-worker.mjs', import.meta.url), {
      workerData: { url: `${base}${path}`, connections: opts.connections, duration, paths, prebuilt, cookie: VISITOR_COOKIE, acceptEncoding: ACCEPT_ENCODING },
    });
    worker.once('error', reject);
    type Finished = { error?: string; rps: number; non2xx: number; errors: number; total: number; bytes: number; sent: number; latencies: Float64Array; seconds: number };
    /** autocannon's thread: its id and CPU time when it started */
    let load: { tid: string | undefined; cpuBefore: number | undefined } | undefined;
    worker.on('message', (m: Finished | { started: string | undefined }) => {
      if ('started' in m) {
        load = { tid: m.started, cpuBefore: m.started === undefined ? undefined : threadCpuMs(m.started) };
        return;
      }
      const loadCpuAfter = load?.tid === undefined ? undefined : threadCpuMs(load.tid);
      void worker.terminate();
      if (m.error) return reject(new Error(m.error));
      const sorted = m.latencies.sort();
      const cpuAfter = mainThreadCpuMs();
      const cpuMsPerRequest = cpuPerAnswer(cpuBefore, cpuAfter, m.total);
      const share = (before: number | undefined, after: number | undefined) => (before !== undefined && after !== undefined ? (after - before) / (m.seconds * 1000) : NaN);
      const busy = { app: share(cpuBefore, cpuAfter), load: share(load?.cpuBefore, loadCpuAfter) };
      loop.disable();
      const stall = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
      resolve({ label, rps: m.rps, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), non2xx: m.non2xx, errors: m.errors, total: m.total, bytesPerResponse: m.total > 0 ? m.bytes / m.total : NaN, sent: m.sent, cpuMsPerRequest, busy, stall });
    });
  });
}

function inProcess(container: Container, mix: MixEntry[]) {
  const cache = container.shared.cache;
  const catalogue = container.services.catalogue;
  return async (n: number, offset: number): Promise<Float64Array> => {
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const { query } = mix[(offset + i) % mix.length]!;
      await cache.invalidate('catalogue'); // every sample a real search, not a cache hit
      const t = now();
      await catalogue.searchListed(query);
      times[i] = msSince(t);
    }
    return times.sort();
  };
}


async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'daichao-bench-'));
  let container: Container | undefined;
  let server: Server | undefined;
  let database: { handle: DatabaseHandle; drop(): Promise<void> } | undefined;
  try {
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_DEMO: 'never', PGLITE_WASM_COMPILER: process.env.PGLITE_WASM_COMPILER });
    database = args['database-url'] ? await freshDatabase(args['database-url']) : undefined;
    container = await createContainer(config, { database: database?.handle ?? (await openDatabase({ dir: path.join(dataDir, 'pglite'), wasmCompiler: config.pgliteWasmCompiler })) });

    log(`loading ${opts.institutions} institutions and ${opts.products} products via catalogue.create …`);
    const loaded = await load(container);
    const rssLoaded = process.memoryUsage.rss();

    // count search-result cache hits during the HTTP run (a wrapper around the cache's get, nothing else changes)
    const cache = container.shared.cache;
    const counts = { hits: 0, misses: 0 };
    const get = cache.get.bind(cache);
    cache.get = async <T>(ns: string, key: string): Promise<T | undefined> => {
      const v = await get<T>(ns, key);
      if (ns === 'catalogue') counts[v === undefined ? 'misses' : 'hits']++;
      return v;
    };

    const mixStarted = now();
    const mix = await buildQueryMix(container, opts.queries);
    log(`built ${mix.length} distinct query strings in ${(msSince(mixStarted) / 1000).toFixed(1)} s`);

    const app = createApp(container);
    server = await listenLocally(app);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // sanity: a few of the paths answer 200 with results
    for (const { path: p } of mix.slice(0, 3)) {
      const res = await fetch(`${base}${p}`);
      const body = (await res.json()) as { total?: number };
      log(`  ${res.status} total=${body.total}  ${decodeURIComponent(p)}`);
      if (res.status !== 200) throw new Error(`sanity request failed: ${res.status} ${JSON.stringify(body)}`);
    }

    // each run takes the next unused slice of the mix, so no query string repeats across runs
    let cursor = 0;
    const nextPaths = () => {
      const rest = mix.slice(cursor % mix.length).concat(mix.slice(0, cursor % mix.length)).map((m) => m.path);
      return rest;
    };

    if (opts.warmup > 0) {
      log(`warm-up ${opts.warmup} s each …`);
      await cannon('warm-up', base, opts.warmup);
      cursor += (await cannon('warm-up', base, opts.warmup, nextPaths(), mix[0]!.path)).sent;
      await cache.invalidate('catalogue');
    }
    const warmupPaths = cursor;
    counts.hits = 0;
    counts.misses = 0;

    log(`baseline GET /healthz: ${opts.duration} s, ${opts.connections} connections …`);
    const baseline = await cannon('baseline /healthz, before', base, opts.duration);
    log(`search GET /api/v1/products?…: ${opts.duration} s, ${opts.connections} connections …`);
    const searchStart = cursor;
    const search = await cannon('search /api/v1/products', base, opts.duration, nextPaths(), mix[0]!.path);
    cursor += search.sent;
    const searchPaths = cursor - searchStart;
    const httpCache = { ...counts };

    // typical traffic: popular searches repeat. 500 distinct queries drawn by a Zipf law (s = 1),
    // as query logs are; the kept lists and the search-result cache then answer the repeats. The run
    // starts with both empty (as after a product change) and lasts one lifetime of a kept result, so
    // it holds as many full searches as steady traffic does: each popular query searched once per lifetime.
    await container.services.catalogue.invalidateResults();
    counts.hits = 0;
    counts.misses = 0;
    const popular = mix.slice(0, 500).map((m) => m.path);
    const weights = popular.map((_, i) => 1 / (i + 1));
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const rng = createRng(7);
    const zipfPaths = Array.from({ length: 50_000 }, () => {
      let x = rng.next() * totalWeight;
      for (let i = 0; i < weights.length; i++) if ((x -= weights[i]!) <= 0) return popular[i]!;
      return popular[popular.length - 1]!;
    });
    log(`search (typical mix, Zipf over 500 queries): ${opts.typicalDuration} s …`);
    const typical = await cannon('search, typical mix (Zipf)', base, opts.typicalDuration, zipfPaths, zipfPaths[0], true);
    const typicalCache = { ...counts };
    // the host's speed drifts from run to run (the same code has measured /healthz from 4,000 to
    // 13,000 req/s on this machine): a second baseline after the searches brackets them
    log(`baseline GET /healthz again, after the searches: ${opts.duration} s …`);
    const baselineAfter = await cannon('baseline /healthz, after', base, opts.duration);

    log(`in-process searchListed: ${opts.samples} samples …`);
    const measure = inProcess(container, mix);
    await measure(Math.min(500, mix.length), 0); // warm-up
    const inproc = await measure(opts.samples, 0);
    const rssEnd = process.memoryUsage.rss();
    const rssPeak = rss.peak();
    rss.stop();

    // ---- report (stdout)
    const f = (v: number, d = 2) => v.toFixed(d);
    const percent = (share: number) => (Number.isNaN(share) ? '–' : `${Math.round(share * 100)}%`);
    const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));
    const lpad = (s: string, n: number) => ' '.repeat(Math.max(0, n - s.length)) + s;
    const lines: string[] = [];
    lines.push('');
    lines.push(`catalogue search benchmark — ${loaded.listed} listed products, ${opts.institutions} institutions, ${args['database-url'] ? 'PostgreSQL server' : `PGlite on disk (${config.pgliteWasmCompiler} WebAssembly compiler, PGLITE_WASM_COMPILER)`}, memory search index`);
    lines.push(
      `node ${process.version}, ${opts.connections} connections, ${opts.duration} s per run (the typical mix ${opts.typicalDuration} s, from empty caches); ` +
        `${opts.warmup} s warm-up of the baseline and the distinct mix first`,
    );
    lines.push(`load: ${f(loaded.seconds, 1)} s total (catalogue.createMany: ${f(loaded.perProductMs)} ms per product, priced, inserted in batches, indexed once)`);
    lines.push('');
    lines.push(`${pad('run', 28)}${lpad('req/s', 10)}${lpad('p50 ms', 9)}${lpad('p99 ms', 9)}${lpad('non-2xx', 9)}${lpad('errors', 8)}${lpad('requests', 10)}${lpad('bytes/resp', 11)}${lpad('CPU ms/req', 12)}${lpad('busy app/load', 15)}${lpad('stall p99/max ms', 18)}`);
    search.label = 'search, all distinct (cold)';
    for (const r of [baseline, search, typical, baselineAfter]) {
      lines.push(`${pad(r.label, 28)}${lpad(f(r.rps, 0), 10)}${lpad(f(r.p50), 9)}${lpad(f(r.p99), 9)}${lpad(String(r.non2xx), 9)}${lpad(String(r.errors), 8)}${lpad(String(r.total), 10)}${lpad(f(r.bytesPerResponse, 0), 11)}${lpad(f(r.cpuMsPerRequest, 3), 12)}${lpad(`${percent(r.busy.app)} / ${percent(r.busy.load)}`, 15)}${lpad(`${f(r.stall.p99, 1)} / ${f(r.stall.max, 1)}`, 18)}`);
    }
    // the ratios are against the mean of the two baseline runs, which bracket the searches
    const baselineRps = (baseline.rps + baselineAfter.rps) / 2;
    const baselineCpu = (baseline.cpuMsPerRequest + baselineAfter.cpuMsPerRequest) / 2;
    const ratio = search.rps / baselineRps;
    const typicalRatio = typical.rps / baselineRps;
    const against = (rps: number) => `${f(rps / baseline.rps, 3)} before, ${f(rps / baselineAfter.rps, 3)} after`;
    lines.push(
      `search/baseline requests/s (against the mean of the two baseline runs): cold ${f(ratio, 3)}, typical ${f(typicalRatio, 3)}` +
        `  (against each: cold ${against(search.rps)}; typical ${against(typical.rps)})`,
    );
    lines.push(
      `baseline/search serving-thread CPU per request (the ratio where the serving thread is the limit): cold ${f(baselineCpu / search.cpuMsPerRequest, 3)}, typical ${f(baselineCpu / typical.cpuMsPerRequest, 3)}`,
    );
    lines.push('(req/s: completed requests / run time; latencies: percentiles of every 2xx response time — autocannon\'s own histogram rounds to whole ms;');
    lines.push(' autocannon runs in a worker thread of this process: its own event loop, the app keeps the main one;');
    lines.push(` every request carries a visitor cookie, as a returning browser does, and ${ACCEPT_ENCODING ? `Accept-Encoding: ${ACCEPT_ENCODING} (--plain: none)` : 'no Accept-Encoding (--plain)'};`);
    lines.push(' bytes/resp: bytes received per response, headers included;');
    lines.push(' busy app/load: CPU time / run time of the serving thread and of autocannon\'s thread (100% = a whole core; the two share this machine\'s cores:');
    lines.push('  a run whose app is well under 100% while the load is near it measured the load generator as much as the app);');
    lines.push(' stall: the serving thread\'s event-loop delay during the run (perf_hooks, 1 ms resolution), p99 and longest)');
    lines.push('');
    lines.push(
      `search-result cache (${SEARCH_CACHE_SECONDS} s TTL, keyed by the whole query): ${mix.length} distinct query strings, ` +
        `${searchPaths} sent in the search run (${warmupPaths} in warm-up); cache hits ${httpCache.hits}, misses ${httpCache.misses}` +
        ` (${f((100 * httpCache.hits) / Math.max(1, httpCache.hits + httpCache.misses), 1)}% hits)`,
    );
    const fromBodyCache = Math.max(0, typical.total - typicalCache.hits - typicalCache.misses);
    lines.push(
      `typical mix: ${typicalCache.misses} full searches (${f((100 * typicalCache.misses) / Math.max(1, typical.total), 1)}% of requests), ${typicalCache.hits} search-result cache hits, ` +
        `${fromBodyCache} answered from the anonymous list-body cache (${SEARCH_CACHE_SECONDS} s, dropped when results change)`,
    );
    lines.push('  every search with q also records one catalogue event (buffered, written in batches) — part of the HTTP figure');
    lines.push('');
    lines.push(
      `in-process catalogue.searchListed (no HTTP, cache invalidated before each call), ${inproc.length} samples of the same mix: ` +
        `p50 ${f(percentile(inproc, 0.5), 3)} ms, p90 ${f(percentile(inproc, 0.9), 3)} ms, p99 ${f(percentile(inproc, 0.99), 3)} ms, max ${f(percentile(inproc, 1), 3)} ms`,
    );
    lines.push(`RSS of the serving process: ${mb(rssLoaded)} after the load, peak ${mb(rssPeak)}, ${mb(rssEnd)} at the end`);
    lines.push('');
    const p99 = percentile(inproc, 0.99);
    const inprocTarget = opts.products >= 100_000 ? 20 : 5;
    const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    lines.push(`target: in-process search p99 ≤ ${inprocTarget} ms ............................ ${pass(p99 <= inprocTarget)} (${f(p99, 3)} ms)`);
    lines.push(`target: every query distinct ≥ 0.5 × baseline req/s, p99 ≤ 20 ms  ${pass(ratio >= 0.5 && search.p99 <= 20)} (${f(ratio, 3)}, p99 ${f(search.p99)} ms)`);
    lines.push(`target: typical mix ≥ 0.8 × baseline req/s ......................  ${pass(typicalRatio >= 0.8)} (${f(typicalRatio, 3)})`);
    if (search.non2xx || baseline.non2xx || typical.non2xx || baselineAfter.non2xx) lines.push('note: non-2xx responses were counted — the figures above include them');
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await container?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
