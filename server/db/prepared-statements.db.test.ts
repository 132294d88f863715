import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase, serverDatabaseUrl } from '../../test/support/database-template';
import { withTransaction } from '../lib/tx';
import { openDatabase, queryRows } from './client';
import { prepareStatementsOn, preparedStatementsFromEnv } from './prepared-statements';

/**
 * Statements prepared once per connection (DATABASE_PREPARED_STATEMENTS) on the PostgreSQL server
 * of TEST_DATABASE_URL: what is kept on the server, what is not, and that answers do not change.
 */

describe('DATABASE_PREPARED_STATEMENTS', () => {
  it('is on when unset or blank, else on or off as given', () => {
    expect(preparedStatementsFromEnv({})).toBe(true);
    expect(preparedStatementsFromEnv({ DATABASE_PREPARED_STATEMENTS: ' ' })).toBe(true);
    expect(preparedStatementsFromEnv({ DATABASE_PREPARED_STATEMENTS: 'on' })).toBe(true);
    expect(preparedStatementsFromEnv({ DATABASE_PREPARED_STATEMENTS: 'OFF' })).toBe(false);
  });

  it('refuses anything else at start, naming the variable', () => {
    for (const bad of ['yes', '0', 'true', 'session']) {
      expect(() => preparedStatementsFromEnv({ DATABASE_PREPARED_STATEMENTS: bad })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
    }
  });
});

const baseUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!baseUrl)('prepared statements on the PostgreSQL server', () => {
  const name = `dc_test_prep_${randomBytes(4).toString('hex')}`;
  let url: string;

  beforeAll(async () => {
    await createServerDatabase(baseUrl!, name);
    url = serverDatabaseUrl(baseUrl!, name);
  });
  afterAll(async () => {
    await dropServerDatabase(baseUrl!, name);
  });

  async function connected(limits?: { perConnection?: number; maxText?: number }): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    prepareStatementsOn(client, limits);
    return client;
  }
  const keptOn = async (client: pg.Client): Promise<string[]> =>
    (await client.query<{ statement: string }>('select statement from pg_prepared_statements order by prepare_time')).rows.map((r) => r.statement);

  it('keeps a parameterised statement prepared after its first run, and answers every run as unnamed', async () => {
    const client = await connected();
    try {
      for (const n of [1, 2, 3]) {
        const { rows } = await client.query('select $1::int * 2 as doubled', [n]);
        expect(rows).toEqual([{ doubled: n * 2 }]);
      }
      const config = await client.query({ text: 'select $1::text || $2::text as joined', values: ['借', '款'] });
      expect(config.rows).toEqual([{ joined: '借款' }]);
      // one prepared statement per text, however often it ran
      expect(await keptOn(client)).toEqual(['select $1::int * 2 as doubled', 'select $1::text || $2::text as joined']);
    } finally {
      await client.end();
    }
  });

  it('leaves statements without parameters, longer texts and those past the cap unnamed', async () => {
    const client = await connected({ perConnection: 2, maxText: 60 });
    try {
      await client.query('select 1 as one');
      await client.query(`select $1::int as long${'_'.repeat(60)}`, [1]);
      for (const n of [1, 2, 3]) await client.query(`select $1::int + ${n} as n`, [n]);
      expect(await keptOn(client)).toEqual(['select $1::int + 1 as n', 'select $1::int + 2 as n']);
      // past the cap still answers
      const { rows } = await client.query('select $1::int + 3 as n', [4]);
      expect(rows).toEqual([{ n: 7 }]);
    } finally {
      await client.end();
    }
  });

  it('keeps a statement named by its caller under that name', async () => {
    const client = await connected();
    try {
      await client.query({ name: 'callers_own', text: 'select $1::int as x', values: [5] });
      expect((await client.query<{ name: string }>('select name from pg_prepared_statements')).rows.map((r) => r.name)).toEqual(['callers_own']);
    } finally {
      await client.end();
    }
  });

  it('still answers after a table it reads changes shape (the server re-plans it)', async () => {
    const client = await connected();
    try {
      await client.query('create table prep_probe (id int primary key, label text)');
      await client.query('insert into prep_probe values ($1, $2)', [1, '信用贷']);
      const read = () => client.query('select label from prep_probe where id = $1', [1]);
      expect((await read()).rows).toEqual([{ label: '信用贷' }]);
      await client.query('alter table prep_probe add column note text');
      await client.query('create index prep_probe_label on prep_probe (label)');
      expect((await read()).rows).toEqual([{ label: '信用贷' }]);
    } finally {
      await client.end();
    }
  });

  it('is what openDatabase does by default, through drizzle and in transactions; off keeps nothing', async () => {
    for (const preparedStatements of [undefined, false]) {
      const handle = await openDatabase({ url, poolMax: 1, preparedStatements });
      try {
        const kept = await withTransaction(handle.db, async (tx) => {
          const rows = await queryRows<{ n: number }>(tx, sql`select ${41}::int + 1 as n`);
          expect(rows).toEqual([{ n: 42 }]);
          return queryRows<{ statement: string }>(tx, sql`select statement from pg_prepared_statements`);
        });
        expect(kept.map((r) => r.statement)).toEqual(preparedStatements === false ? [] : ['select $1::int + 1 as n']);
      } finally {
        await handle.close();
      }
    }
  });
});
