import type { Database } from '../db/client';

/** Runs `work` in one database transaction; repositories take the `tx` it is given. */
export function withTransaction<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction((tx) => work(tx as unknown as Database));
}
