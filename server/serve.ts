import { performance } from 'node:perf_hooks';
import { describeDemoLoginsStatic, describeLogins, seedDemo, type DemoLogins } from './demo/seed-demo';
import { createApp } from './app';
import { createAppServer } from './http/app-server';
import type { Config } from './config';
import { createContainer } from './container';
import type { StartupReport } from './lib/startup-report';
import { loadSegmenter } from './modules/search';

/**
 * Starts the server (server/main.ts has loaded the config and, for a new embedded database,
 * forked the child process that seeds it: `seeding` answers its logins once it has exited).
 */
export async function serve(config: Config, options: { report: StartupReport; reportMemoryAfter: number | null; seeding: Promise<DemoLogins | null> | null }): Promise<void> {
  const { report, reportMemoryAfter } = options;
  report.mark('code loaded');
  let seeded = null;
  if (options.seeding) {
    // the tokenizer's dictionary (~1 s of CPU) loads here while the child seeds, on the other core
    loadSegmenter();
    seeded = await options.seeding;
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
  const server = createAppServer(app);
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
