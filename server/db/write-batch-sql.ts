import { Param, SQL, getTableColumns, sql, type Query, type SQLWrapper, type Table } from 'drizzle-orm';
import { PgInsertBase, getTableConfig, type PgColumn, type PgDialect, type PgTable } from 'drizzle-orm/pg-core';

type InsertConfig = {
  table: Table;
  values: Record<string, unknown>[] | unknown;
  select?: boolean;
  withList?: unknown[];
  onConflict?: unknown;
  returning?: unknown;
  overridingSystemValue_?: boolean;
};

/** Per table: `insert into "t" ("a", "b") values ` and the columns an insert lists, made once. */
const insertHeads = new WeakMap<Table, { head: string; columns: [string, PgColumn][] }>();
function insertHead(dialect: PgDialect, table: Table): { head: string; columns: [string, PgColumn][] } {
  let made = insertHeads.get(table);
  if (!made) {
    const quote = (name: string) => dialect.escapeName(name);
    const { schema, name: tableName } = getTableConfig(table as PgTable);
    const name = quote(tableName);
    // as drizzle: every column but those it never inserts (generated ones)
    const columns = Object.entries(getTableColumns(table) as Record<string, PgColumn>).filter(([, col]) => !(col as unknown as { shouldDisableInsert(): boolean }).shouldDisableInsert());
    made = { head: `insert into ${schema === undefined ? name : `${quote(schema)}.${name}`} (${columns.map(([, col]) => quote(col.name)).join(', ')}) values `, columns };
    insertHeads.set(table, made);
  }
  return made;
}

/**
 * A plain multi-row insert (`db.insert(t).values(rows)`, nothing else) as drizzle's
 * `buildInsertQuery` renders it, appending its values to `params`; undefined for anything else
 * (a value or default that is SQL, ON CONFLICT, RETURNING, INSERT … SELECT), which drizzle renders.
 */
function renderPlainInsert(dialect: PgDialect, write: SQLWrapper, params: unknown[]): string | undefined {
  if (!(write instanceof PgInsertBase)) return undefined;
  const c = (write as unknown as { config: InsertConfig }).config;
  if (c.select || c.withList?.length || c.onConflict || c.returning || c.overridingSystemValue_ || !Array.isArray(c.values)) return undefined;
  const { head, columns } = insertHead(dialect, c.table);
  const start = params.length;
  const rows: string[] = [];
  for (const row of c.values as Record<string, unknown>[]) {
    const cells: string[] = [];
    for (const [key, col] of columns) {
      let value = row[key];
      if (value === undefined || (value instanceof Param && value.value === undefined)) {
        // as drizzle: the column's $defaultFn, else its $onUpdateFn when it has no default, else DEFAULT
        const fn = col.defaultFn ?? (!col.default ? col.onUpdateFn : undefined);
        if (fn === undefined) {
          cells.push('default');
          continue;
        }
        value = new Param(fn(), col);
      }
      if (!(value instanceof Param)) return bail(params, start);
      const mapped = value.value === null ? null : value.encoder.mapToDriverValue(value.value);
      if (mapped instanceof SQL) return bail(params, start);
      params.push(mapped);
      cells.push(`$${params.length}`);
    }
    rows.push(`(${cells.join(', ')})`);
  }
  return head + rows.join(', ');
}
function bail(params: unknown[], start: number): undefined {
  params.length = start;
  return undefined;
}

/**
 * Any other write as drizzle renders it, its placeholders moved past the `params` already taken;
 * undefined when its text does not number exactly its own parameters (then the whole statement is
 * left to drizzle).
 */
function renderByDrizzle(dialect: PgDialect, write: SQLWrapper, params: unknown[]): string | undefined {
  const built = dialect.sqlToQuery(write.getSQL());
  const offset = params.length;
  const seen = new Set<number>();
  let placeholders = 0;
  if (built.sql.includes('$$')) return undefined;
  const text = built.sql.replace(/\$(\d+)/g, (_, n: string) => {
    placeholders++;
    seen.add(Number(n));
    return `$${Number(n) + offset}`;
  });
  // drizzle writes each value's placeholder once: any other `$n` (in a literal, a comment) is not one to move
  if (placeholders !== built.params.length || seen.size !== built.params.length || [...seen].some((n) => n < 1 || n > built.params.length)) return undefined;
  params.push(...built.params);
  return text;
}

/**
 * `executeTogether`'s statement (`with w1 as (…), … <last>`) rendered without walking drizzle's
 * SQL tree for the plain inserts that make most of it: a multi-apply's batch has ~220 values, and
 * drizzle's renderer checked each of them against every kind of SQL chunk (0.8 ms a batch on the
 * applying bench). Other writes are rendered by drizzle and renumbered. The text depends only on
 * the shape (tables, columns, rows), so a prepared statement is reused across submissions.
 * Undefined when a part cannot be rendered so: the caller lets drizzle render the whole.
 */
export function renderTogether(dialect: PgDialect, writes: readonly SQLWrapper[], notifications: readonly { channel: string; payload: string }[]): Query | undefined {
  const params: unknown[] = [];
  const texts: string[] = [];
  for (const write of writes) {
    const text = renderPlainInsert(dialect, write, params) ?? renderByDrizzle(dialect, write, params);
    if (text === undefined) return undefined;
    texts.push(text);
  }
  const last = notifications.length ? renderByDrizzle(dialect, notifySelect(notifications), params) : texts.pop()!;
  if (last === undefined) return undefined;
  const before = texts.map((text, i) => `"w${i + 1}" as (${text})`);
  return { sql: before.length ? `with ${before.join(', ')} ${last}` : last, params };
}

/** The NOTIFYs of a write batch as its closing SELECT (the only part PostgreSQL runs for its result). */
export function notifySelect(notifications: readonly { channel: string; payload: string }[]): SQL {
  return sql`select pg_notify(n.channel, n.payload) from (values ${sql.join(
    notifications.map((n) => sql`(${n.channel}, ${n.payload})`),
    sql`, `,
  )}) as n(channel, payload)`;
}
