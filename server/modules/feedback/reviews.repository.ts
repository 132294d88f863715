import { and, asc, avg, count, desc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { products } from '../catalogue/catalogue.schema';
import { institutions } from '../institutions/institutions.schema';
import { productReviews, type ReviewStatus } from './feedback.schema';

export type ReviewRow = typeof productReviews.$inferSelect;

/** A review with the product and institution names shown next to it. */
export interface ReviewWithNames {
  r: ReviewRow;
  productName: string;
  institutionName: string;
}

/** A shown review, as the product page lists it. */
export interface PublishedReview {
  id: string;
  reviewerNameMasked: string;
  rating: number;
  body: string;
  createdAt: Date;
}

/** SQL for product reviews. Reads take the database; writes take the caller's transaction. */
export class ReviewsRepository {
  constructor(private readonly db: Database) {}

  private selectWithNames() {
    return this.db
      .select({ r: productReviews, productName: products.name, institutionName: institutions.shortName })
      .from(productReviews)
      .innerJoin(products, eq(products.id, productReviews.productId))
      .innerJoin(institutions, eq(institutions.id, products.institutionId));
  }

  async findByConsumerAndProduct(consumerId: string, productId: string): Promise<ReviewWithNames | undefined> {
    const [row] = await this.selectWithNames().where(and(eq(productReviews.consumerId, consumerId), eq(productReviews.productId, productId)));
    return row;
  }

  /** A consumer's reviews, most recently changed first. */
  listForConsumer(consumerId: string): Promise<ReviewWithNames[]> {
    return this.selectWithNames().where(eq(productReviews.consumerId, consumerId)).orderBy(desc(productReviews.updatedAt));
  }

  /** Reviews in one moderation status, oldest change first. */
  listByStatus(status: ReviewStatus, limit: number): Promise<ReviewWithNames[]> {
    return this.selectWithNames().where(eq(productReviews.status, status)).orderBy(asc(productReviews.updatedAt)).limit(limit);
  }

  /** The approved reviews of a product: how many, their mean rating (null without any), and the newest `limit`. */
  async approvedForProduct(productId: string, limit: number): Promise<{ count: number; mean: number | null; reviews: PublishedReview[] }> {
    const where = and(eq(productReviews.productId, productId), eq(productReviews.status, 'approved'));
    const [agg] = await this.db.select({ n: count(), mean: avg(productReviews.rating) }).from(productReviews).where(where);
    const reviews = await this.db
      .select({ id: productReviews.id, reviewerNameMasked: productReviews.reviewerNameMasked, rating: productReviews.rating, body: productReviews.body, createdAt: productReviews.createdAt })
      .from(productReviews)
      .where(where)
      .orderBy(desc(productReviews.updatedAt))
      .limit(limit);
    const mean = agg?.mean === null || agg?.mean === undefined ? null : Number(agg.mean);
    return { count: Number(agg?.n ?? 0), mean, reviews };
  }

  /** The approved reviews of every product of an institution: how many, their mean rating, and the newest `limit` with the product's name. */
  async approvedForInstitution(institutionId: string, limit: number): Promise<{ count: number; mean: number | null; reviews: (PublishedReview & { productName: string })[] }> {
    const where = and(eq(products.institutionId, institutionId), eq(productReviews.status, 'approved'));
    const [agg] = await this.db.select({ n: count(), mean: avg(productReviews.rating) }).from(productReviews).innerJoin(products, eq(products.id, productReviews.productId)).where(where);
    const reviews = await this.db
      .select({ id: productReviews.id, reviewerNameMasked: productReviews.reviewerNameMasked, rating: productReviews.rating, body: productReviews.body, createdAt: productReviews.createdAt, productName: products.name })
      .from(productReviews)
      .innerJoin(products, eq(products.id, productReviews.productId))
      .where(where)
      .orderBy(desc(productReviews.updatedAt))
      .limit(limit);
    const mean = agg?.mean === null || agg?.mean === undefined ? null : Number(agg.mean);
    return { count: Number(agg?.n ?? 0), mean, reviews };
  }

  /** Writes the consumer's review of a product, or replaces it and sends it back to moderation; returns its id. */
  async upsert(tx: Tx, review: { id: string; productId: string; consumerId: string; reviewerNameMasked: string; rating: number; body: string }, at: Date): Promise<string> {
    const [row] = await tx
      .insert(productReviews)
      .values({ ...review, createdAt: at, updatedAt: at })
      .onConflictDoUpdate({
        target: [productReviews.productId, productReviews.consumerId],
        set: { rating: review.rating, body: review.body, reviewerNameMasked: review.reviewerNameMasked, status: 'pending', rejectReason: null, moderatedBy: null, moderatedAt: null, updatedAt: at },
      })
      .returning({ id: productReviews.id });
    return row!.id;
  }

  /** Locks a review for the rest of the transaction. */
  async lock(tx: Tx, id: string): Promise<ReviewRow | undefined> {
    const [row] = await tx.select().from(productReviews).where(eq(productReviews.id, id)).for('update');
    return row;
  }

  async recordModeration(tx: Tx, id: string, decision: { status: ReviewStatus; rejectReason: string | null; moderatedBy: string | null }, at: Date): Promise<void> {
    await tx
      .update(productReviews)
      .set({ ...decision, moderatedAt: at })
      .where(eq(productReviews.id, id));
  }

  /** Erasure: the consumer's reviews stay (the rating and the text are about the product) under a name that no longer points at them; returns how many. */
  async anonymiseAuthor(tx: Tx, consumerId: string, name: string): Promise<number> {
    const rows = await tx.update(productReviews).set({ reviewerNameMasked: name }).where(eq(productReviews.consumerId, consumerId)).returning({ id: productReviews.id });
    return rows.length;
  }
}
