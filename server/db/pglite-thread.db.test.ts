import { sql } from 'drizzle-orm';
import { integer, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, sqlState, UNIQUE_VIOLATION, type DatabaseHandle } from './client';
import { PgliteThread } from './pglite-thread';
import { listenOnChannel } from '../adapters/postgres/channel-listener';

/**
 * PGlite on a thread of its own (PgliteThread, the embedded default): the app must read, write and
 * be told on failure exactly what PGlite on the serving thread gives it, in and out of
 * transactions, with NOTIFYs delivered after commit.
 */

const setup = [
  sql`create table kinds (n integer primary key, at timestamptz, day date, span interval, amounts numeric[], amount numeric(14, 2), big bigint, doc jsonb, bytes bytea, flags boolean[], label text)`,
  sql`insert into kinds values
    (1, '2026-12-07 10:00:00.123+08', '2026-12-07', '1 day 2 hours', '{1.50,2}', 12345678901.25, 9007199254740993, '{"a": [1, "二"], "b": null}', '\\x00ff10', '{t,f}', '甲 😀'),
    (2, null, null, null, null, null, null, null, null, null, null)`,
];
const selectAll = sql`select * from kinds where n >= ${0} order by n`;

describe('PGlite on its own thread', () => {
  let thread: DatabaseHandle;
  let here: DatabaseHandle;

  beforeAll(async () => {
    [thread, here] = await Promise.all([openDatabase({}), openDatabase({ pgliteThread: 'caller' })]);
    for (const handle of [thread, here]) for (const statement of setup) await handle.db.execute(statement);
  });
  afterAll(async () => {
    await Promise.all([thread?.close(), here?.close()]);
  });

  it('runs on the thread by default', () => {
    expect((thread.db as unknown as { $client: unknown }).$client).toBeInstanceOf(PgliteThread);
    expect((here.db as unknown as { $client: unknown }).$client).not.toBeInstanceOf(PgliteThread);
  });

  it('reads every kind of value as PGlite on the serving thread does: timestamps, dates and numeric as text, JSON, bytes, arrays, big integers', async () => {
    const rows = await queryRows(thread.db, selectAll);
    expect(rows).toEqual(await queryRows(here.db, selectAll));
    expect(rows[0]).toMatchObject({ at: '2026-12-07 02:00:00.123+00', day: '2026-12-07', span: '1 day 02:00:00', amount: '12345678901.25', doc: { a: [1, '二'], b: null }, label: '甲 😀' });
    expect(rows[0]!.bytes).toEqual(new Uint8Array([0x00, 0xff, 0x10]));
    // drizzle's own select (rows as arrays, mapped to its columns) gives the same too
    const kindsTable = pgTable('kinds', { n: integer('n').primaryKey(), label: text('label'), amount: numeric('amount', { precision: 14, scale: 2 }), at: timestamp('at', { withTimezone: true }) });
    const selected = await thread.db.select().from(kindsTable).orderBy(kindsTable.n);
    expect(selected).toEqual(await here.db.select().from(kindsTable).orderBy(kindsTable.n));
    expect(selected[0]).toEqual({ n: 1, label: '甲 😀', amount: '12345678901.25', at: new Date('2026-12-07T02:00:00.123Z') });
  });

  it('binds parameters of every kind the app sends and reads them back', async () => {
    const at = new Date('2026-12-08T01:02:03.456Z');
    const doc = JSON.stringify({ 名: '乙', list: [1, 2] });
    const query = sql`select ${'丙'}::text as t, ${42}::int as i, ${'10.10'}::numeric as amount, ${at}::timestamptz as at, ${doc}::jsonb as doc, ${null}::text as nothing, ${true}::boolean as yes`;
    const [row] = await queryRows(thread.db, query);
    expect(row).toEqual((await queryRows(here.db, query))[0]);
    expect(row).toMatchObject({ t: '丙', i: 42, amount: '10.10', doc: { 名: '乙', list: [1, 2] }, nothing: null, yes: true });
  });

  it('reports a failed statement with its SQLSTATE and message, and the next statement runs', async () => {
    const err = await thread.db.execute(sql`insert into kinds (n) values (1)`).catch((e: unknown) => e);
    expect(sqlState(err)).toBe(UNIQUE_VIOLATION);
    expect(String((err as { cause?: { message?: string } }).cause?.message)).toContain('duplicate key');
    const missing = await thread.db.execute(sql`select * from no_such_table`).catch((e: unknown) => e);
    expect(sqlState(missing)).toBe('42P01');
    expect(await queryRows(thread.db, sql`select count(*)::int as n from kinds`)).toEqual([{ n: 2 }]);
  });

  it('commits a transaction’s writes together, rolls back a failed one’s, and runs other statements after the transaction under way', async () => {
    await thread.db.transaction(async (tx) => {
      await tx.execute(sql`insert into kinds (n, label) values (10, '十')`);
      await tx.execute(sql`insert into kinds (n, label) values (11, '十一')`);
    });
    const failed = await thread.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into kinds (n, label) values (12, '十二')`);
        await tx.execute(sql`insert into kinds (n) values (10)`); // a duplicate: the whole transaction goes
      })
      .catch((e: unknown) => e);
    expect(sqlState(failed)).toBe(UNIQUE_VIOLATION);
    await thread.db.transaction(async (tx) => {
      await tx.execute(sql`insert into kinds (n, label) values (13, '十三')`);
      tx.rollback();
    }).catch(() => undefined); // drizzle's rollback throws to end the callback
    expect(await queryRows(thread.db, sql`select n from kinds where n >= 10 order by n`)).toEqual([{ n: 10 }, { n: 11 }]);

    // a statement outside sent while a transaction is open waits for it, and sees its writes
    let inside!: () => void;
    const opened = new Promise<void>((resolve) => (inside = resolve));
    const transaction = thread.db.transaction(async (tx) => {
      await tx.execute(sql`insert into kinds (n, label) values (20, '二十')`);
      inside();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await tx.execute(sql`update kinds set label = '二十!' where n = 20`);
    });
    await opened;
    const outside = await queryRows(thread.db, sql`select label from kinds where n = 20`);
    await transaction;
    expect(outside).toEqual([{ label: '二十!' }]);
  });

  it('delivers a NOTIFY to a listener once its transaction commits, and none after the listener closes', async () => {
    const payloads: (string | undefined)[] = [];
    const listener = listenOnChannel(thread.db, 'thread_probe', (payload) => payloads.push(payload));
    await listener.ready;
    expect(listener.problem()).toBeNull();
    await thread.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_notify('thread_probe', 'one')`);
      expect(payloads).toEqual([undefined]); // only the start so far: nothing before the commit
    });
    await thread.db.execute(sql`select pg_notify('thread_probe', 'two')`);
    await expect.poll(() => payloads).toEqual([undefined, 'one', 'two']);
    await listener.close();
    await thread.db.execute(sql`select pg_notify('thread_probe', 'three')`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(payloads).toEqual([undefined, 'one', 'two']);
  });

  it('refuses a parser that would not keep the text (a function cannot cross threads), and answers after closing with a clear error', async () => {
    const client = (thread.db as unknown as { $client: PgliteThread }).$client;
    await expect(client.query('select 1', [], { parsers: { 23: (v: string) => Number(v) * 2 } })).rejects.toThrow(/cannot cross to the database thread/);
    const closing = await openDatabase({});
    await closing.close();
    await expect(closing.db.execute(sql`select 1`)).rejects.toThrow();
    const cause = await closing.db.execute(sql`select 1`).catch((e: { cause?: Error; message: string }) => e.cause?.message ?? e.message);
    expect(cause).toMatch(/database is closed/);
  });
});
