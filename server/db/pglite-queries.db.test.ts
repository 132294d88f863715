import { PGlite, type QueryOptions } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { drizzlePgliteOptions } from '../../test/support/drizzle-pglite-options';
import { drizzleInternals, openDatabase, queryRows, sqlState, type DatabaseHandle } from './client';

/**
 * streamlineQueries (server/db/pglite-queries.ts) on PGlite: drizzle's keep-the-text parsers live
 * on the instance instead of being merged into a copy per query, and parameterised statements are
 * prepared once. What the app reads, writes and is told on failure must not change: the same
 * values as PGlite given drizzle's options itself, in and out of a transaction.
 */

const selectAll = () => sql`select at, at::date as day, span, amounts, stamps, doc, n, label from parsed where n >= ${0} order by n`;
const unwrappedQuery = PGlite.prototype.query;

async function preparedTexts(handle: DatabaseHandle): Promise<string[]> {
  const rows = await queryRows<{ statement: string }>(handle.db, sql`select statement from pg_prepared_statements order by statement`);
  return rows.map((r) => r.statement);
}

describe('PGlite queries, streamlined', () => {
  const reachedPglite: { text: string; options?: QueryOptions }[] = [];
  let handle: DatabaseHandle;
  let client: PGlite;
  /** the rows PGlite's own query gives for selectAll with drizzle's options (what the app read before) */
  const expectedRows = async () => {
    const { sql: text, params } = drizzleInternals(handle.db).dialect.sqlToQuery(selectAll());
    return (await unwrappedQuery.call(client, text, params, drizzlePgliteOptions(handle.db, 'object')())).rows;
  };

  beforeAll(async () => {
    vi.spyOn(PGlite.prototype, 'query').mockImplementation(function (this: PGlite, text: string, params?: unknown[], options?: QueryOptions) {
      reachedPglite.push({ text, options });
      return unwrappedQuery.call(this, text, params, options);
    } as PGlite['query']);
    handle = await openDatabase({ preparedStatements: true, pgliteThread: 'caller' });
    client = (handle.db as unknown as { $client: PGlite }).$client;
    await handle.db.execute(sql`create table parsed (at timestamptz, span interval, amounts numeric[], stamps timestamptz[], doc jsonb, n integer primary key, label text)`);
    await handle.db.execute(sql`insert into parsed values
      ('2026-12-07 10:00:00.123+08', '1 day 2 hours', '{1.50,2}', '{"2026-12-07 10:00:00+08","2026-12-08 00:00:00+08"}', '{"a": [1, "二"]}', 1, '甲'),
      (null, null, null, null, null, 2, null)`);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await handle.close();
  });

  it('reads the values PGlite gives with drizzle’s own parsers: dates and times as text, the rest parsed', async () => {
    const expected = await expectedRows();
    const rows = await queryRows(handle.db, selectAll());
    expect(rows).toEqual(expected);
    expect(rows[0]).toEqual({
      at: '2026-12-07 02:00:00.123+00',
      day: '2026-12-07',
      span: '1 day 02:00:00',
      amounts: '{1.50,2}',
      stamps: '{"2026-12-07 02:00:00+00","2026-12-07 16:00:00+00"}',
      doc: { a: [1, '二'] },
      n: 1,
      label: '甲',
    });
    expect(rows[1]).toEqual({ at: null, day: null, span: null, amounts: null, stamps: null, doc: null, n: 2, label: null });
  });

  it('sends a statement without parameters on to PGlite without drizzle’s parsers, in the row mode asked for', async () => {
    reachedPglite.length = 0;
    await queryRows(handle.db, sql`select now() as at`);
    await handle.db.select({ n: sql<number>`1` }).from(sql`parsed`);
    expect(reachedPglite.map((r) => r.options)).toEqual([{ rowMode: 'object' }, { rowMode: 'array' }]);
  });

  it('prepares a parameterised statement once and runs it by name after that, with each call’s values', async () => {
    reachedPglite.length = 0;
    const read = (n: number) => queryRows<{ n: number; label: string | null }>(handle.db, sql`select n, label from parsed where n = ${n}`);
    expect(await read(1)).toEqual([{ n: 1, label: '甲' }]);
    expect(await read(2)).toEqual([{ n: 2, label: null }]);
    expect(await read(3)).toEqual([]);
    expect(reachedPglite).toEqual([]); // none of them went through PGlite's unnamed query
    expect((await preparedTexts(handle)).filter((t) => t === 'select n, label from parsed where n = $1')).toHaveLength(1);
  });

  it('writes and reads back every kind of value the app binds: text, numbers, json, arrays, timestamps, null', async () => {
    const doc = { 名: '乙', list: [1, 2.5, null], nested: { ok: true } };
    await handle.db.execute(
      sql`insert into parsed (n, label, doc, amounts, at, span) values (${10}, ${'它说"你好"\n'}, ${JSON.stringify(doc)}::jsonb, ${'{3.14,0}'}::numeric[], ${'2026-12-07T08:00:00.000Z'}::timestamptz, ${'P1DT2H'}::interval)`,
    );
    const [row] = await queryRows(handle.db, sql`select n, label, doc, amounts, at, span, n + ${0.5}::numeric as half from parsed where n = ${10} and label is not distinct from ${'它说"你好"\n'}`);
    expect(row).toEqual({ n: 10, label: '它说"你好"\n', doc, amounts: '{3.14,0}', at: '2026-12-07 08:00:00+00', span: '1 day 02:00:00', half: '10.5' });
    const [nulls] = await queryRows(handle.db, sql`select ${null}::text as t, coalesce(${null}::int, ${7}) as n`);
    expect(nulls).toEqual({ t: null, n: 7 });
  });


  it('binds long text with characters of every UTF-8 length and bytes, as PostgreSQL counts them', async () => {
    const long = 'a é 信用贷 😀𠀋 '.repeat(2_000);
    const bytes = new Uint8Array([0, 1, 127, 128, 254, 255]);
    const [row] = await queryRows(handle.db, sql`select ${long}::text = ${long} as same, length(${long}::text) as chars, octet_length(${long}::text) as octets, ${bytes}::bytea as bytes`);
    expect(row).toEqual({ same: true, chars: [...long].length, octets: Buffer.byteLength(long), bytes });
  });
  it('reports a failed prepared statement as PGlite would, and the next statement runs', async () => {
    const insert = (n: number) => handle.db.execute(sql`insert into parsed (n, label) values (${n}, ${'重复'})`);
    await insert(20);
    const duplicate = await insert(20).catch((err: unknown) => err);
    expect(sqlState(duplicate)).toBe('23505');
    const badValue = await queryRows(handle.db, sql`select n from parsed where n = ${'abc'}`).catch((err: unknown) => err);
    expect(sqlState(badValue)).toBe('22P02');
    const badText = await queryRows(handle.db, sql`select n from no_such_table where n = ${1}`).catch((err: unknown) => err);
    expect(sqlState(badText)).toBe('42P01');
    expect(await queryRows(handle.db, sql`select n from parsed where n = ${20}`)).toEqual([{ n: 20 }]);
    expect(await preparedTexts(handle)).not.toContain('select n from no_such_table where n = $1');
  });

  it('reads and writes the same inside a transaction, and rolls back what a failed statement’s transaction wrote', async () => {
    const expected = await expectedRows();
    const rows = await handle.db.transaction(async (tx) => queryRows(tx, selectAll()));
    expect(rows).toEqual(expected);

    const failed = await handle.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into parsed (n, label) values (${30}, ${'回滚'})`);
        await tx.execute(sql`insert into parsed (n, label) values (${30}, ${'回滚'})`);
      })
      .catch((err: unknown) => err);
    expect(sqlState(failed)).toBe('23505');
    expect(await queryRows(handle.db, sql`select n from parsed where n = ${30}`)).toEqual([]);
  });

  it('keeps a statement first prepared in a transaction that rolled back', async () => {
    const text = sql`select count(*)::int as c from parsed where n > ${40}`;
    await handle.db
      .transaction(async (tx) => {
        await queryRows(tx, text);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await preparedTexts(handle)).toContain('select count(*)::int as c from parsed where n > $1');
    expect(await queryRows(handle.db, text)).toEqual([{ c: 0 }]);
  });

  it('runs a kept statement again after the table it reads changes', async () => {
    const read = () => queryRows(handle.db, sql`select n, label from parsed where n = ${1}`);
    expect(await read()).toEqual([{ n: 1, label: '甲' }]);
    await handle.db.execute(sql`alter table parsed add column extra text default '加'`);
    expect(await read()).toEqual([{ n: 1, label: '甲' }]);
    // a column it returns changes type: PostgreSQL refuses the kept plan, so it is prepared again
    await handle.db.execute(sql`alter table parsed alter column label type varchar(20)`);
    expect(await read()).toEqual([{ n: 1, label: '甲' }]);
    await handle.db.execute(sql`alter table parsed alter column label type text`);
    const inTransaction = await handle.db.transaction(async (tx) => queryRows(tx, sql`select n, label from parsed where n = ${1}`)).catch((err: unknown) => err);
    expect(sqlState(inTransaction)).toBe('0A000'); // the transaction cannot go on after it: its caller sees the failure
    expect(await read()).toEqual([{ n: 1, label: '甲' }]);
  });

  it('serves statements sent at once, in and out of a transaction, each its own answer', async () => {
    const reads = Array.from({ length: 40 }, (_, i) => queryRows<{ v: number }>(handle.db, sql`select ${i}::int + 0 as v`));
    const inTx = handle.db.transaction(async (tx) => {
      const out = [];
      for (let i = 0; i < 5; i++) out.push((await queryRows<{ v: number }>(tx, sql`select ${i}::int * 2 as v`))[0]!.v);
      return out;
    });
    const answers = await Promise.all(reads);
    expect(answers.map((r) => r[0]!.v)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await inTx).toEqual([0, 2, 4, 6, 8]);
  });

  it('leaves a query asking for any other parser as it is, and installs nothing from it', async () => {
    const plusOne = (value: string) => Number(value) + 1;
    const asked = await client.query<{ n: number }>('select 41 as n', [], { parsers: { 23: plusOne } });
    expect(asked.rows).toEqual([{ n: 42 }]);
    expect(reachedPglite.at(-1)?.options?.parsers).toEqual({ 23: plusOne });
    expect(await queryRows<{ n: number }>(handle.db, sql`select 41 as n`)).toEqual([{ n: 41 }]);
  });
});

describe('PGlite with DATABASE_PREPARED_STATEMENTS off', () => {
  it('prepares nothing', async () => {
    const handle = await openDatabase({ preparedStatements: false, pgliteThread: 'caller' });
    try {
      expect(await queryRows(handle.db, sql`select ${1}::int as n`)).toEqual([{ n: 1 }]);
      expect(await preparedTexts(handle)).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
