// The entry point `npm start` runs (dist/main.js). It loads only the configuration before it
// forks the child process that seeds a new embedded database, so the child's work overlaps the
// loading of the server's code (./serve, imported after the fork) on a second core.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DemoLogins } from './demo/seed-demo';
import { ConfigError, loadConfig, type Config } from './config';
import { StartupReport } from './lib/startup-report';

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

async function main() {
  const report = new StartupReport();
  report.mark('config loaded');
  const reportMemoryAfter = reportMemoryFlag();
  const config = loadConfig();
  if (process.argv.includes(SEED_ONLY)) return (await import('./seed-child')).seedOnly(config);
  const seeding = seedsNewEmbeddedDatabase(config) ? seedInChildProcess() : null;
  // an unhandled rejection before serve() awaits it would end the process with a worse message
  seeding?.catch(() => undefined);
  const { serve } = await import('./serve');
  await serve(config, { report, reportMemoryAfter, seeding });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`贷超 failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
