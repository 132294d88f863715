import { and, asc, count, desc, eq, gte, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { accounts } from '../accounts/accounts.schema';
import { parseQuery } from '../search';
import { articles, campaigns, contentCategories, contentMedia, type ArticleStatus } from './content.schema';

export type ArticleRow = typeof articles.$inferSelect;
export type ArticleInsert = typeof articles.$inferInsert;
export type CampaignRow = typeof campaigns.$inferSelect;
export type CampaignInsert = typeof campaigns.$inferInsert;
export type CategoryRow = typeof contentCategories.$inferSelect;
export type CategoryInsert = typeof contentCategories.$inferInsert;
export type MediaRow = typeof contentMedia.$inferSelect;
export type MediaInsert = typeof contentMedia.$inferInsert;
/** An article in a list (no body), with its category's name and its author's sealed name. */
export type ArticleListRow = Omit<ArticleRow, 'bodyHtml' | 'bodyText'> & { categoryName: string; authorNameEnc: string | null };

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Chinese-aware text match in SQL: the query is parsed by the search module's tokenizer (jieba
 * words, bigrams; generic words like 贷款 only optional), and every required term must occur
 * (ILIKE) in one of its spellings. So 装修 and 装修贷款 both find an article about 装修贷款.
 */
function textMatch(q: string | undefined, haystack: SQL): SQL | undefined {
  if (!q) return undefined;
  const { required } = parseQuery(q);
  if (required.length === 0) return undefined;
  return and(
    ...required.map((term) => or(...term.alternatives.map((alt) => and(...alt.map((token) => sql`${haystack} ilike ${`%${escapeLike(token)}%`}`))))),
  );
}

const articleHaystack = sql`(${articles.title} || ' ' || ${articles.summary} || ' ' || ${articles.bodyText})`;

const listColumns = {
  id: articles.id,
  slug: articles.slug,
  categoryId: articles.categoryId,
  title: articles.title,
  summary: articles.summary,
  coverMediaId: articles.coverMediaId,
  status: articles.status,
  publishedAt: articles.publishedAt,
  authorId: articles.authorId,
  createdAt: articles.createdAt,
  updatedAt: articles.updatedAt,
  categoryName: contentCategories.name,
  authorNameEnc: accounts.displayNameEnc,
};

/** SQL for guides and news, their categories, campaigns and images. Reads take the database; writes take the caller's transaction. */
export class ContentRepository {
  constructor(private readonly db: Database) {}

  // ── categories ─────────────────────────────────────────────────────────────────────────
  /** Every category with how many articles it holds and how many of them are published. */
  categoriesWithCounts(): Promise<(CategoryRow & { articleCount: number; publishedCount: number })[]> {
    return this.db
      .select({
        id: contentCategories.id,
        name: contentCategories.name,
        sortOrder: contentCategories.sortOrder,
        createdAt: contentCategories.createdAt,
        articleCount: sql<number>`count(${articles.id})::int`,
        publishedCount: sql<number>`(count(${articles.id}) filter (where ${articles.status} = 'published'))::int`,
      })
      .from(contentCategories)
      .leftJoin(articles, eq(articles.categoryId, contentCategories.id))
      .groupBy(contentCategories.id)
      .orderBy(asc(contentCategories.sortOrder), asc(contentCategories.name));
  }

  /** The id of the category with this name. */
  async categoryIdByName(name: string, db: Database = this.db): Promise<string | undefined> {
    const [row] = await db.select({ id: contentCategories.id }).from(contentCategories).where(eq(contentCategories.name, name));
    return row?.id;
  }

  async categoryExists(id: string, db: Database = this.db): Promise<boolean> {
    const [row] = await db.select({ id: contentCategories.id }).from(contentCategories).where(eq(contentCategories.id, id));
    return row !== undefined;
  }

  async insertCategory(tx: Tx, row: CategoryInsert): Promise<CategoryRow> {
    const [created] = await tx.insert(contentCategories).values(row).returning();
    return created!;
  }

  async updateCategory(tx: Tx, id: string, changes: Pick<CategoryInsert, 'name' | 'sortOrder'>): Promise<CategoryRow | undefined> {
    const [row] = await tx.update(contentCategories).set(changes).where(eq(contentCategories.id, id)).returning();
    return row;
  }

  async articlesInCategory(categoryId: string, db: Database = this.db): Promise<number> {
    const [row] = await db.select({ n: count() }).from(articles).where(eq(articles.categoryId, categoryId));
    return row?.n ?? 0;
  }

  async deleteCategory(tx: Tx, id: string): Promise<CategoryRow | undefined> {
    const [row] = await tx.delete(contentCategories).where(eq(contentCategories.id, id)).returning();
    return row;
  }

  // ── articles ───────────────────────────────────────────────────────────────────────────
  private selectList() {
    return this.db
      .select(listColumns)
      .from(articles)
      .innerJoin(contentCategories, eq(contentCategories.id, articles.categoryId))
      .leftJoin(accounts, eq(accounts.id, articles.authorId));
  }

  /** Articles of any status, last changed first, filtered by status, category and a (Chinese) search. */
  listArticles(filter: { status?: ArticleStatus; categoryId?: string; q?: string }, limit: number): Promise<ArticleListRow[]> {
    return this.selectList()
      .where(
        and(
          filter.status ? eq(articles.status, filter.status) : undefined,
          filter.categoryId ? eq(articles.categoryId, filter.categoryId) : undefined,
          textMatch(filter.q, articleHaystack),
        ),
      )
      .orderBy(desc(articles.updatedAt))
      .limit(limit);
  }

  /** One page of published articles, newest first, and how many there are in all. */
  async publishedArticles(filter: { categoryId?: string; q?: string }, page: { limit: number; offset: number }): Promise<{ items: ArticleListRow[]; total: number }> {
    const where = and(eq(articles.status, 'published'), filter.categoryId ? eq(articles.categoryId, filter.categoryId) : undefined, textMatch(filter.q, articleHaystack));
    const [items, totals] = await Promise.all([
      this.selectList().where(where).orderBy(desc(articles.publishedAt), desc(articles.id)).limit(page.limit).offset(page.offset),
      this.db.select({ n: count() }).from(articles).where(where),
    ]);
    return { items, total: totals[0]?.n ?? 0 };
  }

  /** The article with its category's name and its author's sealed name. */
  async articleWithNames(id: string): Promise<{ article: ArticleRow; categoryName: string; authorNameEnc: string | null } | undefined> {
    const [row] = await this.db
      .select({ article: articles, categoryName: contentCategories.name, authorNameEnc: accounts.displayNameEnc })
      .from(articles)
      .innerJoin(contentCategories, eq(contentCategories.id, articles.categoryId))
      .leftJoin(accounts, eq(accounts.id, articles.authorId))
      .where(eq(articles.id, id));
    return row;
  }

  /** The published article with this slug, with its category's name. */
  async publishedBySlug(slug: string): Promise<{ article: ArticleRow; categoryName: string } | undefined> {
    const [row] = await this.db
      .select({ article: articles, categoryName: contentCategories.name })
      .from(articles)
      .innerJoin(contentCategories, eq(contentCategories.id, articles.categoryId))
      .where(and(eq(articles.slug, slug), eq(articles.status, 'published')));
    return row;
  }

  /** The id of the article with this slug. */
  async articleIdBySlug(slug: string, db: Database = this.db): Promise<string | undefined> {
    const [row] = await db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug));
    return row?.id;
  }

  /** The article, locked for the rest of the transaction. */
  async lockArticle(tx: Tx, id: string): Promise<ArticleRow | undefined> {
    const [row] = await tx.select().from(articles).where(eq(articles.id, id)).for('update');
    return row;
  }

  async insertArticle(tx: Tx, row: ArticleInsert): Promise<ArticleRow> {
    const [created] = await tx.insert(articles).values(row).returning();
    return created!;
  }

  async updateArticle(tx: Tx, id: string, changes: Partial<Omit<ArticleInsert, 'id'>>): Promise<ArticleRow | undefined> {
    const [row] = await tx.update(articles).set(changes).where(eq(articles.id, id)).returning();
    return row;
  }

  async deleteArticle(tx: Tx, id: string): Promise<ArticleRow | undefined> {
    const [row] = await tx.delete(articles).where(eq(articles.id, id)).returning();
    return row;
  }

  // ── campaigns ──────────────────────────────────────────────────────────────────────────
  /** Every campaign, latest start first. */
  campaigns(): Promise<CampaignRow[]> {
    return this.db.select().from(campaigns).orderBy(desc(campaigns.startDate), desc(campaigns.createdAt));
  }

  async campaign(id: string): Promise<CampaignRow | undefined> {
    const [row] = await this.db.select().from(campaigns).where(eq(campaigns.id, id));
    return row;
  }

  /** Enabled campaigns whose dates (inclusive) contain `today` (YYYY-MM-DD), latest start first. */
  activeCampaigns(today: string): Promise<CampaignRow[]> {
    return this.db
      .select()
      .from(campaigns)
      .where(and(eq(campaigns.status, 'enabled'), lte(campaigns.startDate, today), gte(campaigns.endDate, today)))
      .orderBy(desc(campaigns.startDate), desc(campaigns.createdAt));
  }

  async insertCampaign(tx: Tx, row: CampaignInsert): Promise<CampaignRow> {
    const [created] = await tx.insert(campaigns).values(row).returning();
    return created!;
  }

  async updateCampaign(tx: Tx, id: string, changes: Partial<Omit<CampaignInsert, 'id'>>): Promise<CampaignRow | undefined> {
    const [row] = await tx.update(campaigns).set(changes).where(eq(campaigns.id, id)).returning();
    return row;
  }

  async deleteCampaign(tx: Tx, id: string): Promise<CampaignRow | undefined> {
    const [row] = await tx.delete(campaigns).where(eq(campaigns.id, id)).returning();
    return row;
  }

  // ── images ─────────────────────────────────────────────────────────────────────────────
  async insertMedia(tx: Tx, row: MediaInsert): Promise<void> {
    await tx.insert(contentMedia).values(row);
  }

  async media(id: string): Promise<MediaRow | undefined> {
    const [row] = await this.db.select().from(contentMedia).where(eq(contentMedia.id, id));
    return row;
  }
}
