import { sql } from 'drizzle-orm';
import { queryRows, type Database } from './client';

/** A table of insert-only counter deltas: a count is the sum of its rows per key. */
export interface DeltaTable {
  table: string;
  /** the columns a count is kept per */
  keys: readonly string[];
  /** the columns summed */
  sums: readonly string[];
}

/**
 * Folds a delta table's rows into one per key (none for a key whose sums are all zero), in one
 * statement: the rows it deletes are exactly the rows it sums, so a count never changes by folding.
 * Rows committed while it runs are not in its snapshot and stay for the next fold; a concurrent fold
 * waits for this one and then skips the rows it deleted. Returns how many rows were folded.
 */
export async function foldDeltas(db: Database, t: DeltaTable): Promise<number> {
  const keys = t.keys.join(', ');
  const sums = t.sums.map((c) => `sum(${c})`);
  const [row] = await queryRows<{ folded: number }>(
    db,
    sql.raw(`with gone as (delete from ${t.table} returning ${[...t.keys, ...t.sums].join(', ')}),
      kept as (insert into ${t.table} (${[...t.keys, ...t.sums].join(', ')})
        select ${keys}, ${sums.join(', ')} from gone group by ${keys} having ${sums.map((s) => `${s} <> 0`).join(' or ')} returning 1)
      select (select count(*) from gone)::int as folded`),
  );
  return row?.folded ?? 0;
}
