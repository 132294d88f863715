import type { SQLWrapper } from 'drizzle-orm';
import { executeTogether, type Database, type Notification } from '../db/client';
import { transactionLocked } from '../db/locked-transaction';

declare const openTransaction: unique symbol;

/**
 * An open transaction. Writes that must belong to the caller's transaction (audit rows,
 * notifications, ledger entries, repository writes) take a `Tx`, never a plain `Database`, so a
 * caller who forgets to pass one gets a compile error instead of a write outside the transaction.
 * The only way to get one is `withTransaction`.
 */
export type Tx = Database & { readonly [openTransaction]: true };

/**
 * Writes that several modules make in one transaction, gathered and sent as one statement by
 * `flush` (`executeTogether`): a use case inserting into many tables pays one round trip instead
 * of one per table. Each module still builds its own SQL and hands it to `write`; the caller only
 * decides when it goes. A read sees a batched write only after the flush.
 */
export class WriteBatch {
  private writes: SQLWrapper[] = [];
  private notifications: Notification[] = [];

  constructor(readonly tx: Tx) {}

  add(writes: SQLWrapper[], notifications: Notification[] = []): void {
    this.writes.push(...writes);
    this.notifications.push(...notifications);
  }

  async flush(): Promise<void> {
    const { writes, notifications } = this;
    this.writes = [];
    this.notifications = [];
    await executeTogether(this.tx, writes, notifications);
  }
}

/** A module's writes and NOTIFYs: run now (together) in the caller's transaction, or added to the caller's batch. */
export async function write(target: Database | WriteBatch, writes: SQLWrapper[], notifications: Notification[] = []): Promise<void> {
  if (target instanceof WriteBatch) target.add(writes, notifications);
  else await executeTogether(target, writes, notifications);
}

/** The transaction under a batch, for the reads a batched write depends on. */
export function txOf<T extends Database>(target: T | WriteBatch): T | Tx {
  return target instanceof WriteBatch ? target.tx : target;
}

/** Runs `work` in one database transaction (a savepoint when `db` is already a transaction). */
export function withTransaction<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction((tx) => work(tx as unknown as Tx));
}

/**
 * Runs `work` in one transaction that holds a transaction-scoped advisory lock on `key` from its
 * start (one such transaction at a time per key), with the transaction's `now()`; on the
 * PostgreSQL server `begin` and the lock are one round trip (`transactionLocked`).
 */
export function withLockedTransaction<T>(db: Database, key: string, work: (tx: Tx, now: Date) => Promise<T>): Promise<T> {
  return transactionLocked(db, key, (tx, now) => work(tx as unknown as Tx, now));
}
