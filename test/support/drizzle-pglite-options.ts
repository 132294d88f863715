import type { QueryOptions } from '@electric-sql/pglite';
import { drizzleInternals, type Database } from '../../server/db/client';

/**
 * The options drizzle's PGlite driver passes with each query (its row mode and its keep-the-text
 * type parsers), taken from drizzle itself rather than copied: `rowMode` 'object' is what
 * `db.execute` sends, 'array' what a select sends. Each call answers a fresh copy, as drizzle
 * makes one per query.
 */
export function drizzlePgliteOptions(db: Database, rowMode: 'object' | 'array'): () => QueryOptions {
  const prepared = drizzleInternals(db).session.prepareQuery({ sql: 'select 1', params: [] }, undefined, undefined, false) as unknown as Record<'rawQueryConfig' | 'queryConfig', QueryOptions>;
  const config = rowMode === 'object' ? prepared.rawQueryConfig : prepared.queryConfig;
  if (config?.rowMode !== rowMode || !config.parsers) throw new Error(`drizzle's PGlite driver no longer keeps its ${rowMode} query options where this expects them`);
  return () => ({ ...config, parsers: { ...config.parsers } });
}
