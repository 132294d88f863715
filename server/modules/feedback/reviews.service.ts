import type { Database } from '../../db/client';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction, type Tx } from '../../lib/tx';
import { ERASED_NAME } from './erased';
import type { ApplicationsService } from '../applications';
import type { AuditActor, AuditService } from '../audit';
import type { IdentityService } from '../identity';
import type { ReviewStatus } from './feedback.schema';
import { ReviewsRepository, type ReviewWithNames } from './reviews.repository';
import type { Clock } from '../../lib/clock';

export type { ReviewRow } from './reviews.repository';

export const reviewStatusLabels: Record<ReviewStatus, string> = { pending: '审核中', approved: '已展示', rejected: '未通过' };

export interface ReviewView {
  id: string;
  productId: string;
  productName: string;
  institutionName: string;
  reviewerNameMasked: string;
  rating: number;
  body: string;
  status: ReviewStatus;
  statusLabel: string;
  rejectReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What the product page shows: approved reviews only, with their average and count. */
export interface ProductRating {
  count: number;
  /** one decimal, e.g. "4.5"; null without approved reviews */
  average: string | null;
  reviews: Pick<ReviewView, 'id' | 'reviewerNameMasked' | 'rating' | 'body' | 'createdAt'>[];
}

/** What a lender's public page shows: the approved reviews of its products, each with the product's name. */
export interface InstitutionRating {
  count: number;
  average: string | null;
  reviews: (ProductRating['reviews'][number] & { productName: string })[];
}

export interface ReviewsServiceDeps {
  clock: Clock;
  db: Database;
  audit: AuditService;
  identity: IdentityService;
  applications: ApplicationsService;
}

/**
 * Product reviews: one per consumer per product, only from consumers who applied for it;
 * every new or edited review waits for an operator before it is shown.
 */
export class ReviewsService {
  private readonly reviews: ReviewsRepository;

  constructor(private readonly deps: ReviewsServiceDeps) {
    this.reviews = new ReviewsRepository(deps.db);
  }

  /** Erasure of a consumer: their reviews stay, shown under 已注销用户 (the author's masked name goes); returns how many. */
  anonymiseAuthor(tx: Tx, consumerId: string): Promise<number> {
    return this.reviews.anonymiseAuthor(tx, consumerId, ERASED_NAME);
  }

  private static view(row: ReviewWithNames): ReviewView {
    const r = row.r;
    return {
      id: r.id,
      productId: r.productId,
      productName: row.productName,
      institutionName: row.institutionName,
      reviewerNameMasked: r.reviewerNameMasked,
      rating: r.rating,
      body: r.body,
      status: r.status,
      statusLabel: reviewStatusLabels[r.status],
      rejectReason: r.rejectReason,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  /** A consumer may review a product once they have submitted an application for it. */
  async canReview(consumerId: string, productId: string): Promise<boolean> {
    const apps = await this.deps.applications.listForConsumer(consumerId);
    return apps.some((a) => a.productId === productId);
  }

  async mine(consumerId: string, productId: string): Promise<ReviewView | undefined> {
    const row = await this.reviews.findByConsumerAndProduct(consumerId, productId);
    return row ? ReviewsService.view(row) : undefined;
  }

  async listForConsumer(consumerId: string): Promise<ReviewView[]> {
    const rows = await this.reviews.listForConsumer(consumerId);
    return rows.map((r) => ReviewsService.view(r));
  }

  /** Writes or edits the consumer's review of a product; either way it goes (back) to moderation. */
  async save(consumerId: string, productId: string, input: { rating: number; body: string }, actor: AuditActor, now = this.deps.clock.now()): Promise<ReviewView> {
    if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) throw new ValidationError('评分无效', { rating: '请选择 1 到 5 星' });
    const body = input.body.trim();
    if (body.length < 5) throw new ValidationError('评价太短', { body: '至少 5 个字' });
    if (body.length > 1000) throw new ValidationError('评价过长', { body: '最多 1000 字' });
    if (!(await this.canReview(consumerId, productId))) {
      throw new ForbiddenError('申请过这款产品后才能评价', 'not_applied', { productId: '你还没有申请过这款产品' });
    }
    const identity = await this.deps.identity.summary(consumerId);
    const reviewerNameMasked = identity.realNameMasked ?? '匿名用户';
    await withTransaction(this.deps.db, async (tx) => {
      const id = await this.reviews.upsert(tx, { id: newId('rev'), productId, consumerId, reviewerNameMasked, rating: input.rating, body }, now);
      await this.deps.audit.record(actor, { action: 'review.saved', objectType: 'review', objectId: id, detail: { productId, rating: input.rating } }, tx);
    });
    return (await this.mine(consumerId, productId))!;
  }

  /** Approved reviews of a product, newest first, with the average rating and count. */
  async forProduct(productId: string, limit = 20): Promise<ProductRating> {
    const { count, mean, reviews } = await this.reviews.approvedForProduct(productId, limit);
    return { count, average: count && mean !== null ? mean.toFixed(1) : null, reviews };
  }

  /** Approved reviews of all of an institution's products (its public page), newest first, with the average and count. */
  async forInstitution(institutionId: string, limit = 20): Promise<InstitutionRating> {
    const { count, mean, reviews } = await this.reviews.approvedForInstitution(institutionId, limit);
    return { count, average: count && mean !== null ? mean.toFixed(1) : null, reviews };
  }

  /** The moderation queue: pending first, oldest first. */
  async queue(status: ReviewStatus = 'pending', limit = 200): Promise<ReviewView[]> {
    const rows = await this.reviews.listByStatus(status, limit);
    return rows.map((r) => ReviewsService.view(r));
  }

  async moderate(id: string, decision: 'approved' | 'rejected', reason: string | undefined, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const why = reason?.trim();
    if (decision === 'rejected' && !why) throw new ValidationError('请填写拒绝原因', { reason: '拒绝时必须说明原因' });
    await withTransaction(this.deps.db, async (tx) => {
      const row = await this.reviews.lock(tx, id);
      if (!row) throw new NotFoundError('评价');
      await this.reviews.recordModeration(tx, id, { status: decision, rejectReason: decision === 'rejected' ? why!.slice(0, 200) : null, moderatedBy: actor.id ?? null }, now);
      await this.deps.audit.record(actor, { action: `review.${decision}`, objectType: 'review', objectId: id, detail: { from: row.status, reason: why ?? null } }, tx);
    });
  }
}
