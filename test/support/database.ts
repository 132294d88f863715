import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../server/db/client';

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty database; close() drops it. */
  open(): Promise<DatabaseHandle>;
  /** A fresh database with no migrations applied (to migrate step by step); close() drops it. */
  openBare(): Promise<DatabaseHandle>;
}

/** A new database on the PostgreSQL server of TEST_DATABASE_URL, dropped again on close. */
async function freshServerDatabase(baseUrl: string, options: { migrate?: boolean } = {}): Promise<DatabaseHandle> {
  const name = `dc_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  if (options.migrate !== false) await handle.migrate();
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const dropper = new pg.Client({ connectionString: baseUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

/** PGlite always; the real PostgreSQL server too when TEST_DATABASE_URL is set (CI sets it). */
export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [
    {
      name: 'pglite',
      open: async () => {
        const handle = await openDatabase({});
        await handle.migrate();
        return handle;
      },
      openBare: () => openDatabase({}),
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) targets.push({ name: 'postgres', open: () => freshServerDatabase(url), openBare: () => freshServerDatabase(url, { migrate: false }) });
  return targets;
}
