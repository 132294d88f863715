/**
 * Applying benchmark (issue 18, target 2): signed-in borrowers multi-applying over the real HTTP API.
 *
 *   npm run bench:applications -- [--borrowers 300] [--institutions 30] [--products-per-institution 2]
 *                                 [--duration 10] [--connections 10] [--warmup 2] [--serial 20] [--database-url postgres://…]
 *                                 [--list-statements] [--profile DIR]
 *
 * Builds the real app in this process on a fresh in-memory PGlite (or a fresh database created on
 * the PostgreSQL server at --database-url, dropped afterwards), then:
 *   - seeds through the services: institutions, each with a CPL agreement and a webhook endpoint,
 *     products open to every adult, and `--borrowers` consumer accounts that accepted the
 *     agreements, verified their identity and filled in their profile (as the demo seed does);
 *   - signs every borrower in through POST /api/v1/auth/login (real sessions, real cookies);
 *   - autocannon, in a worker thread, on GET /api/v1/me with those cookies (baseline: an
 *     authenticated no-op), then on POST /api/v1/applications: each request one borrower applying
 *     to three products of three institutions, with the consents and a unique Idempotency-Key;
 *   - `--serial` more multi-applies one at a time: the latency of one, and (on PostgreSQL) its SQL statements
 *     and the socket writes that carried them (its round trips: pipelined statements share one);
 *   - runs the commission drainer as the worker does (woken at commit), and waits for it to finish;
 *   - CHECKS afterwards that every application has its lead, consent, release, CPL accrual,
 *     webhook outbox row, audit row and submitted event, and that every 201 kept its key; exits 1
 *     when a count does not match (and 0 otherwise: the targets are printed, not enforced).
 * Target on the PostgreSQL server: ≥ 500 applications/s, p99 < 100 ms, 0 errors.
 * With --profile DIR, the serving thread's CPU profile of the baseline and of the apply run is
 * written to DIR (lib/profile.ts; a profiled run's figures are not the bench's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { createApp } from '../../server/app';
import { listenLocally } from '../../server/http/app-server';
import { countDatabaseWrites } from '../../test/support/database-writes';
import { loadConfig } from '../../server/config';
import { createContainer, type Container } from '../../server/container';
import { openDatabase, poolMaxFromEnv, type DatabaseHandle } from '../../server/db/client';
import { idCheckCharacter } from '../../server/modules/identity';
import { standardApplicationFields } from '../../server/modules/consents';
import type { AuditActor } from '../../server/modules/audit';
import pg from 'pg';
import { openBenchProduct } from './lib/bench-product';
import { positiveInt as positiveIntOf } from './lib/args';
import { rssSampler } from './lib/rss';
import { freshDatabase } from './lib/fresh-database';
import { cpuPerAnswer, mainThreadCpuMs, postgresCpuMs } from './lib/cpu';
import { startProfile } from './lib/profile';
import { CommissionDrainer } from '../../server/modules/settlement';

const { values: args } = parseArgs({
  options: {
    borrowers: { type: 'string', default: '300' },
    institutions: { type: 'string', default: '30' },
    'products-per-institution': { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    /** multi-applies sent one at a time after the load, for the latency of one and its statement count */
    serial: { type: 'string', default: '20' },
    /** a PostgreSQL server to run on instead of in-process PGlite: a fresh database is created on it and dropped after */
    'database-url': { type: 'string' },
    /** print the SQL statements of the last one-at-a-time multi-apply (on the PostgreSQL server) */
    'list-statements': { type: 'boolean', default: false },
    /** write the serving thread's CPU profile of the baseline and the apply run to this directory */
    profile: { type: 'string' },
  },
});
const positiveInt = (name: keyof typeof args, min = 1): number => positiveIntOf(args, name, min);
const opts = {
  borrowers: positiveInt('borrowers'),
  institutions: positiveInt('institutions', 3),
  productsPerInstitution: positiveInt('products-per-institution'),
  duration: positiveInt('duration'),
  connections: positiveInt('connections'),
  warmup: positiveInt('warmup', 0),
  serial: positiveInt('serial', 0),
};

const PASSWORD = 'Bench-apply-58-sky';
const CPL_FEN = 2_000;
const PER_REQUEST = 3;
const system: AuditActor = { kind: 'system', id: 'bench-applications' };
const now = () => process.hrtime.bigint();
const msSince = (t: bigint) => Number(now() - t) / 1e6;
const log = (line: string) => process.stderr.write(`${line}\n`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function percentile(sorted: Float64Array, q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!, i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------
// seeding, through the services

interface Seeded {
  institutions: { id: string; products: { id: string; minAmountFen: number; terms: number[] }[] }[];
  borrowers: { id: string; phone: string }[];
}

async function seed(container: Container, receiverUrl: string): Promise<Seeded> {
  const { institutions, settlement, catalogue, webhooks, accounts, contracts, identity } = container.services;
  const insts: Seeded['institutions'] = [];
  const products = [];
  for (let i = 0; i < opts.institutions; i++) {
    const inst = await institutions.create({ name: `压测银行${i + 1}股份有限公司`, shortName: `压测银行${i + 1}`, kind: 'bank' });
    await settlement.createAgreement({ institutionId: inst.id, cplFen: CPL_FEN, cpaFen: 10_000, cpsRate: '0.015', effectiveFrom: new Date('2026-01-01T00:00:00Z') });
    await webhooks.setEndpoint(inst.id, receiverUrl, system);
    insts.push({ id: inst.id, products: [] });
    for (let p = 0; p < opts.productsPerInstitution; p++) {
      products.push(openBenchProduct(inst.id, `压测银行${i + 1}信用贷${p + 1}号`));
    }
  }
  await catalogue.createMany(products);
  for (const row of catalogue.allListed()) {
    insts.find((x) => x.id === row.institutionId)!.products.push({ id: row.id, minAmountFen: row.minAmountFen, terms: row.termOptions });
  }

  const agreed = await contracts.currentAgreements();
  const cities = ['上海', '北京', '成都', '杭州', '深圳'];
  const borrowers = await inBatches(
    Array.from({ length: opts.borrowers }, (_, i) => i),
    8,
    async (i) => {
      const phone = `139${String(10_000_000 + i).slice(-8)}`;
      const account = await accounts.registerConsumer({ phone, password: PASSWORD, displayName: `压测用户${i}` });
      await contracts.acceptAgreements(account.id, { userAgreement: agreed.user_agreement.version, privacyPolicy: agreed.privacy_policy.version }, { ip: '127.0.0.1' });
      // a distinct ID number per borrower: born 1970-01-01 plus i days (ages about 29 to 56), sequence by the ten-thousands
      const birth = new Date(Date.UTC(1970, 0, 1 + (i % 10_000))).toISOString().slice(0, 10).replaceAll('-', '');
      const first17 = `310104${birth}${String(100 + Math.floor(i / 10_000)).slice(-3)}`;
      await identity.verify(account.id, { realName: '王小明', idNumber: first17 + idCheckCharacter(first17) }, system);
      const summary = await identity.summary(account.id);
      await accounts.saveProfile(account.id, {
        city: cities[i % cities.length]!,
        monthlyIncomeFen: 1_200_000,
        employment: '上班族',
        housing: '租房',
        monthlyDebtFen: 100_000,
        creditSelfAssessment: 'good',
        age: summary.age ?? null,
      });
      return { id: account.id, phone };
    },
  );
  return { institutions: insts, borrowers };
}

/** Signs a borrower in through the login API; returns the session cookie. */
async function signIn(base: string, phone: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, password: PASSWORD }) });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 200 || !cookie) throw new Error(`login failed for ${phone}: ${res.status} ${await res.text()}`);
  return cookie;
}

interface Prepared {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Every multi-apply the run may send: round k takes, for each borrower, three products of three
 * different institutions that borrower has not applied to yet (so none is a 30-day duplicate);
 * consecutive requests belong to different borrowers.
 */
function applyPlans(seeded: Seeded, cookies: string[]): Prepared[] {
  const slots = seeded.institutions.length * opts.productsPerInstitution;
  const rounds = Math.floor(slots / PER_REQUEST);
  const out: Prepared[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let b = 0; b < seeded.borrowers.length; b++) {
      const picked = [];
      for (let j = 0; j < PER_REQUEST; j++) {
        // slot s → institution s % I, that institution's product ⌊s / I⌋: three consecutive slots are three institutions
        const s = (round * PER_REQUEST + j + b * PER_REQUEST) % slots;
        const inst = seeded.institutions[s % seeded.institutions.length]!;
        picked.push({ inst, product: inst.products[Math.floor(s / seeded.institutions.length)]! });
      }
      const body = {
        products: picked.map(({ product }) => ({ productId: product.id, amount: (product.minAmountFen * 3) / 100, termMonths: product.terms[1] ?? product.terms[0]! })),
        purpose: '消费',
        consents: picked.map(({ inst }) => ({ institutionId: inst.id, fields: standardApplicationFields })),
      };
      out.push({
        method: 'POST',
        path: '/api/v1/applications',
        headers: { cookie: cookies[b]!, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(body),
      });
    }
  }
  return out;
}

interface Run {
  label: string;
  seconds: number;
  rps: number;
  /** responses with the run's success status */
  ok: number;
  failed: number;
  errors: number;
  p50: number;
  p99: number;
  sent: number;
  exhausted: boolean;
  statuses: Record<string, number>;
  /** CPU per counted answer, ms: this process's serving thread, and the PostgreSQL server's processes when it runs on this machine (NaN otherwise) */
  cpu: { app: number; postgres: number };
  /** the serving thread's event-loop stalls during the run: p99 and longest, ms (what every request waiting then waited) */
  stall: { p99: number; max: number };
}

/** One autocannon run in a worker thread; `success` is the status counted as done, 200s of the filler are left out of an apply run. */
async function cannon(label: string, base: string, duration: number, requests: Prepared[], cycle: boolean, success: number): Promise<Run> {
  const profiler = label.startsWith('warm-up') ? undefined : await startProfile(args.profile);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const before = { app: mainThreadCpuMs(), postgres: postgresCpuMs() };
  const run = await cannonRun(label, base, duration, requests, cycle, success);
  const after = { app: mainThreadCpuMs(), postgres: postgresCpuMs() };
  loop.disable();
  if (profiler) log(`  CPU profile: ${await profiler.stop(label)}`);
  return {
    ...run,
    cpu: { app: cpuPerAnswer(before.app, after.app, run.ok), postgres: cpuPerAnswer(before.postgres, after.postgres, run.ok) },
    stall: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
  };
}

function cannonRun(label: string, base: string, duration: number, requests: Prepared[], cycle: boolean, success: number): Promise<Omit<Run, 'cpu' | 'stall'>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./lib/keyed-cannon-worker.mjs', import.meta.url), {
      workerData: { url: base, connections: opts.connections, duration, requests, cycle, fillerPath: '/healthz' },
    });
    worker.once('error', reject);
    worker.once(
      'message',
      (m: { error?: string; seconds: number; errors: number; timeouts: number; sent: number; exhausted: boolean; statuses: Record<string, number>; latencies: Float64Array }) => {
        void worker.terminate();
        if (m.error) return reject(new Error(m.error));
        const sorted = m.latencies.sort();
        const ok = m.statuses[success] ?? 0;
        const failed = Object.entries(m.statuses).reduce((n, [status, count]) => n + (Number(status) === success || (!cycle && Number(status) === 200) ? 0 : count), 0);
        resolve({ label, seconds: m.seconds, rps: ok / m.seconds, ok, failed, errors: m.errors + m.timeouts, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), sent: m.sent, exhausted: m.exhausted, statuses: m.statuses });
      },
    );
  });
}

// ---------------------------------------------------------------------------------------
// the check: every application has what the use case promises

interface Check {
  name: string;
  expected: number;
  actual: number;
}

/**
 * What the database holds after the runs. A multi-apply whose answer was still on its way when a
 * run ended is committed but not counted as acknowledged by autocannon, so the expected number of
 * applications is three per kept 201 Idempotency-Key, and every acknowledged one must be among them.
 */
async function checkCounts(container: Container, acknowledged: number, sent: number): Promise<Check[]> {
  const one = (query: ReturnType<typeof sql>) => countOf(container, query);
  const keys = await one(sql`select count(*) as n from idempotency_keys where status_code = 201`);
  const apps = await one(sql`select count(*) as n from applications`);
  return [
    { name: 'multi-applies kept with 201 (≥ acknowledged, ≤ sent)', expected: Math.min(Math.max(keys, acknowledged), sent), actual: keys },
    { name: 'applications (leads), 3 per 201', expected: keys * PER_REQUEST, actual: apps },
    { name: '  with their consent row', expected: apps, actual: await one(sql`select count(*) as n from applications a join consents c on c.id = a.consent_id and c.application_id = a.id`) },
    { name: '  with a data release', expected: apps, actual: await one(sql`select count(distinct r.application_id) as n from data_releases r join applications a on a.id = r.application_id`) },
    { name: '  with a submitted event', expected: apps, actual: await one(sql`select count(distinct e.application_id) as n from application_events e where e.to_status = 'submitted'`) },
    {
      name: '  with one CPL accrual (posted)',
      expected: apps,
      actual: await one(sql`select count(*) as n from commission_accruals c join applications a on a.id = c.application_id where c.rule = 'cpl' and c.amount_fen = ${CPL_FEN} and c.journal_id is not null`),
    },
    { name: '  with a lead.created outbox row', expected: apps, actual: await one(sql`select count(distinct w.payload->>'leadId') as n from webhook_deliveries w join applications a on a.id = w.payload->>'leadId' where w.event = 'lead.created'`) },
    { name: '  with an audit row', expected: apps, actual: await one(sql`select count(distinct l.object_id) as n from audit_log l join applications a on a.id = l.object_id where l.action = 'application.created'`) },
    { name: 'CPL journals in the ledger', expected: apps, actual: await one(sql`select count(*) as n from ledger_journals where kind = 'commission_cpl'`) },
    { name: 'webhook outbox rows in all', expected: apps, actual: await one(sql`select count(*) as n from webhook_deliveries`) },
  ];
}

/** The `n` a counting query answers. */
async function countOf(container: Container, query: ReturnType<typeof sql>): Promise<number> {
  const result = await container.database.db.execute(query);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: string | number }[];
  return Number(rows[0]!.n);
}

/** Waits until no Idempotency-Key is in flight any more (at most a minute). */
async function settled(container: Container): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await countOf(container, sql`select count(*) as n from idempotency_keys where status_code is null`)) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('requests still in flight a minute after the run');
}

/**
 * Time spent inside the submission (SubmissionService.apply) and, within it, queueing the CPL
 * (SettlementService.queueAccruals), summed over calls; and, on the PostgreSQL server, the
 * statements sent (every pg client of this process) and the socket writes that carried them (the
 * round trips: pipelined statements share one). Wrappers around the calls, nothing else changes.
 */
function meter(container: Container) {
  const totals = { applyMs: 0, queueMs: 0, applies: 0, statements: 0 };
  /** the text of each statement since the last reset */
  let texts: string[] = [];
  const { submission, settlement } = container.services;
  const apply = submission.apply.bind(submission);
  submission.apply = async (...a: Parameters<typeof apply>) => {
    const t = now();
    try {
      return await apply(...a);
    } finally {
      totals.applyMs += msSince(t);
      totals.applies++;
    }
  };
  const queue = settlement.queueAccruals.bind(settlement);
  settlement.queueAccruals = async (...a: Parameters<typeof queue>) => {
    const t = now();
    try {
      return await queue(...a);
    } finally {
      totals.queueMs += msSince(t);
    }
  };
  // the socket writes of the pg clients (round trips)
  const writes = countDatabaseWrites();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
    totals.statements++;
    const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string } | undefined)?.text;
    texts.push((text ?? '?').replace(/\s+/g, ' ').slice(0, 160));
    return (query as (...x: unknown[]) => unknown).apply(this, a);
  } as typeof query;
  return {
    reset: () => {
      Object.assign(totals, { applyMs: 0, queueMs: 0, applies: 0, statements: 0 });
      writes.reset();
      texts = [];
    },
    read: () => ({ ...totals, writes: writes.count() }),
    statements: () => texts,
  };
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'daichao-bench-apply-'));
  let container: Container | undefined;
  let server: Server | undefined;
  let receiver: Server | undefined;
  let database: { handle: DatabaseHandle; drop(): Promise<void> } | undefined;
  const rss = rssSampler();
  const stopDrainer = new AbortController();
  try {
    const config = loadConfig({
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
      SEED_DEMO: 'never',
      PGLITE_WASM_COMPILER: process.env.PGLITE_WASM_COMPILER,
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      // every borrower signs in from this one address
      LOGIN_RATE_LIMIT: String(opts.borrowers * 2),
    });
    const onServer = Boolean(args['database-url']);
    database = args['database-url'] ? await freshDatabase(args['database-url'], 'dc_bench_apply') : undefined;
    container = await createContainer(config, { database: database?.handle ?? (await openDatabase({ wasmCompiler: config.pgliteWasmCompiler })) });

    // the institutions' receiver (the dispatcher runs in the worker role, not here: the outbox rows wait)
    const { createServer } = await import('node:http');
    receiver = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    log(`seeding ${opts.institutions} institutions × ${opts.productsPerInstitution} products and ${opts.borrowers} verified borrowers …`);
    const seedStarted = now();
    const seeded = await seed(container, receiverUrl);
    const seedSeconds = msSince(seedStarted) / 1000;

    // the commission drainer, as the worker role runs it: woken by each commit that queued a CPL
    const drainer = new CommissionDrainer(container.services.settlement);
    await drainer.listen(stopDrainer.signal);

    const app = createApp(container);
    server = await listenLocally(app);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    log(`signing ${seeded.borrowers.length} borrowers in through POST /api/v1/auth/login …`);
    const cookies = await inBatches(seeded.borrowers, 4, (b) => signIn(base, b.phone));
    const plans = applyPlans(seeded, cookies);

    // sanity: the first plan answers 201 with three applications (it counts in the check below)
    const first = plans.shift()!;
    const sanity = await fetch(`${base}${first.path}`, { method: first.method, headers: first.headers, body: first.body });
    const sanityBody = (await sanity.json()) as { applications?: unknown[] };
    if (sanity.status !== 201 || sanityBody.applications?.length !== PER_REQUEST) throw new Error(`sanity apply failed: ${sanity.status} ${JSON.stringify(sanityBody)}`);

    const me = cookies.map((cookie) => ({ method: 'GET', path: '/api/v1/me', headers: { cookie } }));
    if (opts.warmup > 0) {
      log(`warm-up ${opts.warmup} s each …`);
      await cannon('warm-up', base, opts.warmup, me, true, 200);
    }
    const idleRss = process.memoryUsage.rss();
    rss.reset();
    log(`baseline GET /api/v1/me (signed in): ${opts.duration} s, ${opts.connections} connections …`);
    const baseline = await cannon('baseline GET /api/v1/me', base, opts.duration, me, true, 200);
    const baselinePeak = rss.peak();

    let applyPlansLeft = plans;
    let warm: Run | undefined;
    if (opts.warmup > 0) {
      warm = await cannon('warm-up apply', base, opts.warmup, applyPlansLeft, false, 201);
      applyPlansLeft = applyPlansLeft.slice(warm.sent);
    }
    rss.reset();
    const meters = meter(container);
    log(`apply POST /api/v1/applications (3 products each): ${opts.duration} s, ${opts.connections} connections, ${applyPlansLeft.length} prepared requests …`);
    const apply = await cannon('multi-apply POST /api/v1/applications', base, opts.duration, applyPlansLeft, false, 201);
    const applyPeak = rss.peak();
    const metered = meters.read();
    const queuedAtEnd = await countOf(container, sql`select count(*) as n from commission_outbox`);

    // the answers autocannon stopped waiting for: their requests finish on their own
    await settled(container);

    // one at a time, nothing else running (the drainer paused, what it had queued accrued first): a
    // multi-apply's own latency and the exact statements of its request path
    stopDrainer.abort();
    await container.services.settlement.drainAccruals({ wait: true });
    const serialPlans = applyPlansLeft.slice(apply.sent, apply.sent + opts.serial);
    meters.reset();
    const serialTimes = new Float64Array(serialPlans.length);
    let serialOk = 0;
    let lastStatements: string[] = [];
    for (const [i, r] of serialPlans.entries()) {
      const before = meters.statements().length;
      const t = now();
      const res = await fetch(`${base}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
      await res.arrayBuffer();
      serialTimes[i] = msSince(t);
      if (res.status === 201) serialOk++;
      lastStatements = meters.statements().slice(before);
    }
    const serial = { ...meters.read(), ok: serialOk, times: serialTimes.sort() };

    const acknowledged = 1 + (warm?.ok ?? 0) + apply.ok + serialOk;
    const sent = 1 + (warm?.sent ?? 0) + apply.sent + serialPlans.length;
    // every queued CPL accrued before the rows are counted (the serial applications' CPL: the drainer's statements per application)
    meters.reset();
    const drained = await container.services.settlement.drainAccruals({ wait: true });
    const drainStatements = meters.read().statements;
    const checks = await checkCounts(container, acknowledged, sent);
    const mismatched = checks.filter((c) => c.expected !== c.actual);

    // ---- report (stdout)
    const f = (v: number, d = 2) => v.toFixed(d);
    const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));
    const lpad = (s: string, n: number) => ' '.repeat(Math.max(0, n - s.length)) + s;
    const lines: string[] = [''];
    lines.push(
      `applications benchmark — ${onServer ? 'PostgreSQL server' : `in-memory PGlite (${config.pgliteWasmCompiler} WebAssembly compiler, PGLITE_WASM_COMPILER)`}${onServer ? ` (pool ${poolMaxFromEnv()})` : ''}, ` +
        `${opts.institutions} institutions × ${opts.productsPerInstitution} products, ${seeded.borrowers.length} signed-in borrowers`,
    );
    lines.push(`node ${process.version}, ${opts.connections} connections, ${opts.duration} s per run (after ${opts.warmup} s warm-up each); seeding took ${f(seedSeconds, 1)} s`);
    lines.push('');
    lines.push(`${pad('run', 40)}${lpad('req/s', 9)}${lpad('apps/s', 9)}${lpad('p50 ms', 9)}${lpad('p99 ms', 9)}${lpad('failed', 8)}${lpad('errors', 8)}${lpad('done', 8)}${lpad('CPU ms/req', 12)}${lpad('PG CPU', 9)}${lpad('stall p99/max ms', 18)}`);
    for (const r of [baseline, apply]) {
      const appsPerSecond = r === apply ? f(r.rps * PER_REQUEST, 0) : '';
      lines.push(
        `${pad(r.label, 40)}${lpad(f(r.rps, 0), 9)}${lpad(appsPerSecond, 9)}${lpad(f(r.p50), 9)}${lpad(f(r.p99), 9)}${lpad(String(r.failed), 8)}${lpad(String(r.errors), 8)}${lpad(String(r.ok), 8)}` +
          `${lpad(f(r.cpu.app, 3), 12)}${lpad(onServer ? f(r.cpu.postgres, 3) : '', 9)}${lpad(`${f(r.stall.p99, 1)} / ${f(r.stall.max, 1)}`, 18)}`,
      );
    }
    lines.push(
      `(CPU ms/req: this process's serving thread per answer counted${onServer ? '; PG CPU: every local process named postgres per answer counted, NaN when the server is elsewhere' : ''}; the machine has ${availableParallelism()} cores for both and autocannon;` +
        ` stall: the serving thread's event-loop delay during the run (perf_hooks, 1 ms resolution), p99 and longest)`,
    );
    const ratio = apply.rps / baseline.rps;
    lines.push(`multi-apply/baseline requests/s: ${f(ratio, 3)}   (applications/s = 3 × multi-apply requests/s)`);
    if (apply.failed) lines.push(`statuses of the apply run: ${JSON.stringify(apply.statuses)}`);
    if (apply.exhausted) lines.push(`note: all ${applyPlansLeft.length} prepared multi-applies were sent in ${f(apply.seconds, 1)} s: the run is shorter than asked (raise --borrowers or --products-per-institution)`);
    lines.push(
      `under load, inside the submission: ${f(metered.applyMs / Math.max(1, metered.applies))} ms per multi-apply (mean), of which queueing the CPL ${f(metered.queueMs / Math.max(1, metered.applies))} ms ` +
        `(${f((100 * metered.queueMs) / Math.max(1, metered.applyMs), 0)}%); CPL still queued for the commission drainer (in this process, woken at commit) when the run ended: ${queuedAtEnd}` +
        (onServer
          ? `; ${f(metered.statements / Math.max(1, metered.applies), 1)} SQL statements per multi-apply sent in all (the requests', the drainer's and the jobs'), ` +
            `in ${f(metered.writes / Math.max(1, metered.applies), 1)} socket writes (round trips)`
          : ''),
    );
    lines.push(
      `one at a time (${serial.ok} of ${serialPlans.length} answered 201): p50 ${f(percentile(serial.times, 0.5))} ms per multi-apply request, ` +
        `${f(serial.applyMs / Math.max(1, serial.applies))} ms inside the submission, queueing the CPL ${f((100 * serial.queueMs) / Math.max(1, serial.applyMs), 0)}% of it` +
        (onServer
          ? `; ${f(serial.statements / Math.max(1, serial.applies), 1)} SQL statements per request (session, key claimed, submission with its answer kept) ` +
            `in ${f(serial.writes / Math.max(1, serial.applies), 1)} socket writes (round trips), ` +
            `and the commission drainer's ${f(drainStatements / Math.max(1, drained), 1)} per application afterwards (${drained} CPL in one drain)`
          : ''),
    );
    lines.push(
      `RSS of this process (the app, plus autocannon in a worker thread): idle ${mb(idleRss)} before the runs, peak ${mb(baselinePeak)} in the baseline, peak ${mb(applyPeak)} while applying`,
    );
    lines.push('(req/s: 2xx answers of the run\'s kind / run time; latencies: percentiles of every 2xx response time; failed: other statuses; errors: socket errors and timeouts)');
    lines.push('');
    lines.push(`check (${acknowledged} acknowledged of ${sent} multi-applies sent, the sanity request and the warm-up included):`);
    for (const c of checks) lines.push(`  ${pad(c.name, 54)}${lpad(String(c.actual), 8)} of ${c.expected}${c.expected === c.actual ? '' : '   MISMATCH'}`);
    lines.push('');
    const appsPerSecond = apply.rps * PER_REQUEST;
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    lines.push(`target: ≥ 500 applications/s ...... ${verdict(appsPerSecond >= 500)} (${f(appsPerSecond, 0)})${onServer ? '' : '  [the target is set for the PostgreSQL server]'}`);
    lines.push(`target: p99 < 100 ms ............... ${verdict(apply.p99 < 100)} (${f(apply.p99)} ms)`);
    lines.push(`target: 0 errors ................... ${verdict(apply.failed + apply.errors === 0)} (${apply.failed + apply.errors})`);
    lines.push(`check: every row present ........... ${verdict(mismatched.length === 0)}`);
    if (args['list-statements'] && onServer) {
      lines.push('', `the SQL statements of the last one-at-a-time multi-apply (${lastStatements.length}):`);
      for (const [i, text] of lastStatements.entries()) lines.push(`  ${lpad(String(i + 1), 3)}. ${text}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return mismatched.length === 0 ? 0 : 1;
  } finally {
    stopDrainer.abort();
    rss.stop();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    if (receiver) await new Promise<void>((resolve) => receiver!.close(() => resolve()));
    await container?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
