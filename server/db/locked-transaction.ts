import type { PoolClient } from 'pg';
import { sql } from 'drizzle-orm';
import type * as DrizzleNodePg from 'drizzle-orm/node-postgres';
import { drizzleInternals, queryRows, type Database } from './client';

/**
 * drizzle's node-postgres classes, loaded with the first transaction on the server (the embedded
 * default never loads the driver) and kept: an `await import()` of a loaded module still costs
 * ~0.3 ms through the module loader, as much as the round trip this saves.
 */
let nodePg: typeof DrizzleNodePg | undefined;

/** A node-postgres pool (a handle made on the server, not an open transaction's client, not PGlite). */
function poolOf(db: Database): { connect(): Promise<PoolClient> } | undefined {
  const client = drizzleInternals(db).session?.client as { connect?: unknown; totalCount?: unknown } | undefined;
  return client && typeof client.connect === 'function' && typeof client.totalCount === 'number' ? (client as { connect(): Promise<PoolClient> }) : undefined;
}

/**
 * Runs `work` in a transaction holding, from its start, a transaction-scoped advisory lock on
 * `key` (`pg_advisory_xact_lock(hashtext(key))`), and hands it the transaction's `now()` (as text,
 * parsed as drizzle parses a timestamp column). Statements `work` runs after the lock see every
 * transaction that held it before: each takes its snapshot after the lock was granted.
 *
 * On the PostgreSQL server `begin` and the lock go to the server as one message (two statements
 * in one round trip): drizzle's own transactions send `begin` on its own, and each round trip costs
 * the serving thread a socket write and the request its latency. On PGlite (in process: no round
 * trip) and inside an open transaction (a savepoint) the lock is the transaction's first statement.
 */
export async function transactionLocked<T>(db: Database, key: string, work: (tx: Database, now: Date) => Promise<T>): Promise<T> {
  const pool = poolOf(db);
  if (!pool) {
    return db.transaction(async (tx) => {
      const [row] = await queryRows<{ now: string }>(tx, sql`select pg_advisory_xact_lock(hashtext(${key})), now()::text as now`);
      return work(tx, new Date(row!.now));
    });
  }
  const { NodePgSession, NodePgTransaction } = (nodePg ??= await import('drizzle-orm/node-postgres'));
  const { dialect, session } = drizzleInternals(db);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const results = (await client.query(`begin; select pg_advisory_xact_lock(hashtext(${client.escapeLiteral(key)})), now()::text as now`)) as unknown as { rows: { now: string }[] }[];
    const now = new Date(results[1]!.rows[0]!.now);
    // a drizzle transaction over this client, as drizzle's own transaction() makes one
    const txSession = new NodePgSession(client as never, dialect, session.schema as never, session.options as never);
    const tx = new NodePgTransaction(dialect, txSession, session.schema as never) as unknown as Database;
    const result = await work(tx, now);
    await client.query('commit');
    return result;
  } catch (error) {
    // also after a failed `begin; lock` message: its transaction may be open (and aborted)
    await client.query('rollback').catch((rollbackFailed: Error) => (broken = rollbackFailed));
    throw error;
  } finally {
    // a connection that could not even roll back is not handed to the next caller
    client.release(broken);
  }
}
