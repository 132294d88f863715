import { sql, type Placeholder, type Query } from 'drizzle-orm';
import type { Database } from './client';

/** A drizzle query that can be prepared: a select, insert, update or delete builder. */
interface Preparable {
  prepare(name?: string): { execute(values?: Record<string, unknown>): Promise<unknown> };
}

type ResultOf<Q extends Preparable> = Awaited<ReturnType<ReturnType<Q['prepare']>['execute']>>;

/** What drizzle keeps inside a prepared query (not in its public types): the rendered SQL and how rows are mapped back. */
interface Rendered {
  queryString: string;
  params: unknown[];
  fields?: unknown;
  _isResponseInArrayMode: boolean;
  customResultMapper?: unknown;
  joinsNotNullableMap?: Record<string, boolean>;
}

interface Session {
  prepareQuery(query: Query, fields: unknown, name: undefined, arrayMode: boolean, customResultMapper?: unknown): Executable;
}
interface Executable {
  joinsNotNullableMap?: Record<string, boolean>;
  execute(values: Record<string, unknown>): Promise<unknown>;
}

/**
 * A query of a fixed shape whose SQL is built and rendered once per process instead of on every
 * call. Drizzle renders a query from its builder tree each time it runs; on the applying bench
 * that was ~0.8 ms of the serving thread per multi-apply (docs/benchmarks.md, ninth pass), more
 * than the statements' own driver work. `build` makes the query with a placeholder for each value
 * that varies between calls (`p.id`, from `names`); the returned function runs it on any handle, the
 * database or an open transaction, with the values of this call, and answers what the builder's own
 * `execute` would (rows mapped the same way). A list goes in as one array value: compare with
 * `= any(${p.ids})`, not `inArray`, whose SQL depends on the list's length.
 */
export function preparedQuery<Name extends string, Q extends Preparable>(
  names: readonly Name[],
  build: (db: Database, p: Record<Name, Placeholder<Name>>) => Q,
): (db: Database, values: Record<Name, unknown>) => Promise<ResultOf<Q>> {
  let rendered: Rendered | undefined;
  // a prepared query is bound to its session: the database's lives as long as the process, a transaction's until it ends
  const bySession = new WeakMap<object, Executable>();
  return (db, values) => {
    const { session } = db as unknown as { session: Session };
    let query = bySession.get(session);
    if (!query) {
      rendered ??= renderOnce(db, names, build);
      query = session.prepareQuery({ sql: rendered.queryString, params: rendered.params }, rendered.fields, undefined, rendered._isResponseInArrayMode, rendered.customResultMapper);
      query.joinsNotNullableMap = rendered.joinsNotNullableMap;
      bySession.set(session, query);
    }
    return query.execute(values) as Promise<ResultOf<Q>>;
  };
}

function renderOnce<Name extends string>(db: Database, names: readonly Name[], build: (db: Database, p: Record<Name, Placeholder<Name>>) => Preparable): Rendered {
  const placeholders = Object.fromEntries(names.map((name) => [name, sql.placeholder(name)])) as Record<Name, Placeholder<Name>>;
  const rendered = build(db, placeholders).prepare() as unknown as Rendered;
  if (typeof rendered.queryString !== 'string' || !Array.isArray(rendered.params)) throw new Error('preparedQuery: this drizzle version keeps its prepared queries differently');
  return rendered;
}
