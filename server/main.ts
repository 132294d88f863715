import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { describeDemoLoginsStatic, describeLogins, seedDemo } from './demo/seed-demo';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createContainer } from './container';
import { StartupReport } from './lib/startup-report';

/** `--report-memory[=seconds]`: print where the start's time and memory went, at listen and after `seconds` idle (default 30) */
function reportMemoryFlag(): number | null {
  const flag = process.argv.find((a) => a === '--report-memory' || a.startsWith('--report-memory='));
  if (!flag) return null;
  const seconds = Number(flag.split('=')[1] ?? 30);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 30;
}

async function main() {
  const report = new StartupReport();
  report.mark('code loaded');
  const reportMemoryAfter = reportMemoryFlag();
  const config = loadConfig();
  const container = await createContainer(config, { report });
  const { logger } = container;

  let seeded = null;
  if (config.seedDemo) seeded = await seedDemo(container.services);
  if (seeded) report.mark('demo seeded');

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
