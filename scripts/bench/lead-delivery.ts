/**
 * Lead delivery benchmark (a measurement, not a test: it always exits 0 once it has run).
 *
 *   npx tsx scripts/bench/lead-delivery.ts [--rate 50] [--duration 20] [--products 20] [--max-in-flight 16] [--database-url postgres://…]
 *
 * Builds the real app (every service, the worker's webhook tickers in this process) on a fresh
 * PGlite in a temporary directory, or with --database-url on a fresh database created on that
 * server (dropped afterwards). One institution's webhook points at a receiver on 127.0.0.1 (allowed
 * by WEBHOOK_ALLOW_LOOPBACK=true, the development switch the webhook tests use). Signed-in,
 * verified borrowers then submit applications through the HTTP API (POST /api/v1/applications with
 * consent and an Idempotency-Key) at a steady `--rate` per second for `--duration` seconds, twice:
 *
 *   - baseline: the dispatcher woken by nothing but its poll every 2 s (the behaviour before);
 *   - woken:    the dispatcher woken by each commit (LISTEN lead_outbox), safety poll every 30 s.
 *
 * The receiver checks every signature and records when each lead arrives. Latency is from the
 * application row's created_at (PostgreSQL now() in the submitting transaction: its start, so at or
 * before the commit; the figure is pessimistic by the transaction's length) to the arrival. Prints
 * p50/p95/p99/max per phase, delivered vs submitted (each exactly once), the ratio of the p95s and
 * the peak RSS of this process (app, worker and receiver). Target: woken p95 < 1 s at 50/s.
 * Beside it, the same from the client's receipt of the 201 (which follows the commit): a lower
 * bound. The true commit-to-arrival time lies between the two.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type DatabaseHandle } from '../../server/db/client';
import { openBenchProduct } from './lib/bench-product';
import { freshDatabase } from './lib/fresh-database';
import { MemoryLocks } from '../../server/adapters/redis/lock';
import { Scheduler } from '../../server/jobs/scheduler';
import { systemClock } from '../../server/lib/clock';
import { WebhooksService, verifySignature, webhookJobs, type WebhookJobsOptions } from '../../server/modules/webhooks';
import { listenLocally } from '../../server/http/app-server';
import { startTestApp, type TestApp } from '../../test/support/app';
import { ALL_FIELDS, consumerAgent } from '../../test/support/http';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '20' },
    products: { type: 'string', default: '20' },
    /** submissions awaiting their answer at most: past it the sender waits (the rate achieved is printed), so an app slower than --rate is not buried under a backlog */
    'max-in-flight': { type: 'string', default: '16' },
    'database-url': { type: 'string' },
  },
});
const rate = Number(args.rate);
const duration = Number(args.duration);
const productCount = Number(args.products);
const maxInFlight = Number(args['max-in-flight']);
for (const [name, n] of [['rate', rate], ['duration', duration], ['products', productCount], ['max-in-flight', maxInFlight]] as const) {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
}
const perPhase = Math.round(rate * duration);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(): Promise<{ handle: DatabaseHandle; url?: string; label: string; cleanup: () => Promise<void> }> {
  const url = args['database-url'];
  if (!url) {
    const dir = mkdtempSync(path.join(tmpdir(), 'dc-bench-delivery-'));
    const handle = await openDatabase({ dir });
    return { handle, label: 'PGlite', cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const fresh = await freshDatabase(url);
  return {
    handle: fresh.handle,
    url: fresh.url,
    label: `PostgreSQL (${new URL(url).host})`,
    cleanup: fresh.drop,
  };
}

/** A receiver on 127.0.0.1 recording each delivery's arrival and whether its signature verifies. */
async function startReceiver() {
  const arrivals: { deliveryId: string; leadId: string; at: number; validSignature: boolean }[] = [];
  let secret = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw) as { data: { leadId: string } };
      arrivals.push({
        deliveryId: String(req.headers['x-daichao-delivery']),
        leadId: body.data.leadId,
        at,
        validSignature: verifySignature(secret, raw, String(req.headers['x-daichao-signature'])),
      });
      res.statusCode = 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/leads`,
    arrivals,
    setSecret: (value: string) => (secret = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface PhaseResult {
  name: string;
  submitted: number;
  errors: number;
  delivered: number;
  /** the same delivery received again: resent because its answer came after the 5 s timeout (at least once; the receiver deduplicates on the delivery id) */
  resent: number;
  /** a lead that reached the receiver as two different deliveries: never allowed */
  duplicates: number;
  badSignatures: number;
  achievedRate: number;
  latencies: number[];
  /** arrival − the client's receipt of the 201 (after the commit: a lower bound, negative when the lead beat the answer) */
  afterAnswer: number[];
}

const { handle, url: databaseUrl, label, cleanup } = await open();
let t: TestApp | undefined;
let workerDb: DatabaseHandle | undefined;
let closeWeb: (() => Promise<void>) | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
try {
  await handle.migrate();
  t = await startTestApp({
    database: handle,
    env: {
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      // every bench borrower registers from one address and applies to every product
      FRAUD_MAX_ACCOUNTS_PER_DEVICE: '100000',
      FRAUD_MAX_APPLICATIONS_PER_DAY: '100000',
    },
  });
  const { services } = t.container;
  const institution = t.fixtures.institutionA;
  // a borrower applies to a product once in 30 days: enough products that each borrower makes many applications
  const template = services.catalogue.getListed(institution.productId);
  const productIds = [institution.productId];
  for (let i = 1; i < productCount; i++) {
    const product = await services.catalogue.create(openBenchProduct(institution.id, `甲银行信用贷 ${i}`, template.category));
    productIds.push(product.id);
  }
  receiver = await startReceiver();
  const { secret } = await services.webhooks.setEndpoint(institution.id, receiver.url, { kind: 'system' });
  receiver.setSecret(secret);

  // borrowers for both phases, each applying to every product once
  const borrowerCount = Math.ceil((2 * perPhase) / productIds.length);
  const started = Date.now();
  const borrowers: Awaited<ReturnType<typeof consumerAgent>>[] = [];
  for (let i = 0; i < borrowerCount; i += 8) {
    borrowers.push(...(await Promise.all(Array.from({ length: Math.min(8, borrowerCount - i) }, () => consumerAgent(t!.app)))));
  }
  process.stdout.write(`${label}: ${productIds.length} products, ${borrowers.length} borrowers registered and verified in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  // submissions go over one real HTTP server with keep-alive (fetch), each with its borrower's session cookie
  const web = await listenLocally(t.app);
  closeWeb = () => new Promise<void>((resolve) => web.close(() => resolve()));
  const base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  const cookieOf = (borrower: (typeof borrowers)[number]) =>
    (borrower.agent as unknown as { jar: { getCookies(access: object): { toValueString(): string } } }).jar
      .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
      .toValueString();
  const work = borrowers.flatMap((borrower) => productIds.map((productId) => ({ cookie: cookieOf(borrower), productId })));

  // the worker role, in this process: on PostgreSQL with a pool of its own, as a worker process has (its
  // claims do not queue behind the submissions for the web pool); on PGlite the one database is shared
  workerDb = databaseUrl ? await openDatabase({ url: databaseUrl }) : undefined;
  const workerWebhooks = workerDb
    ? new WebhooksService({ db: workerDb.db, pii: t.container.pii, audit: services.audit, clock: systemClock, allowLoopback: true })
    : services.webhooks;

  async function phase(name: string, options: WebhookJobsOptions, jobs: typeof work): Promise<PhaseResult> {
    const scheduler = new Scheduler(webhookJobs(workerWebhooks, options), { locks: new MemoryLocks(), runs: services.jobs });
    scheduler.start();
    if (options.wakeOnCommit !== false) {
      // the listener opens at the first tick of webhooks-listen
      for (;;) {
        const listen = scheduler.tickerRecords.find((r) => r.name === 'webhooks-listen')!;
        if (listen.ticks > 0 && listen.failures === 0) break;
        if (listen.failures > 0) throw new Error(`listener failed: ${listen.lastError}`);
        await sleep(50);
      }
    }
    const from = receiver!.arrivals.length;
    const ids: string[] = [];
    const answeredAt = new Map<string, number>();
    let errors = 0;
    const interval = 1000 / rate;
    const t0 = Date.now();
    const requests = new Set<Promise<void>>();
    for (let i = 0; i < jobs.length; i++) {
      const wait = t0 + i * interval - Date.now();
      if (wait > 0) await sleep(wait);
      while (requests.size >= maxInFlight) await Promise.race(requests);
      const { cookie, productId } = jobs[i]!;
      const request: Promise<void> = fetch(`${base}/api/v1/applications`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({ products: [{ productId, amount: 50000, termMonths: 12 }], purpose: '装修', consents: [{ institutionId: institution.id, fields: ALL_FIELDS }] }),
        }).then(async (res) => {
          const body = (await res.json()) as { applications?: { id: string }[] };
          const at = Date.now();
          if (res.status === 201) {
            for (const a of body.applications!) {
              ids.push(a.id);
              answeredAt.set(a.id, at);
            }
          }
          else {
            errors++;
            if (errors <= 3) process.stderr.write(`submit answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}\n`);
          }
        }, () => void errors++);
      requests.add(request);
      void request.finally(() => requests.delete(request));
    }
    await Promise.all(requests);
    const achievedRate = jobs.length / ((Date.now() - t0) / 1000);
    // every lead arrives within a poll interval or two; give up after 60 s
    const deadline = Date.now() + 60_000;
    const wanted = new Set(ids);
    while (Date.now() < deadline && new Set(receiver!.arrivals.slice(from).filter((a) => wanted.has(a.leadId)).map((a) => a.leadId)).size < ids.length) await sleep(100);
    await scheduler.stop();
    const arrivals = receiver!.arrivals.slice(from).filter((a) => wanted.has(a.leadId));
    const created = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await queryRows<{ id: string; created_at: Date | string }>(
        handle.db,
        sql`select id, created_at from applications where id in (${sql.join(ids.slice(i, i + 500).map((id) => sql`${id}`), sql`, `)})`,
      );
      for (const row of rows) created.set(row.id, new Date(row.created_at).getTime());
    }
    const perLead = new Map<string, Set<string>>();
    for (const a of arrivals) perLead.set(a.leadId, (perLead.get(a.leadId) ?? new Set()).add(a.deliveryId));
    const first = new Map<string, number>();
    for (const a of arrivals) if (!first.has(a.leadId)) first.set(a.leadId, a.at);
    const latencies = [...first].map(([lead, at]) => at - created.get(lead)!).sort((a, b) => a - b);
    const afterAnswer = [...first].map(([lead, at]) => at - answeredAt.get(lead)!).sort((a, b) => a - b);
    return {
      name,
      submitted: ids.length,
      errors,
      delivered: perLead.size,
      resent: arrivals.length - [...perLead.values()].reduce((sum, deliveries) => sum + deliveries.size, 0),
      duplicates: [...perLead.values()].filter((deliveries) => deliveries.size > 1).length,
      badSignatures: arrivals.filter((a) => !a.validSignature).length,
      achievedRate,
      latencies,
      afterAnswer,
    };
  }

  const baseline = await phase('baseline (poll every 2 s, no wake-up)', { wakeOnCommit: false, safetyPollMs: 2_000 }, work.slice(0, perPhase));
  const woken = await phase('woken by the commit (LISTEN, safety poll 30 s)', {}, work.slice(perPhase, 2 * perPhase));

  const ms = (n: number) => `${Math.round(n)} ms`;
  process.stdout.write(`\nLead delivery on ${label}: ${rate}/s for ${duration} s per phase, latency = receiver arrival − application created_at\n`);
  for (const r of [baseline, woken]) {
    const l = r.latencies;
    process.stdout.write(
      `  ${r.name}\n` +
        `    submitted ${r.submitted} at ${r.achievedRate.toFixed(1)}/s (errors ${r.errors}); delivered ${r.delivered}/${r.submitted}, leads delivered twice ${r.duplicates}, resent after a timeout ${r.resent}, bad signatures ${r.badSignatures}\n` +
        `    p50 ${ms(percentile(l, 50))}  p95 ${ms(percentile(l, 95))}  p99 ${ms(percentile(l, 99))}  max ${ms(l[l.length - 1] ?? NaN)}\n` +
        `    (from the client's 201 instead, a lower bound: p50 ${ms(percentile(r.afterAnswer, 50))}  p95 ${ms(percentile(r.afterAnswer, 95))}  p99 ${ms(percentile(r.afterAnswer, 99))})\n`,
    );
  }
  const p95 = percentile(woken.latencies, 95);
  const exact = [baseline, woken].every((r) => r.delivered === r.submitted && r.duplicates === 0 && r.badSignatures === 0 && r.errors === 0);
  process.stdout.write(
    `  ratio p95 baseline / woken: ${(percentile(baseline.latencies, 95) / p95).toFixed(1)}×; p50 ${(percentile(baseline.latencies, 50) / percentile(woken.latencies, 50)).toFixed(1)}×\n` +
      `  peak RSS ${mb(peakRss)}, RSS now ${mb(process.memoryUsage().rss)} (app, worker and receiver in this process)\n` +
      `  target woken p95 < 1 s: ${p95 < 1000 ? 'PASS' : 'FAIL'}; every lead delivered once (one delivery id) with a valid signature: ${exact ? 'PASS' : 'FAIL'}\n`,
  );
} finally {
  clearInterval(sampler);
  await receiver?.close();
  await closeWeb?.();
  await workerDb?.close();
  // the app's close() closes the database handle too
  if (t) await t.close();
  else await handle.close();
  await cleanup();
}
