import { and, asc, desc, eq, gt, inArray, ne, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { applications } from '../applications/applications.schema';
import { institutions } from '../institutions/institutions.schema';
import { catalogueEvents, products } from './catalogue.schema';

export type ProductRow = typeof products.$inferSelect;
export type ProductInsert = typeof products.$inferInsert;
/** An event as buffered before its batch is written (column names as in the table; `at_ms` is when it happened). */
export interface BufferedEvent {
  kind: (typeof catalogueEvents.$inferInsert)['kind'];
  channel: NonNullable<(typeof catalogueEvents.$inferInsert)['channel']>;
  visitor: string;
  product_id: string | null;
  query: string | null;
  filters: Record<string, unknown>;
  /** a search: how many products matched */
  result_count: number | null;
  at_ms: number;
}
/** One day's impression count for a product in a list. */
export interface ImpressionCount {
  day: string;
  product_id: string;
  channel: string;
  list: string;
  count: number;
}
/** The statement that writes a batch of buffered events (`CatalogueRepository.insertEvents`). */
export function insertEventsSql(events: readonly BufferedEvent[]): SQL {
  return sql`
      insert into catalogue_events (kind, channel, visitor, product_id, query, filters, result_count, created_at)
      select kind, channel, visitor, product_id, query, coalesce(filters, '{}'::jsonb), result_count, to_timestamp(at_ms / 1000.0)
      from jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
        as e(kind text, channel text, visitor text, product_id text, query text, filters jsonb, result_count integer, at_ms bigint)`;
}
export type ProductWithInstitution = { product: ProductRow; institutionName: string; institutionFullName: string; institutionKind: string };

export interface ProductStats {
  applications30d: number;
  clicks30d: number;
  decided: number;
  approved: number;
}

/**
 * Of the products in `ids` (one text[] value), those listed now by an active institution, read
 * from the database: the in-memory read model of another instance may be a moment behind a product
 * just taken down or an institution just suspended, and an application must not reach either. A
 * part of another module's read (a submission reads it with the borrower, in one statement).
 */
export function listedAmongSql(ids: SQLWrapper): SQL<Set<string>> {
  return sql`(select coalesce(json_agg(${products.id}), '[]'::json) from ${products} inner join ${institutions} on ${institutions.id} = ${products.institutionId}
    where ${products.status} = 'listed' and ${institutions.status} = 'active' and ${products.id} = any(${ids}))`.mapWith((ids: string[]) => new Set(ids));
}

/** SQL for the catalogue: products, their institutions, outcomes and events. */
export class CatalogueRepository {
  constructor(private readonly db: Database) {}

  private selectWithInstitution(db: Database = this.db) {
    return db
      .select({
        product: products,
        institutionName: institutions.shortName,
        institutionFullName: institutions.name,
        institutionKind: institutions.kind,
      })
      .from(products)
      .innerJoin(institutions, eq(institutions.id, products.institutionId));
  }

  async insert(row: ProductInsert): Promise<ProductRow> {
    const [created] = await this.db.insert(products).values(row).returning();
    return created!;
  }

  async update(id: string, patch: Partial<ProductInsert>): Promise<ProductRow | undefined> {
    const [row] = await this.db
      .update(products)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(products.id, id))
      .returning();
    return row;
  }

  async find(id: string): Promise<ProductWithInstitution | undefined> {
    const [row] = await this.selectWithInstitution().where(eq(products.id, id));
    return row;
  }

  /** Listed products of active institutions: what consumers may see. */
  listedWithInstitution(ids?: string[]): Promise<ProductWithInstitution[]> {
    return this.selectWithInstitution().where(
      and(eq(products.status, 'listed'), eq(institutions.status, 'active'), ids ? inArray(products.id, ids) : undefined),
    );
  }

  /** Which of these products are listed by an active institution right now, read in `db` (a transaction). */
  forInstitution(institutionId: string): Promise<ProductWithInstitution[]> {
    return this.selectWithInstitution().where(eq(products.institutionId, institutionId)).orderBy(asc(products.name));
  }

  withoutPricing(): Promise<ProductRow[]> {
    return this.db.select().from(products).where(eq(products.aprMax, '0'));
  }

  /** A cheap fingerprint of the listed catalogue: changes whenever a product or institution does. */
  async fingerprint(): Promise<string> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int`, latest: sql<string>`coalesce(max(${products.updatedAt})::text, '')` })
      .from(products);
    const [inst] = await this.db.select({ s: sql<string>`coalesce(string_agg(${institutions.status}, ''), '')` }).from(institutions);
    return `${row?.n}:${row?.latest}:${inst?.s}`;
  }

  /** Applications and clicks in the last 30 days, and decisions ever, per product. */
  async stats(): Promise<Map<string, ProductStats>> {
    const since = sql`now() - interval '30 days'`;
    const apps = await this.db
      .select({
        productId: applications.productId,
        recent: sql<number>`count(*) filter (where ${applications.createdAt} > ${since})::int`,
        decided: sql<number>`count(*) filter (where ${applications.status} in ('approved','disbursed','rejected'))::int`,
        approved: sql<number>`count(*) filter (where ${applications.status} in ('approved','disbursed'))::int`,
      })
      .from(applications)
      .groupBy(applications.productId);
    const clicks = await this.db
      .select({ productId: catalogueEvents.productId, n: sql<number>`count(*)::int` })
      .from(catalogueEvents)
      .where(and(inArray(catalogueEvents.kind, ['view', 'click']), gt(catalogueEvents.createdAt, since)))
      .groupBy(catalogueEvents.productId);
    const out = new Map<string, ProductStats>();
    const get = (id: string) => {
      let s = out.get(id);
      if (!s) out.set(id, (s = { applications30d: 0, clicks30d: 0, decided: 0, approved: 0 }));
      return s;
    };
    for (const a of apps) Object.assign(get(a.productId), { applications30d: a.recent, decided: a.decided, approved: a.approved });
    for (const c of clicks) if (c.productId) get(c.productId).clicks30d = c.n;
    return out;
  }

  /**
   * Writes a batch of events in one statement with one parameter (the rows as JSON): a batch is
   * thousands of rows, and binding each value separately costs more than the insert itself.
   */
  async insertEvents(events: readonly BufferedEvent[]): Promise<void> {
    await this.db.execute(insertEventsSql(events));
  }

  /** Adds impression counts to the day's totals (one statement, the rows as one JSON parameter). */
  async addImpressions(rows: readonly ImpressionCount[]): Promise<void> {
    await this.db.execute(sql`
      insert into catalogue_impressions (day, product_id, channel, list, count)
      select day, product_id, channel, list, count
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as i(day date, product_id text, channel text, list text, count bigint)
      on conflict (day, product_id, channel, list) do update set count = catalogue_impressions.count + excluded.count`);
  }

  async insertMany(rows: ProductInsert[]): Promise<void> {
    await this.db.insert(products).values(rows);
  }

  /** A visitor's recent events, newest first. */
  recentEvents(visitor: string, limit = 50) {
    return this.db
      .select()
      .from(catalogueEvents)
      .where(and(eq(catalogueEvents.visitor, visitor), ne(catalogueEvents.kind, 'impression')))
      .orderBy(desc(catalogueEvents.id))
      .limit(limit);
  }
}
