import { PGlite } from '@electric-sql/pglite';
import { streamlineQueries } from './pglite-queries';

/**
 * Opens PGlite with our settings (`-c name=value` each) and its queries streamlined
 * (pglite-queries.ts): on the database thread (pglite-worker.ts), or on the caller's.
 */
export async function openPglite(options: { dataDir: string | undefined; loadDataDir: Blob | undefined; settings: Record<string, string>; prepare: boolean }): Promise<PGlite> {
  const client = new PGlite({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    startParams: [...PGlite.defaultStartParams, ...Object.entries(options.settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
  });
  await client.waitReady;
  streamlineQueries(client, { prepare: options.prepare });
  return client;
}
