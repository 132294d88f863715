/**
 * More than one instance, for real (issue 18): `npm run scale-out -- [options]`
 *
 *   --duration 40        seconds of load through the proxy
 *   --rate 5             multi-applies (three products each) started per second, steadily
 *   --kill-at 0.4        when web1 is SIGKILLed, as a fraction of the load (it is restarted at once)
 *   --retry-for 75       seconds a client keeps retrying one Idempotency-Key (a killed instance's
 *                        in-flight claim blocks its key for 60 s: server/modules/idempotency)
 *   --catch-up-timeout 120  seconds to wait for the other instance's search to show the product change
 *   --institutions 10    institutions, three listed products each
 *   --borrowers N        default: enough for the rate and duration
 *   --database daichao_scaleout   our own database, dropped and created again at each run, dropped after
 *   --database-url URL   the PostgreSQL server (default TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)
 *
 * Starts on this machine: the database through pgbouncer (session pooling), a redis-server of its
 * own, two web instances and one worker of the app (`server/main.ts`, ROLE=web / ROLE=worker,
 * DATABASE_URL via pgbouncer, REDIS_URL) and haproxy (round robin, /healthz) in front of the web
 * ones, all on free loopback ports. Borrowers log in through the proxy and multi-apply with
 * consents and an Idempotency-Key at a steady rate; mid-run web1 is killed (SIGKILL) and started
 * again; an operator approved a product on web1 just before, and web2's search is polled directly.
 * Then: sessions survived, every acknowledged application exists exactly once with its lead,
 * consent and commission, no job ran twice, web2 caught up with the product. Prints PASS/FAIL per
 * check with the figures and exits 1 on a FAIL. Everything is torn down on exit, Ctrl-C included.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { approvePending, checkCatalogueCatchUp, checkExactlyOnce, checkJobsOnce, checkSessions, showsBeforeApproval, type Check } from './checks';
import { CookieClient } from './client';
import { driveLoad, logIn, type ApplyRecord } from './load';
import { rssMb } from './processes';
import { seed } from './seed';
import { createStack, tearDownAll, type AppInstance, type Stack } from './stack';

export interface ScaleOutOptions {
  serverUrl: string;
  database: string;
  durationS: number;
  rate: number;
  killAt: number;
  retryForS: number;
  catchUpTimeoutS: number;
  institutions: number;
  borrowers?: number;
  log: (line: string) => void;
}

export interface ScaleOutReport {
  checks: Check[];
  figures: Record<string, string | number>;
  pass: boolean;
}

const PRODUCTS_PER_APPLICATION = 3;

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const ms = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : '—');

/** Polls the proxy until `name` answers again (haproxy marks a server up after two good checks). */
async function backInRotation(proxyUrl: string, name: string, timeoutMs: number): Promise<boolean> {
  const client = new CookieClient(proxyUrl);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const res = await client.request('GET', '/healthz').catch(() => undefined);
    if (res?.servedBy === name) return true;
    await sleep(200);
  }
  return false;
}

/** Samples every instance's RSS each second: idle (before the load), peak and last, per instance name. */
function rssSampler(instances: AppInstance[]) {
  const peak = new Map<string, number>();
  const last = new Map<string, number>();
  const sample = () => {
    for (const i of instances) {
      const mb = rssMb(i.service.pid);
      if (mb === undefined) continue;
      last.set(i.name, mb);
      peak.set(i.name, Math.max(peak.get(i.name) ?? 0, mb));
    }
  };
  sample();
  const idle = new Map(last);
  const timer = setInterval(sample, 1_000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return instances.map((i) => `${i.name} ${idle.get(i.name) ?? '—'}/${peak.get(i.name) ?? '—'}/${last.get(i.name) ?? '—'} MB`).join(', ');
    },
  };
}

export async function runScaleOut(o: ScaleOutOptions): Promise<ScaleOutReport> {
  const { log } = o;
  const durationMs = o.durationS * 1000;
  const killAtMs = Math.round(durationMs * o.killAt);
  const multiApplies = Math.ceil(o.durationS * o.rate);
  const productCount = o.institutions * 3;
  // each borrower can apply to each product once: enough borrowers for the run, with room to spare
  const borrowerCount = o.borrowers ?? Math.ceil((multiApplies / Math.floor(productCount / PRODUCTS_PER_APPLICATION)) * 1.3) + 4;

  let stack: Stack | undefined;
  try {
    const setupStarted = performance.now();
    stack = await createStack({ serverUrl: o.serverUrl, database: o.database, webInstances: 2, log });
    const seeded = await seed(stack, { institutions: o.institutions, borrowers: borrowerCount });
    log(`seeded ${o.institutions} institutions, ${seeded.products.length} products, ${seeded.borrowers.length} borrowers, 1 product in review`);
    await stack.startInstances();
    const setupS = (performance.now() - setupStarted) / 1000;
    const [web1, web2] = stack.instances.filter((i) => i.role === 'web') as [AppInstance, AppInstance];
    const worker = stack.instances.find((i) => i.role === 'worker')!;
    const workerPids = [worker.service.pid!];

    const borrowers = await logIn(stack.proxyUrl, seeded.borrowers, seeded.products);
    const loginsBy = new Map<string, number>();
    for (const b of borrowers) loginsBy.set(b.loginServedBy, (loginsBy.get(b.loginServedBy) ?? 0) + 1);
    log(`${borrowers.length} borrowers logged in through the proxy (${[...loginsBy].map(([n, c]) => `${n} ${c}`).join(', ')})`);

    // an operator approves a product on web1 (before the load and the kill); web2's own index is polled directly during the run
    if (await showsBeforeApproval([web1.url!, web2.url!], seeded)) throw new Error('the product in review is searchable before its approval');
    const change = await approvePending(web1.url!, seeded);
    const catchUp = checkCatalogueCatchUp(change, web1.url!, web2.url!, seeded, o.catchUpTimeoutS * 1000);

    // warm-up (2 s at 2/s, not in the figures; its applications are checked with the rest): the first
    // submissions on a fresh process compile and plan what the baseline should not pay for
    const warmup = await driveLoad({ borrowers, rate: 2, durationMs: 2_000, retryForMs: o.retryForS * 1000, productsPerApplication: PRODUCTS_PER_APPLICATION });

    const rss = rssSampler(stack.instances);
    log(`load: ${o.rate} multi-applies/s × ${PRODUCTS_PER_APPLICATION} products for ${o.durationS} s; ${web1.name} killed at ${killAtMs / 1000} s`);
    const started = performance.now();
    const load = driveLoad({ borrowers, rate: o.rate, durationMs, retryForMs: o.retryForS * 1000, productsPerApplication: PRODUCTS_PER_APPLICATION }, started);

    // the kill: SIGKILL, started again at once, back in haproxy's rotation after two good checks
    const st = stack;
    const chaos = (async (): Promise<{ killedAt: number; healthyAt: number; backAt: number; error?: string }> => {
      await sleep(killAtMs - (performance.now() - started));
      const killedAt = performance.now() - started;
      await web1.service.kill();
      log(`${(killedAt / 1000).toFixed(1)} s: ${web1.name} killed (SIGKILL)`);
      await st.startInstance(web1);
      const healthyAt = performance.now() - started;
      const back = await backInRotation(st.proxyUrl, web1.name, 30_000);
      const backAt = performance.now() - started;
      log(`${(healthyAt / 1000).toFixed(1)} s: ${web1.name} healthy again (pid ${web1.service.pid}); ${back ? `back in the proxy's rotation at ${(backAt / 1000).toFixed(1)} s` : 'NOT back in rotation within 30 s'}`);
      return { killedAt, healthyAt, backAt: back ? backAt : Number.POSITIVE_INFINITY };
    })().catch((err: unknown) => ({ killedAt: killAtMs, healthyAt: Number.NaN, backAt: Number.POSITIVE_INFINITY, error: (err as Error).message }));

    const [records, kill, catalogue] = await Promise.all([load, chaos, catchUp]);
    const rssFigures = rss.stop();
    const loadS = (performance.now() - started) / 1000;
    const lastAck = Math.max(...records.filter((r) => r.outcome === 'acked').map((r) => r.attempts.at(-1)!.at));

    const checks: Check[] = [];
    if (kill.error) checks.push({ name: 'the killed instance started again', pass: false, detail: kill.error });
    const alive = stack.instances.filter((i) => i.service.pid === undefined);
    checks.push({
      name: 'every instance still running',
      pass: alive.length === 0,
      detail: alive.length ? `exited: ${alive.map((i) => `${i.name}\n${i.service.tail()}`).join('\n')}` : stack.instances.map((i) => `${i.name} pid ${i.service.pid}`).join(', '),
    });
    checks.push(await checkSessions(borrowers, records, kill.killedAt, [web1.name, web2.name]));
    checks.push(await checkExactlyOnce(stack.directUrl, [...warmup, ...records]));
    checks.push(await checkJobsOnce(stack.directUrl, workerPids));
    checks.push(catalogue);

    const attempts = records.flatMap((r) => r.attempts);
    const ok = (a: ApplyRecord['attempts'][number]) => typeof a.status === 'number' && a.status >= 200 && a.status < 300;
    const windowEnd = Number.isFinite(kill.backAt) ? kill.backAt : loadS * 1000;
    const inWindow = (a: ApplyRecord['attempts'][number]) => a.at >= kill.killedAt - 1_000 && a.at <= windowEnd;
    const failedAttempts = attempts.filter((a) => !ok(a));
    const byStatus = new Map<string, number>();
    for (const a of failedAttempts) byStatus.set(`${a.status}${a.code ? ` ${a.code}` : ''}`, (byStatus.get(`${a.status}${a.code ? ` ${a.code}` : ''}`) ?? 0) + 1);
    const okBefore = attempts.filter((a) => ok(a) && a.at < kill.killedAt).map((a) => a.ms);
    const okAfter = attempts.filter((a) => ok(a) && a.at > windowEnd).map((a) => a.ms);
    const served = new Map<string, number>();
    for (const a of attempts.filter(ok)) served.set(a.servedBy, (served.get(a.servedBy) ?? 0) + 1);
    const acked = records.filter((r) => r.outcome === 'acked');
    const figures: Record<string, string | number> = {
      'setup (database, pgbouncer, redis, seed, 3 instances, haproxy)': `${setupS.toFixed(1)} s`,
      'multi-applies started': `${records.length} (after ${warmup.length} of warm-up)`,
      'requests (attempts)': attempts.length,
      'acknowledged (2xx)': `${acked.length} multi-applies, ${acked.reduce((n, r) => n + r.applicationIds.length, 0)} applications`,
      'acknowledged applications/s': ((acked.reduce((n, r) => n + r.applicationIds.length, 0) * 1000) / durationMs).toFixed(1),
      'retried (same key)': `${records.filter((r) => r.attempts.length > 1).length} multi-applies, ${attempts.length - records.length} extra attempts`,
      'in doubt / abandoned / failed': `${records.filter((r) => r.outcome === 'in_doubt').length} / ${records.filter((r) => r.outcome === 'abandoned').length} / ${records.filter((r) => r.outcome === 'failed').length}`,
      'failed attempts, by answer': [...byStatus].map(([s, n]) => `${s}: ${n}`).join(', ') || 'none',
      'errors in the kill window (kill −1 s … back in rotation)': failedAttempts.filter(inWindow).length,
      'errors outside it (retries of keys a dead instance left in flight: 409 until the claim is 60 s old)': failedAttempts.filter((a) => !inWindow(a)).length,
      'kill → healthy again → back in rotation': `${((kill.healthyAt - kill.killedAt) / 1000).toFixed(1)} s → ${((kill.backAt - kill.killedAt) / 1000).toFixed(1)} s`,
      'latency 2xx before the kill p50/p99 (baseline)': `${ms(percentile(okBefore, 50))} / ${ms(percentile(okBefore, 99))}`,
      'latency 2xx after it p50/p99 (ratio p50 to baseline)': `${ms(percentile(okAfter, 50))} / ${ms(percentile(okAfter, 99))} (${(percentile(okAfter, 50) / percentile(okBefore, 50)).toFixed(2)}×)`,
      '2xx answered by': [...served].map(([n, c]) => `${n} ${c}`).join(', '),
      'last acknowledgement at': `${(lastAck / 1000).toFixed(1)} s (load ${o.durationS} s, retries until ${loadS.toFixed(1)} s)`,
      'catalogue catch-up on the other instance': catalogue.catchUpMs === undefined ? `none within ${o.catchUpTimeoutS} s` : `${(catalogue.catchUpMs / 1000).toFixed(1)} s (on the changing instance ${catalogue.localMs === undefined ? '—' : `${(catalogue.localMs / 1000).toFixed(1)} s`})`,
      'RSS idle/peak/end': rssFigures,
    };
    return { checks, figures, pass: checks.every((c) => c.pass) };
  } finally {
    await stack?.teardown();
  }
}

export function printReport(report: ScaleOutReport, write: (line: string) => void): void {
  write('');
  for (const [k, v] of Object.entries(report.figures)) write(`  ${k}: ${v}`);
  write('');
  for (const c of report.checks) write(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}\n      ${c.detail}`);
  write('');
  write(report.pass ? 'scale-out: every check passed' : 'scale-out: FAILED');
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      duration: { type: 'string', default: '40' },
      rate: { type: 'string', default: '5' },
      'kill-at': { type: 'string', default: '0.4' },
      'retry-for': { type: 'string', default: '75' },
      'catch-up-timeout': { type: 'string', default: '120' },
      institutions: { type: 'string', default: '10' },
      borrowers: { type: 'string' },
      database: { type: 'string', default: 'daichao_scaleout' },
      'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    },
  });
  const num = (name: string, value: string | undefined, min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return n;
  };
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(args.database!)) throw new Error('--database: lower-case letters, digits and _');
  const options: ScaleOutOptions = {
    serverUrl: args['database-url']!,
    database: args.database!,
    durationS: num('duration', args.duration, 5, 600),
    rate: num('rate', args.rate, 0.5, 200),
    killAt: num('kill-at', args['kill-at'], 0.1, 0.9),
    retryForS: num('retry-for', args['retry-for'], 1, 600),
    catchUpTimeoutS: num('catch-up-timeout', args['catch-up-timeout'], 5, 600),
    institutions: num('institutions', args.institutions, 1, 200),
    borrowers: args.borrowers ? num('borrowers', args.borrowers, 1, 100_000) : undefined,
    log: (line) => console.log(line),
  };
  // Ctrl-C or a kill: stop every process of the stack and drop the database before leaving
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: tearing the stack down`);
      void tearDownAll().finally(() => process.exit(130));
    });
  }
  const report = await runScaleOut(options);
  printReport(report, (line) => console.log(line));
  process.exit(report.pass ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(`scale-out failed: ${(err as Error).stack ?? err}`);
    // the stack is torn down by then (runScaleOut's finally); timers of the load may still be pending
    process.exit(1);
  });
}
