import { detectFileType } from '../../lib/file-type';
import type { BlobStore } from '../../adapters/storage';
import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { shanghaiDate } from '../../lib/shanghai-date';
import { withTransaction, type Tx } from '../../lib/tx';
import { openDisplayName } from '../accounts';
import type { AuditAction, AuditActor, AuditService } from '../audit';
import type { ArticleInput, ArticleListFilter, CampaignInput, CategoryInput } from './content.inputs';
import { ContentRepository, type ArticleListRow, type ArticleRow, type CampaignRow, type CategoryRow } from './content.repository';
import type { ArticleStatus } from './content.schema';
import { htmlToText, sanitizeArticleHtml } from './sanitize';
import type { Clock } from '../../lib/clock';

export type { ArticleRow, CampaignRow, CategoryRow };
export type ArticleListItem = Omit<ArticleRow, 'bodyHtml' | 'bodyText'> & { categoryName: string; authorName: string | null };

export const articleStatusLabels: Record<ArticleStatus, string> = { draft: '草稿', published: '已发布', unpublished: '已下线' };
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const imageTypes = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

export interface ContentServiceDeps {
  db: Database;
  audit: AuditService;
  media: BlobStore;
  /** opens the authors' names */
  pii: PiiCipher;
  /** decides which campaigns are running */
  clock: Clock;
}

/**
 * Guides and news (资讯与攻略), their categories, campaigns (活动) and the public images they
 * use. Article HTML is sanitised on every save; publishing, unpublishing and deleting are audited.
 */
export class ContentService {
  private readonly content: ContentRepository;

  constructor(private readonly deps: ContentServiceDeps) {
    this.content = new ContentRepository(deps.db);
  }

  // ── categories ───────────────────────────────────────────────────────────────────────────
  listCategories(): Promise<(CategoryRow & { articleCount: number; publishedCount: number })[]> {
    return this.content.categoriesWithCounts();
  }

  private async assertCategoryNameFree(name: string, exceptId: string | undefined, tx: Tx): Promise<void> {
    const taken = await this.content.categoryIdByName(name, tx);
    if (taken && taken !== exceptId) throw new ConflictError('category_exists', '分类名称已存在', { name: '分类名称已存在' });
  }

  async createCategory(input: CategoryInput, actor: AuditActor): Promise<CategoryRow> {
    return withTransaction(this.deps.db, async (tx) => {
      await this.assertCategoryNameFree(input.name, undefined, tx);
      const row = await this.content.insertCategory(tx, { id: newId('cc', 12), name: input.name, sortOrder: input.sortOrder });
      await this.deps.audit.record(actor, { action: 'content.category.created', objectType: 'content_category', objectId: row.id, detail: { name: input.name } }, tx);
      return row;
    });
  }

  async updateCategory(id: string, input: CategoryInput, actor: AuditActor): Promise<CategoryRow> {
    return withTransaction(this.deps.db, async (tx) => {
      await this.assertCategoryNameFree(input.name, id, tx);
      const row = await this.content.updateCategory(tx, id, { name: input.name, sortOrder: input.sortOrder });
      if (!row) throw new NotFoundError('分类');
      await this.deps.audit.record(actor, { action: 'content.category.updated', objectType: 'content_category', objectId: id, detail: { name: input.name, sortOrder: input.sortOrder } }, tx);
      return row;
    });
  }

  async deleteCategory(id: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      if ((await this.content.articlesInCategory(id, tx)) > 0) throw new ConflictError('category_in_use', '分类下还有文章，不能删除', { category: '请先移走或删除该分类下的文章' });
      const row = await this.content.deleteCategory(tx, id);
      if (!row) throw new NotFoundError('分类');
      await this.deps.audit.record(actor, { action: 'content.category.deleted', objectType: 'content_category', objectId: id, detail: { name: row.name } }, tx);
    });
  }

  // ── articles (operators) ─────────────────────────────────────────────────────────────────
  /** A list row with its author's name opened. */
  private listItem({ authorNameEnc, ...row }: ArticleListRow): ArticleListItem {
    return { ...row, authorName: authorNameEnc ? openDisplayName(this.deps.pii, authorNameEnc) : null };
  }

  async listArticles(filter: ArticleListFilter = {}, limit = 200): Promise<ArticleListItem[]> {
    const rows = await this.content.listArticles(filter, limit);
    return rows.map((r) => this.listItem(r));
  }

  async getArticle(id: string): Promise<ArticleRow & { categoryName: string; authorName: string | null }> {
    const row = await this.content.articleWithNames(id);
    if (!row) throw new NotFoundError('文章');
    return { ...row.article, categoryName: row.categoryName, authorName: row.authorNameEnc ? openDisplayName(this.deps.pii, row.authorNameEnc) : null };
  }

  private async checkArticle(input: ArticleInput, id: string | undefined, tx: Tx): Promise<void> {
    if (!(await this.content.categoryExists(input.categoryId, tx))) throw new ValidationError('分类不存在', { categoryId: '请选择分类' });
    if (input.slug) {
      const taken = await this.content.articleIdBySlug(input.slug, tx);
      if (taken && taken !== id) throw new ConflictError('slug_taken', '链接名已被使用', { slug: '链接名已被其他文章使用' });
    }
  }

  /** A new draft. Without a chosen slug, the slug is the id's random part (no pinyin guessing). */
  async createArticle(input: ArticleInput, actor: AuditActor, coverMediaId?: string): Promise<ArticleRow> {
    const bodyHtml = sanitizeArticleHtml(input.body);
    return withTransaction(this.deps.db, async (tx) => {
      await this.checkArticle(input, undefined, tx);
      const id = newId('art', 12);
      const row = await this.content.insertArticle(tx, {
          id,
          slug: input.slug || id.slice(4),
          categoryId: input.categoryId,
          title: input.title,
          summary: input.summary,
          bodyHtml,
          bodyText: htmlToText(bodyHtml),
          coverMediaId: coverMediaId ?? null,
          authorId: actor.id ?? null,
        });
      await this.deps.audit.record(actor, { action: 'content.article.created', objectType: 'article', objectId: id, detail: { title: input.title } }, tx);
      return row;
    });
  }

  async updateArticle(id: string, input: ArticleInput, actor: AuditActor, coverMediaId?: string): Promise<ArticleRow> {
    const bodyHtml = sanitizeArticleHtml(input.body);
    return withTransaction(this.deps.db, async (tx) => {
      await this.checkArticle(input, id, tx);
      const row = await this.content.updateArticle(tx, id, {
          ...(input.slug ? { slug: input.slug } : {}),
          categoryId: input.categoryId,
          title: input.title,
          summary: input.summary,
          bodyHtml,
          bodyText: htmlToText(bodyHtml),
          ...(coverMediaId ? { coverMediaId } : input.removeCover ? { coverMediaId: null } : {}),
          updatedAt: this.deps.clock.now(),
        });
      if (!row) throw new NotFoundError('文章');
      await this.deps.audit.record(actor, { action: 'content.article.updated', objectType: 'article', objectId: id, detail: { title: input.title, status: row.status } }, tx);
      return row;
    });
  }

  private async move(id: string, to: ArticleStatus, from: readonly ArticleStatus[], action: AuditAction, actor: AuditActor): Promise<ArticleRow> {
    return withTransaction(this.deps.db, async (tx) => {
      const current = await this.content.lockArticle(tx, id);
      if (!current) throw new NotFoundError('文章');
      if (!from.includes(current.status)) {
        throw new ConflictError('illegal_transition', `${articleStatusLabels[current.status]}的文章不能${to === 'published' ? '发布' : '下线'}`);
      }
      const now = this.deps.clock.now();
      const row = await this.content.updateArticle(tx, id, { status: to, updatedAt: now, ...(to === 'published' && !current.publishedAt ? { publishedAt: now } : {}) });
      await this.deps.audit.record(actor, { action, objectType: 'article', objectId: id, detail: { title: current.title, from: current.status, to } }, tx);
      return row!;
    });
  }

  publishArticle(id: string, actor: AuditActor): Promise<ArticleRow> {
    return this.move(id, 'published', ['draft', 'unpublished'], 'content.article.published', actor);
  }

  unpublishArticle(id: string, actor: AuditActor): Promise<ArticleRow> {
    return this.move(id, 'unpublished', ['published'], 'content.article.unpublished', actor);
  }

  async deleteArticle(id: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      const row = await this.content.deleteArticle(tx, id);
      if (!row) throw new NotFoundError('文章');
      await this.deps.audit.record(actor, { action: 'content.article.deleted', objectType: 'article', objectId: id, detail: { title: row.title, slug: row.slug, status: row.status } }, tx);
    });
  }

  // ── articles (consumers) ─────────────────────────────────────────────────────────────────
  /** Published articles, newest first, optionally in one category and matching a (Chinese) search. */
  async publishedArticles(filter: { categoryId?: string; q?: string; page?: number; pageSize?: number } = {}): Promise<{ items: ArticleListItem[]; total: number }> {
    const pageSize = filter.pageSize ?? 20;
    const { items, total } = await this.content.publishedArticles(filter, { limit: pageSize, offset: ((filter.page ?? 1) - 1) * pageSize });
    return { items: items.map((r) => this.listItem(r)), total };
  }

  /** One published article by its slug; anything else (a draft, an unpublished one) does not exist for consumers. */
  async publishedBySlug(slug: string): Promise<ArticleRow & { categoryName: string }> {
    const row = await this.content.publishedBySlug(slug);
    if (!row) throw new NotFoundError('文章');
    return { ...row.article, categoryName: row.categoryName };
  }

  // ── campaigns ────────────────────────────────────────────────────────────────────────────
  listCampaigns(): Promise<CampaignRow[]> {
    return this.content.campaigns();
  }

  async getCampaign(id: string): Promise<CampaignRow> {
    const row = await this.content.campaign(id);
    if (!row) throw new NotFoundError('活动');
    return row;
  }

  async createCampaign(input: CampaignInput, actor: AuditActor, bannerMediaId?: string): Promise<CampaignRow> {
    return withTransaction(this.deps.db, async (tx) => {
      const row = await this.content.insertCampaign(tx, { id: newId('cmp', 12), ...input, bannerMediaId: bannerMediaId ?? null, createdBy: actor.id ?? null });
      await this.deps.audit.record(actor, { action: 'content.campaign.created', objectType: 'campaign', objectId: row.id, detail: { ...input } }, tx);
      return row;
    });
  }

  async updateCampaign(id: string, input: CampaignInput, actor: AuditActor, bannerMediaId?: string): Promise<CampaignRow> {
    return withTransaction(this.deps.db, async (tx) => {
      const row = await this.content.updateCampaign(tx, id, { ...input, ...(bannerMediaId ? { bannerMediaId } : {}), updatedAt: this.deps.clock.now() });
      if (!row) throw new NotFoundError('活动');
      await this.deps.audit.record(actor, { action: 'content.campaign.updated', objectType: 'campaign', objectId: id, detail: { ...input } }, tx);
      return row;
    });
  }

  async deleteCampaign(id: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      const row = await this.content.deleteCampaign(tx, id);
      if (!row) throw new NotFoundError('活动');
      await this.deps.audit.record(actor, { action: 'content.campaign.deleted', objectType: 'campaign', objectId: id, detail: { title: row.title } }, tx);
    });
  }

  /** Enabled campaigns whose dates (Asia/Shanghai, inclusive) contain the clock's today. */
  activeCampaigns(at: Date = this.deps.clock.now()): Promise<CampaignRow[]> {
    return this.content.activeCampaigns(shanghaiDate(at));
  }

  // ── images ───────────────────────────────────────────────────────────────────────────────
  /** An image for a banner or a cover: JPG, PNG, WebP or GIF judged by its bytes, at most 5 MB. */
  async uploadImage(bytes: Buffer, actor: AuditActor, field = 'file'): Promise<string> {
    if (bytes.length === 0) throw new ValidationError('文件为空', { [field]: '请选择图片' });
    if (bytes.length > MAX_IMAGE_BYTES) throw new ValidationError('图片过大', { [field]: '图片不能超过 5 MB' });
    const detected = await detectFileType(bytes);
    if (!detected || !imageTypes.has(detected.mime)) throw new ValidationError('图片类型不支持', { [field]: '只支持 JPG、PNG、WebP、GIF 图片（按文件内容判断）' });
    const id = newId('med', 16);
    const storageKey = newId('blob');
    await this.deps.media.put(storageKey, bytes);
    await withTransaction(this.deps.db, (tx) => this.content.insertMedia(tx, { id, mime: detected.mime, size: bytes.length, storageKey, createdBy: actor.id ?? null }));
    return id;
  }

  async openImage(id: string): Promise<{ mime: string; bytes: Buffer }> {
    const row = await this.content.media(id);
    if (!row) throw new NotFoundError('图片');
    return { mime: row.mime, bytes: await this.deps.media.get(row.storageKey) };
  }
}
