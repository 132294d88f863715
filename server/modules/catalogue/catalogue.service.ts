import { and, asc, desc, eq, gte, ilike, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { NotFoundError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { institutions } from '../institutions/institutions.schema';
import { products, type ProductStatus } from './catalogue.schema';

export type ProductRow = typeof products.$inferSelect;
export type NewProduct = Omit<typeof products.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;

export interface ProductView extends ProductRow {
  institutionName: string;
  institutionKind: string;
}

export interface ProductQuery {
  q?: string;
  category?: string;
  institution?: string;
  amountFen?: number;
  termMonths?: number;
  sort?: 'rate' | 'amount' | 'speed' | 'newest';
  page: number;
  pageSize: number;
}

export interface ProductPage {
  items: ProductView[];
  total: number;
  page: number;
  pageSize: number;
}


export class CatalogueService {
  constructor(private readonly db: Database) {}

  async create(input: NewProduct): Promise<ProductRow> {
    const [row] = await this.db
      .insert(products)
      .values({ id: newId('prd'), ...input })
      .returning();
    return row!;
  }

  private select() {
    return this.db
      .select({ product: products, institutionName: institutions.shortName, institutionKind: institutions.kind })
      .from(products)
      .innerJoin(institutions, eq(institutions.id, products.institutionId));
  }

  private static toView(row: { product: ProductRow; institutionName: string; institutionKind: string }): ProductView {
    return { ...row.product, institutionName: row.institutionName, institutionKind: row.institutionKind };
  }

  /** Listed products only: what consumers may see. */
  async searchListed(query: ProductQuery): Promise<ProductPage> {
    const conditions: SQL[] = [eq(products.status, 'listed'), eq(institutions.status, 'active')];
    if (query.q) {
      const like = `%${query.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      conditions.push(
        or(
          ilike(products.name, like),
          ilike(products.summary, like),
          ilike(institutions.name, like),
          sql`array_to_string(${products.tags}, ' ') ilike ${like}`,
        )!,
      );
    }
    if (query.category) conditions.push(eq(products.category, query.category));
    if (query.institution) conditions.push(eq(products.institutionId, query.institution));
    if (query.amountFen !== undefined) {
      conditions.push(lte(products.minAmountFen, query.amountFen), gte(products.maxAmountFen, query.amountFen));
    }
    if (query.termMonths !== undefined) conditions.push(sql`${query.termMonths} = any(${products.termOptions})`);
    const where = and(...conditions);
    const order = {
      rate: [asc(products.rateMin), asc(products.id)],
      amount: [desc(products.maxAmountFen), asc(products.id)],
      speed: [asc(products.decisionMinutes), asc(products.id)],
      newest: [desc(products.createdAt), asc(products.id)],
    }[query.sort ?? 'rate'];
    const [rows, [count]] = await Promise.all([
      this.select()
        .where(where)
        .orderBy(...order)
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize),
      this.db
        .select({ n: sql<number>`count(*)::int` })
        .from(products)
        .innerJoin(institutions, eq(institutions.id, products.institutionId))
        .where(where),
    ]);
    return { items: rows.map(CatalogueService.toView), total: count?.n ?? 0, page: query.page, pageSize: query.pageSize };
  }

  async getListed(id: string): Promise<ProductView> {
    const [row] = await this.select().where(
      and(eq(products.id, id), eq(products.status, 'listed'), eq(institutions.status, 'active')),
    );
    if (!row) throw new NotFoundError('产品');
    return CatalogueService.toView(row);
  }

  async get(id: string): Promise<ProductView> {
    const [row] = await this.select().where(eq(products.id, id));
    if (!row) throw new NotFoundError('产品');
    return CatalogueService.toView(row);
  }

  async listForInstitution(institutionId: string): Promise<ProductView[]> {
    const rows = await this.select().where(eq(products.institutionId, institutionId)).orderBy(asc(products.name));
    return rows.map(CatalogueService.toView);
  }

  async setStatus(id: string, status: ProductStatus): Promise<void> {
    await this.db.update(products).set({ status, updatedAt: sql`now()` }).where(eq(products.id, id));
  }

  async categories(): Promise<{ category: string; n: number }[]> {
    return this.db
      .select({ category: products.category, n: sql<number>`count(*)::int` })
      .from(products)
      .where(eq(products.status, 'listed'))
      .groupBy(products.category)
      .orderBy(products.category);
  }
}
