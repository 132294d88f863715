import type { PoolClient, QueryResult } from 'pg';
import type { Query } from 'drizzle-orm';
import type * as DrizzleNodePg from 'drizzle-orm/node-postgres';
import { drizzleInternals, executeQuery, type Database } from './client';

/**
 * drizzle's node-postgres classes, loaded with the first transaction on the server (the embedded
 * default never loads the driver) and kept: an `await import()` of a loaded module still costs
 * ~0.3 ms through the module loader, as much as the round trip this saves.
 */
let nodePg: typeof DrizzleNodePg | undefined;

/** The lock on the key (`$1`), and the transaction's `now()` as text (parsed as drizzle parses a timestamp column). */
const LOCK = 'select pg_advisory_xact_lock(hashtext($1)), now()::text as now';

/** A node-postgres pool (a handle made on the server, not an open transaction's client, not PGlite). */
function poolOf(db: Database): { connect(): Promise<PoolClient> } | undefined {
  const client = drizzleInternals(db).session?.client as { connect?: unknown; totalCount?: unknown } | undefined;
  return client && typeof client.connect === 'function' && typeof client.totalCount === 'number' ? (client as { connect(): Promise<PoolClient> }) : undefined;
}

/** What a locked transaction's work is handed. */
export interface LockedTransaction<R> {
  tx: Database;
  /** the transaction's `now()`, as drizzle parses a timestamp column */
  now: Date;
  /** what `read` answered */
  read: R;
  /**
   * The work's last statement (rendered, e.g. a write batch's: `WriteBatch.take`), run once `work`
   * has returned, with `commit` in the same round trip on the server. Its failure rolls the
   * transaction back and is thrown. Undefined: nothing more to run.
   */
  commitWith(last: Query | undefined): void;
}

export interface LockedSteps<R, T> {
  /**
   * The transaction's first reads, run after the lock is granted; on the server they go out with
   * `begin` and the lock, in one round trip. `read` must start its statements at once (before its
   * first await), or they wait for the next round trip (still correct, only slower).
   */
  read?: (tx: Database) => Promise<R>;
  work: (t: LockedTransaction<R>) => Promise<T>;
}

/**
 * Runs a transaction holding, from its start, a transaction-scoped advisory lock on `key`
 * (`pg_advisory_xact_lock(hashtext(key))`): statements after the lock see every transaction that
 * held it before, each taking its snapshot after the lock was granted.
 *
 * On the PostgreSQL server the connection is pipelined for the transaction (node-postgres'
 * pipeline mode: a statement goes out without waiting for the answer to the one before), and the
 * statements that do not depend on each other's answers share a socket write: `begin`, the lock
 * and the first reads in one round trip, the last statement and `commit` in another. Each round
 * trip costs the serving thread a socket write and a read, and the request its latency. The
 * server still runs the statements in order, and one that fails aborts the rest.
 * On PGlite (in process: no round trip) and inside an open transaction (a savepoint) the same
 * statements run one after the other.
 */
export async function transactionLocked<R, T>(db: Database, key: string, steps: LockedSteps<R, T>): Promise<T> {
  const pool = poolOf(db);
  if (!pool) {
    return db.transaction(async (tx) => {
      const { rows } = (await executeQuery(tx, { sql: LOCK, params: [key] })) as QueryResult<{ now: string }>;
      const row = rows[0];
      const read = (await steps.read?.(tx)) as R;
      let last: Query | undefined;
      const result = await steps.work({ tx, now: new Date(row!.now), read, commitWith: (statement) => void (last = statement) });
      if (last) await executeQuery(tx, last);
      return result;
    });
  }
  const { NodePgSession, NodePgTransaction } = (nodePg ??= await import('drizzle-orm/node-postgres'));
  const { dialect, session } = drizzleInternals(db);
  const client = await pool.connect();
  const pipelined = client as PoolClient & { pipeline: boolean };
  const statements = countStatements(client);
  let broken: Error | undefined;
  try {
    pipelined.pipeline = true;
    // a drizzle transaction over this client, as drizzle's own transaction() makes one
    const txSession = new NodePgSession(client as never, dialect, session.schema as never, session.options as never);
    const tx = new NodePgTransaction(dialect, txSession, session.schema as never) as unknown as Database;
    const [, locked, read] = await settledInOrder(
      oneWrite(client, () => [
        client.query('begin'),
        client.query<{ now: string }>(LOCK, [key]),
        // a read that throws before it returns still lets begin and the lock be waited for
        startNow(() => (steps.read ? steps.read(tx) : Promise.resolve(undefined as R))),
      ]),
    );
    let last: Query | undefined;
    const result = await steps.work({ tx, now: new Date((locked as QueryResult<{ now: string }>).rows[0]!.now), read: read as R, commitWith: (statement) => void (last = statement) });
    const [, committed] = await settledInOrder(
      oneWrite(client, () => {
        const sent = statements.count();
        const running = last ? executeQuery(tx, last) : Promise.resolve();
        // `commit` must follow the statement on the wire: should the driver ever defer sending it, commit after its answer
        const committing = statements.count() > sent || !last ? client.query('commit') : running.then(() => client.query('commit'));
        return [running, committing];
      }),
    );
    // `commit` after a failed statement rolls back without an error; the failure is thrown above
    if ((committed as QueryResult).command !== 'COMMIT') throw new Error(`the transaction ended with ${(committed as QueryResult).command}, not COMMIT`);
    return result;
  } catch (error) {
    // also after a failed first round trip: its transaction may be open (and aborted)
    await client.query('rollback').catch((rollbackFailed: Error) => (broken = rollbackFailed));
    throw error;
  } finally {
    pipelined.pipeline = false;
    statements.restore();
    // a connection that could not even roll back is not handed to the next caller
    client.release(broken);
  }
}

/**
 * Counts the statements handed to this client: its `query` wrapped on the instance until `restore`,
 * which puts back what was there (the connection's own wrapper, prepareStatementsOn's, stays).
 */
function countStatements(client: PoolClient): { count(): number; restore(): void } {
  let count = 0;
  const own = Object.prototype.hasOwnProperty.call(client, 'query');
  const query = client.query;
  client.query = function (this: PoolClient, ...a: unknown[]) {
    count++;
    return (query as (...x: unknown[]) => unknown).apply(this, a);
  } as typeof client.query;
  return {
    count: () => count,
    restore: () => {
      if (own) client.query = query;
      else delete (client as { query?: unknown }).query;
    },
  };
}

/** Starts the statements `send` sends with the connection's socket corked: they leave in one write. */
function oneWrite(client: PoolClient, send: () => Promise<unknown>[]): Promise<unknown>[] {
  const stream = (client as unknown as { connection: { stream: NodeJS.WritableStream & { cork(): void; uncork(): void } } }).connection.stream;
  stream.cork();
  try {
    return send();
  } finally {
    stream.uncork();
  }
}

/** Calls `start`; a throw becomes the returned promise's rejection. */
function startNow<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** Waits for every statement of a round trip, then answers their results, or throws the first failure (a later one is its consequence). */
async function settledInOrder(statements: Promise<unknown>[]): Promise<unknown[]> {
  const settled = await Promise.allSettled(statements);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value);
}
