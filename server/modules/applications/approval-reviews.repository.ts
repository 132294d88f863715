import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { applications } from './applications.schema';
import { products } from '../catalogue/catalogue.schema';
import { approvalPolicies, approvalReviews } from './approval-reviews.schema';

export type ApprovalReviewRow = typeof approvalReviews.$inferSelect;
export type ApprovalReviewInsert = typeof approvalReviews.$inferInsert;

/** SQL for maker-checker approvals: each institution's threshold and the approvals waiting for a second reviewer. */
export class ApprovalReviewsRepository {
  constructor(private readonly db: Database) {}

  async threshold(institutionId: string, db: Database = this.db): Promise<number | null> {
    const [row] = await db.select({ fen: approvalPolicies.thresholdFen }).from(approvalPolicies).where(eq(approvalPolicies.institutionId, institutionId));
    return row?.fen ?? null;
  }

  async saveThreshold(tx: Tx, institutionId: string, thresholdFen: number | null, updatedBy: string | null, updatedAt: Date): Promise<void> {
    await tx
      .insert(approvalPolicies)
      .values({ institutionId, thresholdFen, updatedBy, updatedAt })
      .onConflictDoUpdate({ target: approvalPolicies.institutionId, set: { thresholdFen, updatedBy, updatedAt } });
  }

  async insert(tx: Tx, row: ApprovalReviewInsert): Promise<ApprovalReviewRow> {
    const [inserted] = await tx.insert(approvalReviews).values(row).returning();
    return inserted!;
  }

  async pendingFor(applicationId: string, db: Database = this.db): Promise<ApprovalReviewRow | undefined> {
    const [row] = await db
      .select()
      .from(approvalReviews)
      .where(and(eq(approvalReviews.applicationId, applicationId), eq(approvalReviews.status, 'pending')));
    return row;
  }

  async find(institutionId: string, id: string, db: Database = this.db): Promise<ApprovalReviewRow | undefined> {
    const [row] = await db
      .select()
      .from(approvalReviews)
      .where(and(eq(approvalReviews.id, id), eq(approvalReviews.institutionId, institutionId)));
    return row;
  }

  /** The review row locked for the transaction: a second confirmation waits here and then finds it decided. */
  async lock(tx: Tx, institutionId: string, id: string): Promise<ApprovalReviewRow | undefined> {
    const [row] = await tx
      .select()
      .from(approvalReviews)
      .where(and(eq(approvalReviews.id, id), eq(approvalReviews.institutionId, institutionId)))
      .for('update');
    return row;
  }

  /** Decides a pending review; false when it was no longer pending (decided by someone else first). */
  async decide(tx: Tx, id: string, patch: Pick<ApprovalReviewInsert, 'status' | 'checkerId' | 'checkerName' | 'returnReason' | 'decidedAt'>): Promise<boolean> {
    const rows = await tx
      .update(approvalReviews)
      .set(patch)
      .where(and(eq(approvalReviews.id, id), eq(approvalReviews.status, 'pending')))
      .returning({ id: approvalReviews.id });
    return rows.length === 1;
  }

  /** An institution's reviews of a status, oldest first, with the product's name and the lead's status. */
  list(institutionId: string, status: ApprovalReviewRow['status'], limit = 200) {
    return this.db
      .select({ review: approvalReviews, productName: products.name, leadStatus: applications.status })
      .from(approvalReviews)
      .innerJoin(applications, eq(applications.id, approvalReviews.applicationId))
      .innerJoin(products, eq(products.id, applications.productId))
      .where(and(eq(approvalReviews.institutionId, institutionId), eq(approvalReviews.status, status)))
      .orderBy(status === 'pending' ? asc(approvalReviews.createdAt) : desc(approvalReviews.decidedAt))
      .limit(limit);
  }

  /** Every review of one lead, oldest first: its timeline of makers and checkers. */
  ofApplication(applicationId: string): Promise<ApprovalReviewRow[]> {
    return this.db.select().from(approvalReviews).where(eq(approvalReviews.applicationId, applicationId)).orderBy(asc(approvalReviews.createdAt));
  }

  /** How many approvals wait for a second reviewer, per institution asked. */
  async pendingCount(institutionId: string): Promise<number> {
    const rows = await this.db
      .select({ id: approvalReviews.id })
      .from(approvalReviews)
      .innerJoin(applications, eq(applications.id, approvalReviews.applicationId))
      .where(and(eq(approvalReviews.institutionId, institutionId), eq(approvalReviews.status, 'pending'), inArray(applications.status, ['submitted', 'reviewing'])));
    return rows.length;
  }
}
