import type { Database } from '../db/client';

declare const openTransaction: unique symbol;

/**
 * An open transaction. Writes that must belong to the caller's transaction (audit rows,
 * notifications, ledger entries, repository writes) take a `Tx`, never a plain `Database`, so a
 * caller who forgets to pass one gets a compile error instead of a write outside the transaction.
 * The only way to get one is `withTransaction`.
 */
export type Tx = Database & { readonly [openTransaction]: true };

/** Runs `work` in one database transaction (a savepoint when `db` is already a transaction). */
export function withTransaction<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction((tx) => work(tx as unknown as Tx));
}
