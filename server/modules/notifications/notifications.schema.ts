import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const outboxStatuses = ['queued', 'held', 'sent', 'failed', 'cancelled'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

/**
 * Every SMS and e-mail the platform sends, as handed to a provider. The default provider
 * stops here ("outbox"), so the whole flow works without a gateway; a configured gateway
 * delivers them and records the outcome. Recipients are PII: encrypted and masked. With a
 * gateway, secrets in a body (one-time codes, activation links) are stored masked.
 *
 * A message generated in the recipient's quiet hours is `held` until `send_after`; the
 * `sms-release-held` job then sends it, or cancels it (`cancel_reason`) when the recipient
 * turned SMS off or closed the account meanwhile.
 */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: text('id').primaryKey(),
    channel: text('channel', { enum: ['sms', 'email'] }).notNull(),
    recipientEnc: text('recipient_enc').notNull(),
    recipientMasked: text('recipient_masked').notNull(),
    /** the consumer the message is about, so their contact preferences are checked again when a held message is released */
    accountId: text('account_id'),
    template: text('template').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: outboxStatuses }).notNull().default('queued'),
    provider: text('provider').notNull(),
    /** not before this time (quiet hours) */
    sendAfter: timestamp('send_after', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    error: text('error'),
    /** why a held message was not sent: `sms_off`, `account_closed`, `expired` */
    cancelReason: text('cancel_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('outbox_messages_created_idx').on(t.createdAt),
    index('outbox_messages_held_idx').on(t.sendAfter, t.createdAt).where(sql`${t.status} = 'held'`),
    check('outbox_messages_status_check', sql`${t.status} in ('queued','held','sent','failed','cancelled')`),
    check('outbox_messages_cancel_check', sql`(${t.status} = 'cancelled') = (${t.cancelReason} is not null)`),
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
