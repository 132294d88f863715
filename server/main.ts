import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeDemoLoginsStatic, describeLogins, seedDemo, type DemoLogins } from './demo/seed-demo';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createContainer } from './container';
import { StartupReport } from './lib/startup-report';
import { loadSegmenter, WriteOnlySearchIndex } from './modules/search';

/** `--report-memory[=seconds]`: print where the start's time and memory went, at listen and after `seconds` idle (default 30) */
function reportMemoryFlag(): number | null {
  const flag = process.argv.find((a) => a === '--report-memory' || a.startsWith('--report-memory='));
  if (!flag) return null;
  const seconds = Number(flag.split('=')[1] ?? 30);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 30;
}

/** The child process that seeds a new embedded database runs the same entry point with this flag. */
const SEED_ONLY = '--seed-demo-only';

/** The demo seed of a new embedded database (PGlite under DATA_DIR never used), before this process opens it. */
const seedsNewEmbeddedDatabase = (config: Config) => config.seedDemo && !config.databaseUrl && !existsSync(path.join(config.dataDir, 'pglite', 'PG_VERSION'));

/**
 * Seeds the demo data in a child process and answers its logins. PGlite's WebAssembly heap grows
 * while the demo seed writes (~180 MB more RSS than a restart) and is never given back; seeded by
 * a process that then exits, the database is opened here as on a restart, at a restart's RSS.
 */
function seedInChildProcess(): Promise<DemoLogins | null> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1]!, [SEED_ONLY], { stdio: 'inherit' });
    let logins: DemoLogins | null = null;
    child.on('message', (message) => {
      logins = message as DemoLogins | null;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(logins) : reject(new Error(`seeding the demo data failed (exit code ${code})`))));
  });
}

async function seedOnly(config: Config) {
  // a process that writes and exits: no search index (the server builds its own from the
  // database) and no tickers on timers (drained once below)
  const container = await createContainer(config, { search: new WriteOnlySearchIndex(), tickers: false });
  const seeded = await seedDemo(container.services);
  // a new database has missed every job's latest instant, and the seed leaves work queued (the
  // BI days never rolled up, commissions, postbacks): both done here, in the process that exits,
  // so the server starts as on a restart, with no heap grown by them
  if (seeded && config.role !== 'web') {
    await container.services.scheduler.catchUp();
    await container.services.scheduler.drainTickers();
  }
  await container.close();
  await new Promise<void>((resolve) => process.send!(seeded, () => resolve()));
  process.exit(0);
}

async function main() {
  const report = new StartupReport();
  report.mark('code loaded');
  const reportMemoryAfter = reportMemoryFlag();
  const config = loadConfig();
  if (process.argv.includes(SEED_ONLY)) return seedOnly(config);

  let seeded = null;
  if (seedsNewEmbeddedDatabase(config)) {
    const seeding = seedInChildProcess();
    // the tokenizer's dictionary (~1 s of CPU) loads here while the child seeds, on the other core
    loadSegmenter();
    seeded = await seeding;
    report.mark('demo seeded (child)');
  }
  const container = await createContainer(config, { report });
  const { logger } = container;
  if (config.seedDemo && !seeded) {
    seeded = await seedDemo(container.services);
    if (seeded) report.mark('demo seeded');
  }

  // background work in the worker role (server/jobs/registry.ts): the scheduled jobs on their cron
  // schedules, once across instances, and the worker tickers (lead webhook delivery); instants missed
  // while no worker ran are caught up now
  const worker = config.role !== 'web';
  const { scheduler } = container.services;
  if (worker) {
    scheduler.start();
    void scheduler.catchUp().catch((err: unknown) => logger.error({ err }, 'catching up missed jobs failed'));
    // instants skipped while Redis (the job locks) was unreachable are caught up as soon as it is back
    container.shared.onRecover(() => void scheduler.catchUp().catch((err: unknown) => logger.error({ err }, 'catching up missed jobs failed')));
  }

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await scheduler.stop().catch(() => undefined);
    await container.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  if (config.role === 'worker') {
    logger.info({ jobs: scheduler.definitions.map((j) => `${j.name} (${j.schedule})`) }, 'worker role: delivering lead webhooks and running the scheduled jobs');
    return;
  }

  const app = createApp(container);
  const server = createServer(app);
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const base = `http://localhost:${port}`;
    // since the process started (performance.now()'s origin), so loading the code counts too
    const seconds = (performance.now() / 1000).toFixed(1);
    const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}/pglite`;
    const logins = config.seedDemo
      ? [seeded ? 'Demo data seeded. Logins:' : 'Demo logins (seeded on first start):', seeded ? describeLogins(seeded, base) : describeDemoLoginsStatic(base)]
      : ['No demo data (SEED_DEMO=never). The first operator is created once with: npm run create-operator -- --username <name> --name <姓名>'];
    const lines = [
      '',
      `贷超 is running (${seconds}s to start; database: ${where}; shared state: ${container.shared.mode})`,
      `  消费者站点   ${base}/`,
      `  机构工作台   ${base}/partner`,
      `  运营后台     ${base}/admin`,
      `  API 文档     ${base}/api/openapi.json`,
      '',
      ...logins,
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (reportMemoryAfter !== null) {
      report.mark('listening');
      process.stdout.write(`${report.table()}\n${report.jsonLine()}\n`);
      setTimeout(() => {
        report.mark(`idle ${reportMemoryAfter} s`);
        process.stdout.write(`${report.table()}\n${report.jsonLine()}\n`);
      }, reportMemoryAfter * 1000).unref();
    }
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`贷超 failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
