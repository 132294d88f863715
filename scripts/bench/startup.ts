/**
 * Start and memory on the embedded default (PGlite under DATA_DIR; no DATABASE_URL, REDIS_URL or
 * ELASTICSEARCH_URL): spawns `npm start` on a fresh temporary data directory (initdb, migrations,
 * demo seed), then again on the same directory (a restart), and prints for each
 *   - wall time from spawn to the first `GET /healthz` 200, and the time the app prints itself,
 *   - the CPU time the app's process (and the child that seeds a new database) spent until healthy (less sensitive to a busy machine),
 *   - the serving process's RSS at healthy, after `--idle` seconds idle, and its peak (VmHWM; the seeding child's is its own),
 *   - where the time and memory went, step by step (the app's `--report-memory` table),
 * against a baseline measured in the same run: `node -e` with an HTTP server answering /healthz
 * (the floor of spawning node), with the ratios. Then two component floors: PGlite alone on the
 * restarted data directory (with either WebAssembly compiler), and jieba's dictionary alone.
 *
 *   npm run bench:startup [-- --idle 20] [--tsx]      (--tsx: also a restart under tsx, the old `npm start`)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { StartupMark } from '../../server/lib/startup-report';

const { values } = parseArgs({
  options: {
    idle: { type: 'string', default: '20' },
    port: { type: 'string', default: '39310' },
    tsx: { type: 'boolean', default: false },
  },
});
const idleSeconds = Number(values.idle);
const port = Number(values.port);
const root = path.resolve(import.meta.dirname, '../..');
const MB = 1024 * 1024;
const TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

interface Run {
  name: string;
  wallMs: number;
  printedS: number | null;
  cpuMs: number;
  rssHealthy: number;
  rssIdle: number;
  peak: number;
  marks: StartupMark[];
}

const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
for (const key of ['DATABASE_URL', 'REDIS_URL', 'ELASTICSEARCH_URL', 'PGLITE_SHARED_BUFFERS', 'NODE_OPTIONS']) delete env[key];

/** The pids under `pid` (npm → sh → node), from /proc's children lists. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) out.push(child, ...descendants(child));
  }
  return out;
}

/**
 * The process that runs the app: the deepest node process (not npm's shell, not the tsx command
 * that spawns the real one) whose command line names `marker`.
 */
function appPid(spawned: number, marker: string): number | undefined {
  let found: number | undefined;
  for (const pid of [spawned, ...descendants(spawned)]) {
    try {
      const [program = '', ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (path.basename(program) === 'node' && args.some((a) => a.includes(marker))) found = pid;
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function status(pid: number): { rss: number; peak: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // after "pid (comm) ": state is field 0, utime 11, stime 12, and the children it waited for
  // (the process that seeds a new database: server/main.ts) cutime 13, cstime 14
  return ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS) * 1000;
}

async function healthy(child: ChildProcess, deadlineMs: number): Promise<boolean> {
  const until = performance.now() + deadlineMs;
  while (performance.now() < until && child.exitCode === null) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM to the whole group (npm, its shell, the app), then waits until every one of them is gone (the app closes PGlite first), SIGKILL after 60 s. */
async function stop(child: ChildProcess, pids: number[]): Promise<void> {
  const group = [child.pid!, ...pids];
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
  const until = performance.now() + 60_000;
  while (group.some(alive)) {
    if (performance.now() > until) {
      for (const pid of group.filter(alive)) process.kill(pid, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measure(name: string, command: string, args: string[], marker: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: root, env: { ...env, ...extraEnv, PORT: String(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let pid: number | undefined;
  try {
    if (!(await healthy(child, 300_000))) throw new Error(`${name}: not healthy within 300 s\n${out}`);
    const wallMs = performance.now() - started;
    pid = appPid(child.pid!, marker);
    if (!pid) throw new Error(`${name}: no process running ${marker} under ${child.pid}`);
    const atHealthy = status(pid);
    const cpu = cpuMs(pid);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const atIdle = status(pid);
    // the app's own idle report is due `idle` s after it listened: a moment after ours
    await new Promise((r) => setTimeout(r, 1500));
    const printed = /\((\d+(?:\.\d+)?)s to start/.exec(out);
    const reports = [...out.matchAll(/^startup-report (.*)$/gm)];
    const marks = reports.length ? (JSON.parse(reports.at(-1)![1]!) as StartupMark[]) : [];
    return { name, wallMs, printedS: printed ? Number(printed[1]) : null, cpuMs: cpu, rssHealthy: atHealthy.rss, rssIdle: atIdle.rss, peak: atIdle.peak, marks };
  } finally {
    await stop(child, pid ? [pid, ...descendants(child.pid!)] : descendants(child.pid!));
  }
}

/** A one-off node process that prints its RSS growth over a bare node after `body` (ESM, run in the checkout). */
async function probe(body: string, nodeArgs: string[] = []): Promise<{ rss: number; heap: number; external: number; ms: number }> {
  const script = `const t = performance.now(); ${body}; globalThis.gc?.(); const m = process.memoryUsage(); console.log(JSON.stringify({ rss: m.rss, heap: m.heapUsed, external: m.external, ms: performance.now() - t })); process.exit(0);`;
  const child = spawn(process.execPath, [...nodeArgs, '--expose-gc', '--input-type=module', '-e', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  return JSON.parse(out.trim().split('\n').at(-1)!) as { rss: number; heap: number; external: number; ms: number };
}

const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

// the bundle `npm start` runs is brought up to date first, so the runs below time only the
// (then instant) up-to-date check of `prestart`, as every start after the first does
await new Promise<void>((resolve, reject) => {
  const build = spawn(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build failed (${code})`))));
});

const baselineServer = `require('node:http').createServer((q, r) => { r.statusCode = q.url === '/healthz' ? 200 : 404; r.end('ok'); }).listen(${port}, '127.0.0.1')`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'dc-bench-startup-'));
const runs: Run[] = [];
try {
  const baseline = await measure('baseline: node -e (HTTP /healthz)', process.execPath, ['-e', baselineServer], 'createServer');
  runs.push(baseline);
  runs.push(await measure('fresh: npm start, empty DATA_DIR', 'npm', ['start', '--', `--report-memory=${idleSeconds}`], 'dist/main.js', { DATA_DIR: dataDir }));
  runs.push(await measure('restart: npm start, same DATA_DIR', 'npm', ['start', '--', `--report-memory=${idleSeconds}`], 'dist/main.js', { DATA_DIR: dataDir }));
  if (values.tsx) runs.push(await measure('restart under tsx (old npm start)', 'npx', ['tsx', 'server/main.ts', `--report-memory=${idleSeconds}`], 'server/main.ts', { DATA_DIR: dataDir }));

  console.log(`\nStart and memory, embedded default (PGlite), idle ${idleSeconds} s; ratios against the baseline in this run\n`);
  console.log('run'.padEnd(38), 'wall→healthy', ' ×base', ' printed', '   CPU', ' ×base', ' RSS@healthy', ' RSS idle', '  ×base', '   peak');
  for (const r of runs) {
    console.log(
      r.name.padEnd(38),
      s(r.wallMs).padStart(12),
      `${(r.wallMs / baseline.wallMs).toFixed(1)}×`.padStart(6),
      (r.printedS === null ? '-' : `${r.printedS.toFixed(1)} s`).padStart(8),
      s(r.cpuMs).padStart(7),
      `${(r.cpuMs / Math.max(10, baseline.cpuMs)).toFixed(0)}×`.padStart(6),
      mb(r.rssHealthy).padStart(12),
      mb(r.rssIdle).padStart(9),
      `${(r.rssIdle / baseline.rssIdle).toFixed(1)}×`.padStart(7),
      mb(r.peak).padStart(8),
    );
  }
  for (const r of runs.filter((x) => x.marks.length)) {
    console.log(`\n${r.name}: where the time and memory went (ms since the process started; RSS added by each step)`);
    let previous = 0;
    for (const m of r.marks) {
      console.log(
        `  ${m.phase.padEnd(20)} ${String(m.atMs).padStart(6)} ms  rss ${mb(m.rss).padStart(7)} (${m.rss - previous >= 0 ? '+' : ''}${Math.round((m.rss - previous) / MB)})  heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}  external ${mb(m.external)}  arrayBuffers ${mb(m.arrayBuffers)}`,
      );
      previous = m.rss;
    }
  }

  const bare = await probe('');
  // with the app's default compiler (PGLITE_WASM_COMPILER=baseline: V8's Liftoff only), then V8's own default
  const openPglite = `const { PGlite } = await import('@electric-sql/pglite'); const c = new PGlite({ dataDir: ${JSON.stringify(path.join(dataDir, 'pglite'))}, startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] }); await c.waitReady; await c.query('select 1');`;
  const pglite = await probe(openPglite, ['--liftoff-only']);
  const pgliteOptimizing = await probe(openPglite);
  // loaded by server/modules/search/tokenizer.ts itself (through tsx, so over a bare node with tsx)
  const bareTsx = await probe('', ['--import', 'tsx']);
  const jieba = await probe(`const { tokenize } = await import('./server/modules/search/tokenizer.ts'); tokenize('速融应急借款');`, ['--import', 'tsx']);
  console.log('\nComponent floors (each alone in a fresh node process; RSS over a bare node):');
  console.log(`  bare node                       rss ${mb(bare.rss)}`);
  console.log(`  PGlite on the restarted data    rss +${mb(pglite.rss - bare.rss)}  external ${mb(pglite.external)}  open ${s(pglite.ms)}  (PGLITE_WASM_COMPILER=baseline, the default)`);
  console.log(`  the same, compiler optimizing   rss +${mb(pgliteOptimizing.rss - bare.rss)}  external ${mb(pgliteOptimizing.external)}  open ${s(pgliteOptimizing.ms)}`);
  console.log(`  jieba with its dictionary       rss +${mb(jieba.rss - bareTsx.rss)}  heap ${mb(jieba.heap)}  load ${s(jieba.ms)}`);

  const [, fresh, restart] = runs as [Run, Run, Run];
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  console.log('\nTargets (issue 18, target 6):');
  console.log(`  fresh start < 10 s to healthy    ${s(fresh.wallMs)}  ${verdict(fresh.wallMs < 10_000)}`);
  console.log(`  restart < 3 s to healthy         ${s(restart.wallMs)}  ${verdict(restart.wallMs < 3_000)}`);
  console.log(`  idle RSS < 300 MB (demo data)    fresh ${mb(fresh.rssIdle)} ${verdict(fresh.rssIdle < 300 * MB)}, restart ${mb(restart.rssIdle)} ${verdict(restart.rssIdle < 300 * MB)}`);
  console.log(`  (the baseline took ${s(baseline.wallMs)} to healthy here: on a busy machine every wall time above is longer; the ratios and the CPU times travel better)`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
