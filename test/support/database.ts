import { randomBytes } from 'node:crypto';
import { openDatabase, type DatabaseHandle } from '../../server/db/client';
import { createServerDatabase, dropServerDatabase, pgliteTemplateData, postgresTemplateDatabase, serverDatabaseUrl } from './database-template';

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty database; close() drops it. */
  open(): Promise<DatabaseHandle>;
  /** A fresh database with no migrations applied (to migrate step by step); close() drops it. */
  openBare(): Promise<DatabaseHandle>;
}

/** A fresh, migrated PGlite in memory: a copy of this run's template, or migrated here without one. */
export async function openMigratedPglite(): Promise<DatabaseHandle> {
  const template = pgliteTemplateData();
  const handle = await openDatabase({ loadDataDir: template });
  if (!template) await handle.migrate();
  return handle;
}

/** A new database on the PostgreSQL server of TEST_DATABASE_URL, dropped again on close. */
async function freshServerDatabase(baseUrl: string, options: { migrate: boolean }): Promise<DatabaseHandle> {
  const name = `dc_test_${randomBytes(6).toString('hex')}`;
  const template = options.migrate ? postgresTemplateDatabase() : undefined;
  await createServerDatabase(baseUrl, name, template);
  const handle = await openDatabase({ url: serverDatabaseUrl(baseUrl, name) });
  if (options.migrate && !template) await handle.migrate();
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await dropServerDatabase(baseUrl, name);
    },
  };
}

/** PGlite always; the real PostgreSQL server too when TEST_DATABASE_URL is set (CI sets it). */
export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [{ name: 'pglite', open: openMigratedPglite, openBare: () => openDatabase({}) }];
  const url = process.env.TEST_DATABASE_URL;
  if (url) targets.push({ name: 'postgres', open: () => freshServerDatabase(url, { migrate: true }), openBare: () => freshServerDatabase(url, { migrate: false }) });
  return targets;
}
