import { and, arrayContains, desc, eq, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { accounts } from '../accounts/accounts.schema';
import { feedbackItems, type FeedbackCategory, type FeedbackStatus } from './feedback.schema';

export type FeedbackRow = typeof feedbackItems.$inferSelect;
export type FeedbackInsert = typeof feedbackItems.$inferInsert;

/** An item with its assignee's sealed display name. */
export interface FeedbackWithAssignee {
  f: FeedbackRow;
  assigneeNameEnc: string | null;
}

export interface FeedbackQueueFilter {
  status?: FeedbackStatus;
  category?: FeedbackCategory;
  tag?: string;
  assigneeId?: string;
}

/** SQL for feedback items. Reads take the database; writes take the caller's transaction. */
export class FeedbackRepository {
  constructor(private readonly db: Database) {}

  private selectWithAssignee() {
    return this.db.select({ f: feedbackItems, assigneeNameEnc: accounts.displayNameEnc }).from(feedbackItems).leftJoin(accounts, eq(accounts.id, feedbackItems.assigneeId));
  }

  private async findWhere(where: SQL | undefined): Promise<FeedbackWithAssignee | undefined> {
    const [row] = await this.selectWithAssignee().where(where);
    return row;
  }

  find(id: string): Promise<FeedbackWithAssignee | undefined> {
    return this.findWhere(eq(feedbackItems.id, id));
  }

  findForConsumer(consumerId: string, id: string): Promise<FeedbackWithAssignee | undefined> {
    return this.findWhere(and(eq(feedbackItems.id, id), eq(feedbackItems.consumerId, consumerId)));
  }

  listForConsumer(consumerId: string): Promise<FeedbackRow[]> {
    return this.db.select().from(feedbackItems).where(eq(feedbackItems.consumerId, consumerId)).orderBy(desc(feedbackItems.createdAt));
  }

  /** The operators' list, newest first. */
  queue(filter: FeedbackQueueFilter, limit: number): Promise<FeedbackWithAssignee[]> {
    const where = and(
      filter.status ? eq(feedbackItems.status, filter.status) : undefined,
      filter.category ? eq(feedbackItems.category, filter.category) : undefined,
      filter.tag ? arrayContains(feedbackItems.tags, [filter.tag]) : undefined,
      filter.assigneeId ? eq(feedbackItems.assigneeId, filter.assigneeId) : undefined,
    );
    return this.selectWithAssignee().where(where).orderBy(desc(feedbackItems.createdAt)).limit(limit);
  }

  async lock(tx: Tx, id: string): Promise<FeedbackRow | undefined> {
    const [row] = await tx.select().from(feedbackItems).where(eq(feedbackItems.id, id)).for('update');
    return row;
  }

  async insert(tx: Tx, row: FeedbackInsert): Promise<void> {
    await tx.insert(feedbackItems).values(row);
  }

  async update(tx: Tx, id: string, patch: Partial<FeedbackInsert>): Promise<void> {
    await tx.update(feedbackItems).set(patch).where(eq(feedbackItems.id, id));
  }

  /** Locks every item of a consumer for the rest of the transaction. */
  lockForConsumer(tx: Tx, consumerId: string): Promise<FeedbackRow[]> {
    return tx.select().from(feedbackItems).where(eq(feedbackItems.consumerId, consumerId)).for('update');
  }
}
