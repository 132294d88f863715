import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../test/support/database';
import { countDatabaseWrites } from '../../test/support/database-writes';
import { withTransaction } from '../lib/tx';
import { queryRows, togetherQuery, type Database, type DatabaseHandle } from './client';
import { transactionLocked } from './locked-transaction';

/**
 * A transaction holding an advisory lock from its start (transactionLocked), on PGlite and on the
 * PostgreSQL server when TEST_DATABASE_URL is set: it commits, rolls back (after a failed read,
 * statement or last statement too), hands over now() and the first reads, and two on the same key
 * run one after the other, the second seeing what the first committed. On the server its
 * statements go out in two socket writes.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** the rows with this key; the statement is sent at the call (drizzle's execute() starts it), as a first read's must be */
const rowsOf = async (db: Database, key: string) => {
  const result = (await db.execute(sql`select count(*)::int as n from locked_probe where k = ${key}`).execute()) as { rows: { n: number }[] };
  return result.rows[0]!.n;
};

describe.each(databaseTargets())('transactions locked from their start ($name)', (target) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await target.open();
    await handle.db.execute(sql`create table locked_probe (k text not null, at timestamptz not null default now())`);
  });
  afterAll(() => handle?.close());

  it('commits the work and hands it the transaction’s now(), which the rows it inserts get', async () => {
    const before = Date.now();
    const now = await transactionLocked(handle.db, 'commit-key', {
      work: async ({ tx, now }) => {
        await tx.execute(sql`insert into locked_probe (k) values ('commit')`);
        return now;
      },
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
      transactionLocked(handle.db, 'rollback-key', {
        work: async ({ tx }) => {
          await tx.execute(sql`insert into locked_probe (k) values ('rolled back')`);
          throw failed;
        },
      }),
    ).rejects.toBe(failed);
    expect(await rowsOf(handle.db, 'rolled back')).toBe(0);
    // a statement that fails inside the work rolls back too
    await expect(transactionLocked(handle.db, 'rollback-key', { work: ({ tx }) => tx.execute(sql`select * from no_such_table`) })).rejects.toThrow();
    expect(await transactionLocked(handle.db, 'rollback-key', { work: async ({ tx }) => rowsOf(tx, 'commit') })).toBe(1);
  });

  it('hands the work what the first reads answered, and commits the last statement with the rest', async () => {
    const seen = await transactionLocked(handle.db, 'read-key', {
      read: (tx) => Promise.all([rowsOf(tx, 'commit'), queryRows<{ two: number }>(tx, sql`select 2 as two`)]),
      work: async ({ tx, read: [commits, [two]], commitWith }) => {
        await tx.execute(sql`insert into locked_probe (k) values ('read, then last')`);
        commitWith(togetherQuery(tx, [sql`insert into locked_probe (k) values ('read, then last')`]));
        return { commits, two: two!.two };
      },
    });
    expect(seen).toEqual({ commits: 1, two: 2 });
    expect(await rowsOf(handle.db, 'read, then last')).toBe(2);
  });

  it('rolls back when a first read or the last statement fails, throws that failure, and serves the next caller', async () => {
    let worked = false;
    await expect(
      transactionLocked(handle.db, 'failing-key', {
        read: (tx) => Promise.all([rowsOf(tx, 'commit'), tx.execute(sql`select * from no_such_table`)]),
        work: async () => void (worked = true),
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(worked).toBe(false);
    // a read that throws before it sends anything: begin and the lock already went out, and are waited for
    const early = new Error('read refused before sending');
    await expect(
      transactionLocked(handle.db, 'failing-key', {
        read: () => {
          throw early;
        },
        work: async () => void (worked = true),
      }),
    ).rejects.toBe(early);
    expect(worked).toBe(false);
    // the last statement breaks a check: what the work wrote before it is not kept either
    await expect(
      transactionLocked(handle.db, 'failing-key', {
        work: async ({ tx, commitWith }) => {
          await tx.execute(sql`insert into locked_probe (k) values ('before a failed last')`);
          commitWith(togetherQuery(tx, [sql`insert into locked_probe (k) values (null)`]));
        },
      }),
    ).rejects.toMatchObject({ cause: { code: '23502' } }); // not_null_violation
    expect(await rowsOf(handle.db, 'before a failed last')).toBe(0);
    expect(await transactionLocked(handle.db, 'failing-key', { read: (tx) => rowsOf(tx, 'commit'), work: async ({ read }) => read })).toBe(1);
  });

  it('runs two on one key one after the other: the second sees what the first committed', async () => {
    const order: string[] = [];
    const first = transactionLocked(handle.db, 'same-key', {
      work: async ({ tx }) => {
        order.push('first in');
        await tx.execute(sql`insert into locked_probe (k) values ('serial')`);
        await sleep(150);
        order.push('first out');
      },
    });
    await sleep(30);
    // its first read is sent with the lock, and still runs after the first transaction committed
    const second = transactionLocked(handle.db, 'same-key', {
      read: (tx) => rowsOf(tx, 'serial'),
      work: async ({ read }) => {
        order.push('second in');
        return read;
      },
    });
    const [, seen] = await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
    expect(seen).toBe(1);
  });

  it('takes a key with quotes as it is', async () => {
    const key = `it's "quoted" \\ ; select 1`;
    expect(await transactionLocked(handle.db, key, { work: async ({ tx }) => rowsOf(tx, 'commit') })).toBe(1);
  });

  it('inside an open transaction, locks in a savepoint that the outer rollback takes back', async () => {
    const outer = new Error('outer');
    await expect(
      withTransaction(handle.db, async (tx) => {
        await transactionLocked(tx, 'nested-key', { work: ({ tx: inner }) => inner.execute(sql`insert into locked_probe (k) values ('nested')`) });
        expect(await rowsOf(tx, 'nested')).toBe(1);
        throw outer;
      }),
    ).rejects.toBe(outer);
    expect(await rowsOf(handle.db, 'nested')).toBe(0);
  });

  it.runIf(target.name === 'postgres')('sends begin, the lock and the first reads in one write, the last statement and commit in another, and does not hold other keys back', async () => {
    // the socket writes of the database connections, then the statements as they are sent
    const writes = countDatabaseWrites();
    const sent: { text: string; name?: string; client: unknown }[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
      const config = typeof a[0] === 'string' ? { text: a[0] } : (a[0] as { text?: string; name?: string });
      sent.push({ text: config.text ?? '?', name: config.name, client: this });
      return (query as (...x: unknown[]) => unknown).apply(this, a);
    } as typeof query;
    const runs: { sent: typeof sent; writes: number }[] = [];
    try {
      // twice: the second on the connection the first gave back, as it was (its statements still prepared)
      for (const k of ['trips', 'trips again']) {
        sent.length = 0;
        writes.reset();
        await transactionLocked(handle.db, 'trips-key', {
          read: (tx) => Promise.all([rowsOf(tx, 'commit'), rowsOf(tx, 'serial')]),
          work: async ({ tx, commitWith }) => commitWith(togetherQuery(tx, [sql`insert into locked_probe (k) values (${k})`])),
        });
        runs.push({ sent: [...sent], writes: writes.count() });
      }
    } finally {
      pg.Client.prototype.query = query;
      writes.stop();
    }
    for (const run of runs) {
      expect(run.sent.map((s) => s.text.slice(0, 40))).toEqual([
        'begin',
        'select pg_advisory_xact_lock(hashtext($1',
        'select count(*)::int as n from locked_pr',
        'select count(*)::int as n from locked_pr',
        'insert into locked_probe (k) values ($1)',
        'commit',
      ]);
      expect(run.writes).toBe(2);
      // every statement with parameters is named: prepared once per connection (prepareStatementsOn)
      expect(run.sent.filter((s) => /\$1/.test(s.text)).every((s) => s.name?.startsWith('dc_'))).toBe(true);
    }
    expect(runs[1]!.sent[0]!.client).toBe(runs[0]!.sent[0]!.client);
    expect(await rowsOf(handle.db, 'trips')).toBe(1);
    expect(await rowsOf(handle.db, 'trips again')).toBe(1);

    // another key goes ahead while the first is held
    const order: string[] = [];
    const held = transactionLocked(handle.db, 'held-key', {
      work: async () => {
        await sleep(200);
        order.push('held done');
      },
    });
    await sleep(30);
    await transactionLocked(handle.db, 'other-key', { work: async () => void order.push('other done') });
    await held;
    expect(order).toEqual(['other done', 'held done']);
  });
});
