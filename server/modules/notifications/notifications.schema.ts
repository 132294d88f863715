import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every SMS and e-mail the platform sends, as handed to a provider. The default provider
 * stops here ("outbox"), so the whole flow works without a gateway; a configured gateway
 * delivers them and records the outcome. Recipients are PII: encrypted and masked.
 */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: text('id').primaryKey(),
    channel: text('channel', { enum: ['sms', 'email'] }).notNull(),
    recipientEnc: text('recipient_enc').notNull(),
    recipientMasked: text('recipient_masked').notNull(),
    template: text('template').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['queued', 'held', 'sent', 'failed'] }).notNull().default('queued'),
    provider: text('provider').notNull(),
    /** not before this time (quiet hours) */
    sendAfter: timestamp('send_after', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('outbox_messages_created_idx').on(t.createdAt),
    check('outbox_messages_status_check', sql`${t.status} in ('queued','held','sent','failed')`),
  ],
);

/** In-app notifications for one account. */
export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    link: text('link'),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('notifications_account_idx').on(t.accountId, t.createdAt)],
);
