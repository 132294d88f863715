import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../test/support/database';
import { withTransaction } from '../lib/tx';
import { queryRows, type Database, type DatabaseHandle } from './client';
import { transactionLocked } from './locked-transaction';

/**
 * A transaction holding an advisory lock from its start (transactionLocked), on PGlite and on the
 * PostgreSQL server when TEST_DATABASE_URL is set: it commits, rolls back, hands over now(), and
 * two on the same key run one after the other, the second seeing what the first committed.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rowsOf = async (db: Database, key: string) =>
  (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from locked_probe where k = ${key}`))[0]!.n;

describe.each(databaseTargets())('transactions locked from their start ($name)', (target) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await target.open();
    await handle.db.execute(sql`create table locked_probe (k text not null, at timestamptz not null default now())`);
  });
  afterAll(() => handle?.close());

  it('commits the work and hands it the transaction’s now(), which the rows it inserts get', async () => {
    const before = Date.now();
    const now = await transactionLocked(handle.db, 'commit-key', async (tx, now) => {
      await tx.execute(sql`insert into locked_probe (k) values ('commit')`);
      return now;
    });
    expect(now).toBeInstanceOf(Date);
    expect(now.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(now.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
    const [row] = await queryRows<{ at: string }>(handle.db, sql`select at::text as at from locked_probe where k = 'commit'`);
    expect(new Date(row!.at).getTime()).toBe(now.getTime());
  });

  it('rolls back on an error, and the database serves the next caller', async () => {
    const failed = new Error('roll back');
    await expect(
      transactionLocked(handle.db, 'rollback-key', async (tx) => {
        await tx.execute(sql`insert into locked_probe (k) values ('rolled back')`);
        throw failed;
      }),
    ).rejects.toBe(failed);
    expect(await rowsOf(handle.db, 'rolled back')).toBe(0);
    // a statement that fails inside the work rolls back too
    await expect(transactionLocked(handle.db, 'rollback-key', (tx) => tx.execute(sql`select * from no_such_table`))).rejects.toThrow();
    expect(await transactionLocked(handle.db, 'rollback-key', async (tx) => rowsOf(tx, 'commit'))).toBe(1);
  });

  it('runs two on one key one after the other: the second sees what the first committed', async () => {
    const order: string[] = [];
    const first = transactionLocked(handle.db, 'same-key', async (tx) => {
      order.push('first in');
      await tx.execute(sql`insert into locked_probe (k) values ('serial')`);
      await sleep(150);
      order.push('first out');
    });
    await sleep(30);
    const second = transactionLocked(handle.db, 'same-key', async (tx) => {
      order.push('second in');
      return rowsOf(tx, 'serial');
    });
    const [, seen] = await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
    expect(seen).toBe(1);
  });

  it('takes a key with quotes as it is', async () => {
    const key = `it's "quoted" \\ ; select 1`;
    expect(await transactionLocked(handle.db, key, async (tx) => rowsOf(tx, 'commit'))).toBe(1);
  });

  it('inside an open transaction, locks in a savepoint that the outer rollback takes back', async () => {
    const outer = new Error('outer');
    await expect(
      withTransaction(handle.db, async (tx) => {
        await transactionLocked(tx, 'nested-key', (inner) => inner.execute(sql`insert into locked_probe (k) values ('nested')`));
        expect(await rowsOf(tx, 'nested')).toBe(1);
        throw outer;
      }),
    ).rejects.toBe(outer);
    expect(await rowsOf(handle.db, 'nested')).toBe(0);
  });

  it.runIf(target.name === 'postgres')('sends begin and the lock as one round trip, and does not hold other keys back', async () => {
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
      sent.push(typeof a[0] === 'string' ? a[0] : ((a[0] as { text?: string }).text ?? '?'));
      return (query as (...x: unknown[]) => unknown).apply(this, a);
    } as typeof query;
    try {
      await transactionLocked(handle.db, 'trips-key', (tx) => tx.execute(sql`insert into locked_probe (k) values ('trips')`));
    } finally {
      pg.Client.prototype.query = query;
    }
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(/^begin; select pg_advisory_xact_lock\(hashtext\('trips-key'\)\)/);
    expect(sent[1]).toContain('insert into locked_probe');
    expect(sent[2]).toBe('commit');

    // another key goes ahead while the first is held
    const order: string[] = [];
    const held = transactionLocked(handle.db, 'held-key', async () => {
      await sleep(200);
      order.push('held done');
    });
    await sleep(30);
    await transactionLocked(handle.db, 'other-key', async () => void order.push('other done'));
    await held;
    expect(order).toEqual(['other done', 'held done']);
  });
});
