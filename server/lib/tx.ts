import type { Query, SQLWrapper } from 'drizzle-orm';
import { executeQuery, executeTogether, togetherQuery, type Database, type Notification } from '../db/client';
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
    const statement = this.take();
    if (statement) await executeQuery(this.tx, statement);
  }

  /** The gathered writes as one rendered statement (undefined when there are none), taken out of the batch: the caller runs it. */
  take(): Query | undefined {
    const { writes, notifications } = this;
    this.writes = [];
    this.notifications = [];
    return togetherQuery(this.tx, writes, notifications);
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

/** What a locked transaction's work is handed (`withLockedTransaction`). */
export interface LockedTx<R> {
  tx: Tx;
  /** the transaction's `now()` */
  now: Date;
  /** what the first reads answered */
  read: R;
  /** the batch to flush as the work's last statement, together with `commit` (one round trip on the server) */
  commitWith(batch: WriteBatch): void;
}

/**
 * Runs `work` in one transaction that holds a transaction-scoped advisory lock on `key` from its
 * start (one such transaction at a time per key), with the transaction's `now()`. On the
 * PostgreSQL server `begin`, the lock and `read`'s statements are one round trip, and the batch
 * given to `commitWith` goes with `commit` in another (`transactionLocked`).
 */
export function withLockedTransaction<R, T>(db: Database, key: string, steps: { read?: (tx: Tx) => Promise<R>; work: (t: LockedTx<R>) => Promise<T> }): Promise<T> {
  const { read } = steps;
  return transactionLocked<R, T>(db, key, {
    read: read && ((tx) => read(tx as Tx)),
    work: ({ tx, now, read, commitWith }) => steps.work({ tx: tx as Tx, now, read, commitWith: (batch) => commitWith(batch.take()) }),
  });
}
