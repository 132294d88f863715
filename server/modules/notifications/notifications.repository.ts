import { and, asc, desc, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { notifications, outboxMessages } from './notifications.schema';

export type OutboxRow = typeof outboxMessages.$inferSelect;
export type OutboxInsert = typeof outboxMessages.$inferInsert;
export type NotificationRow = typeof notifications.$inferSelect;
export type NotificationInsert = typeof notifications.$inferInsert;

/**
 * SQL for the outbox (SMS and e-mail as sent or held) and in-app notifications. An outbox row
 * changes status only through the conditional updates here, so a held message is claimed once.
 */
export class NotificationsRepository {
  constructor(private readonly db: Database) {}

  // ── outbox ─────────────────────────────────────────────────────────────────────────────
  async insertMessage(row: OutboxInsert): Promise<void> {
    await this.db.insert(outboxMessages).values(row);
  }

  async markSent(id: string, at: Date): Promise<void> {
    await this.db.update(outboxMessages).set({ status: 'sent', sentAt: at }).where(eq(outboxMessages.id, id));
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.db.update(outboxMessages).set({ status: 'failed', error }).where(eq(outboxMessages.id, id));
  }

  /** Held messages due by `now`, in the order generated. */
  heldDue(now: Date, limit: number): Promise<OutboxRow[]> {
    return this.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.status, 'held'), lte(outboxMessages.sendAfter, now)))
      .orderBy(asc(outboxMessages.createdAt), asc(outboxMessages.id))
      .limit(limit);
  }

  private static stillHeld(id: string) {
    return and(eq(outboxMessages.id, id), eq(outboxMessages.status, 'held'));
  }

  /** Cancels a message if it is still held; false when another run got to it first. */
  async cancelIfHeld(id: string, reason: NonNullable<OutboxRow['cancelReason']>): Promise<boolean> {
    const rows = await this.db.update(outboxMessages).set({ status: 'cancelled', cancelReason: reason }).where(NotificationsRepository.stillHeld(id)).returning({ id: outboxMessages.id });
    return rows.length > 0;
  }

  /** Holds a still-held message until `sendAfter`; false when another run got to it first. */
  async postponeIfHeld(id: string, sendAfter: Date): Promise<boolean> {
    const rows = await this.db.update(outboxMessages).set({ sendAfter }).where(NotificationsRepository.stillHeld(id)).returning({ id: outboxMessages.id });
    return rows.length > 0;
  }

  /** Claims a still-held message for sending (held → queued); undefined when another run got to it first. */
  async claimIfHeld(id: string): Promise<OutboxRow | undefined> {
    const [claimed] = await this.db.update(outboxMessages).set({ status: 'queued' }).where(NotificationsRepository.stillHeld(id)).returning();
    return claimed;
  }

  /** The newest messages, newest first. */
  recentMessages(limit: number): Promise<OutboxRow[]> {
    return this.db.select().from(outboxMessages).orderBy(desc(outboxMessages.createdAt)).limit(limit);
  }

  /** The newest SMS to a masked recipient (several recipients share a mask: the caller opens them). */
  recentSmsToMasked(recipientMasked: string, limit: number): Promise<OutboxRow[]> {
    return this.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.channel, 'sms'), eq(outboxMessages.recipientMasked, recipientMasked)))
      .orderBy(desc(outboxMessages.createdAt))
      .limit(limit);
  }

  // ── in-app notifications ───────────────────────────────────────────────────────────────
  /** Writes a notification with `db`: the caller's transaction when it has one. */
  async insertNotification(db: Database, row: NotificationInsert): Promise<void> {
    await db.insert(notifications).values(row);
  }

  listForAccount(accountId: string, limit: number): Promise<NotificationRow[]> {
    return this.db.select().from(notifications).where(eq(notifications.accountId, accountId)).orderBy(desc(notifications.createdAt)).limit(limit);
  }

  async unreadCount(accountId: string): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(notifications)
      .where(and(eq(notifications.accountId, accountId), isNull(notifications.readAt)));
    return row?.n ?? 0;
  }

  async markAllRead(accountId: string): Promise<void> {
    await this.db.update(notifications).set({ readAt: sql`now()` }).where(and(eq(notifications.accountId, accountId), isNull(notifications.readAt)));
  }

  /** Whether the account has an unread notification pointing at `link` (read with `db`: the caller's transaction when it has one). */
  async hasUnreadAt(db: Database, accountId: string, link: string): Promise<boolean> {
    const [row] = await db
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.accountId, accountId), eq(notifications.link, link), isNull(notifications.readAt)))
      .limit(1);
    return !!row;
  }

  async markReadAt(accountId: string, link: string): Promise<void> {
    await this.db
      .update(notifications)
      .set({ readAt: sql`now()` })
      .where(and(eq(notifications.accountId, accountId), eq(notifications.link, link), isNull(notifications.readAt)));
  }
}
