import { and, desc, eq, gte, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { catalogueEvents } from '../catalogue/catalogue.schema';
import { searchDictionaryVersions } from './search-dictionary.schema';

export type DictionaryVersionRow = typeof searchDictionaryVersions.$inferSelect;
export type DictionaryVersionInsert = typeof searchDictionaryVersions.$inferInsert;

/** One search text over a period: how often, when last, and how many products the latest search found. */
export interface QueryStat {
  query: string;
  searches: number;
  lastSeen: Date;
  /** products matched by the latest search (null: recorded before result counts were kept) */
  lastResultCount: number | null;
  /** searches that found nothing */
  zeroResults: number;
}

/** SQL for the search dictionary versions and the search report (reads the catalogue's search events). */
export class SearchDictionaryRepository {
  constructor(private readonly db: Database) {}

  /** the version in force; inside a save, read through its transaction (`tx`) */
  async latest(db: Database = this.db): Promise<DictionaryVersionRow | undefined> {
    const [row] = await db.select().from(searchDictionaryVersions).orderBy(desc(searchDictionaryVersions.version)).limit(1);
    return row;
  }

  list(limit: number): Promise<DictionaryVersionRow[]> {
    return this.db.select().from(searchDictionaryVersions).orderBy(desc(searchDictionaryVersions.version)).limit(limit);
  }

  async find(version: number): Promise<DictionaryVersionRow | undefined> {
    const [row] = await this.db.select().from(searchDictionaryVersions).where(eq(searchDictionaryVersions.version, version));
    return row;
  }

  async insert(tx: Tx, row: DictionaryVersionInsert): Promise<DictionaryVersionRow> {
    const [created] = await tx.insert(searchDictionaryVersions).values(row).returning();
    return created!;
  }

  /** Search texts since `since` (lower-cased), most searched first; `zeroOnly` keeps those that found nothing at least once, most such searches first. */
  queryStats(since: Date, limit: number, zeroOnly = false): Promise<QueryStat[]> {
    const e = catalogueEvents;
    const text = sql<string>`lower(${e.query})`;
    const searches = sql<number>`count(*)::int`;
    const zero = sql<number>`(count(*) filter (where ${e.resultCount} = 0))::int`;
    const lastSeen = sql<Date>`max(${e.createdAt})`.mapWith(e.createdAt);
    const query = this.db
      .select({
        query: text,
        searches,
        lastSeen,
        lastResultCount: sql<number | null>`(array_agg(${e.resultCount} order by ${e.createdAt} desc, ${e.id} desc))[1]`,
        zeroResults: zero,
      })
      .from(e)
      .where(and(eq(e.kind, 'search'), isNotNull(e.query), gte(e.createdAt, since)))
      .groupBy(text);
    return (zeroOnly ? query.having(sql`count(*) filter (where ${e.resultCount} = 0) > 0`).orderBy(desc(zero), desc(lastSeen), text) : query.orderBy(desc(searches), desc(lastSeen), text)).limit(limit);
  }
}
