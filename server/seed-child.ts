import type { Config } from './config';
import { createContainer } from './container';
import { seedDemo } from './demo/seed-demo';
import { WriteOnlySearchIndex } from './modules/search';

/**
 * The child process that seeds a new embedded database (server/main.ts forks it with
 * `--seed-demo-only`): it loads the container and the demo seed, not the web surfaces.
 */
export async function seedOnly(config: Config): Promise<void> {
  // a process that writes and exits: no search index (the server builds its own from the
  // database), no tickers (the server's drain what the seed queued once it listens), and PGlite
  // on this thread (no requests wait behind its statements, and each would cost a message each way)
  const container = await createContainer(config, { search: new WriteOnlySearchIndex(), tickers: false, pgliteThread: 'caller' });
  const seeded = await seedDemo(container.services);
  // a new database has missed every job's latest instant: caught up here, in the process that
  // exits, so the server finds nothing to catch up, as on a restart
  if (seeded && config.role !== 'web') await container.services.scheduler.catchUp();
  await container.close();
  await new Promise<void>((resolve) => process.send!(seeded, () => resolve()));
  process.exit(0);
}
