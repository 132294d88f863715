import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../../server/db/client';

/** A new database on a PostgreSQL server for one bench run, dropped by `drop()`. */
export async function freshDatabase(url: string, prefix = 'dc_bench'): Promise<{ handle: DatabaseHandle; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const handle = await openDatabase({ url: target.toString() });
  return {
    handle,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
