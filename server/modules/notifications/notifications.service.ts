import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { newId } from '../../lib/ids';
import { maskLogin, type PiiCipher } from '../../lib/pii';
import { notifications, outboxMessages } from './notifications.schema';
import type { SmsTemplate } from './labels';
import type { MessageProvider } from './providers';

export type OutboxRow = typeof outboxMessages.$inferSelect;
export type NotificationRow = typeof notifications.$inferSelect;

/** SMS and e-mail through a provider (recorded in the outbox), and in-app notifications. */
export class NotificationsService {
  constructor(
    private readonly db: Database,
    private readonly pii: PiiCipher,
    private readonly provider: MessageProvider,
  ) {}

  /** Sends now, or holds until `sendAfter` (quiet hours). Returns the outbox id. */
  async sendSms(to: string, template: SmsTemplate, body: string, options: { sendAfter?: Date } = {}): Promise<string> {
    const id = newId('msg');
    const held = options.sendAfter !== undefined && options.sendAfter.getTime() > Date.now();
    await this.db.insert(outboxMessages).values({
      id,
      channel: 'sms',
      recipientEnc: this.pii.encrypt(to),
      recipientMasked: maskLogin(to),
      template,
      body,
      status: held ? 'held' : 'queued',
      provider: this.provider.name,
      sendAfter: options.sendAfter ?? new Date(),
    });
    if (!held) await this.deliver(id, to, body);
    return id;
  }

  private async deliver(id: string, to: string, body: string): Promise<void> {
    try {
      await this.provider.deliver({ id, channel: 'sms', to, body });
      await this.db.update(outboxMessages).set({ status: 'sent', sentAt: sql`now()` }).where(eq(outboxMessages.id, id));
    } catch (err) {
      await this.db
        .update(outboxMessages)
        .set({ status: 'failed', error: (err as Error).message.slice(0, 500) })
        .where(eq(outboxMessages.id, id));
    }
  }

  async outbox(limit = 100): Promise<OutboxRow[]> {
    return this.db.select().from(outboxMessages).orderBy(desc(outboxMessages.createdAt)).limit(limit);
  }

  /** The last message sent to a recipient (for development and tests: read a code from the outbox). */
  async lastSmsTo(to: string): Promise<OutboxRow | undefined> {
    const masked = maskLogin(to);
    const rows = await this.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.channel, 'sms'), eq(outboxMessages.recipientMasked, masked)))
      .orderBy(desc(outboxMessages.createdAt))
      .limit(20);
    return rows.find((r) => this.pii.decrypt(r.recipientEnc) === to);
  }

  async notify(accountId: string, n: { kind: string; title: string; body: string; link?: string }, tx: Database = this.db): Promise<void> {
    await tx.insert(notifications).values({ id: newId('ntf'), accountId, ...n, link: n.link ?? null });
  }

  async list(accountId: string, limit = 50): Promise<NotificationRow[]> {
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
}
