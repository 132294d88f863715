import { bigint, bigserial, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/accounts.schema';

/** The kinds of acquisition partner (渠道类型). */
export const channelTypes = ['feed_ads', 'app_store', 'agent', 'partner_app', 'sms'] as const;
export type ChannelType = (typeof channelTypes)[number];
export const channelTypeLabels: Record<ChannelType, string> = {
  feed_ads: '信息流广告',
  app_store: '应用商店',
  agent: '代理推广',
  partner_app: '合作 App',
  sms: '短信营销',
};

export const channelStatuses = ['active', 'paused', 'terminated'] as const;
export type ChannelStatus = (typeof channelStatuses)[number];
export const channelStatusLabels: Record<ChannelStatus, string> = { active: '合作中', paused: '已暂停', terminated: '已终止' };

/**
 * A channel partner (渠道): who brings borrowers to the platform and is paid for it. `code` is
 * the tracking code in links (`/?ch=<code>&sub=<subId>`). Contact phone and settlement account
 * number are personal/financial data: sealed with the PII cipher, shown masked.
 */
export const channels = pgTable(
  'channels',
  {
    id: text('id').primaryKey(),
    /** lower-case letters and digits, 2–16, unique; never reused */
    code: text('code').notNull(),
    name: text('name').notNull(),
    type: text('type', { enum: channelTypes }).notNull(),
    status: text('status', { enum: channelStatuses }).notNull().default('active'),
    contactName: text('contact_name').notNull().default(''),
    contactPhoneEnc: text('contact_phone_enc'),
    contactPhoneMasked: text('contact_phone_masked').notNull().default(''),
    contactEmail: text('contact_email').notNull().default(''),
    /** 结算账户: the account holder, the bank, and the account number (sealed + masked) */
    settlementAccountName: text('settlement_account_name').notNull().default(''),
    settlementBank: text('settlement_bank').notNull().default(''),
    settlementAccountEnc: text('settlement_account_enc'),
    settlementAccountMasked: text('settlement_account_masked').notNull().default(''),
    /** where conversions are posted back (server to server, HMAC-signed); none = no postbacks */
    postbackUrl: text('postback_url'),
    /** the HMAC key of the postbacks, sealed */
    postbackSecretEnc: text('postback_secret_enc'),
    notes: text('notes').notNull().default(''),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('channels_code_uq').on(t.code)],
);

/**
 * A tracking link of a channel: a sub-ID (free text chosen by the operator or the channel, e.g.
 * `campaign-7`; '' for the bare channel link) and the H5 landing page's own headline.
 */
export const channelLinks = pgTable(
  'channel_links',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    subId: text('sub_id').notNull().default(''),
    label: text('label').notNull().default(''),
    landingHeadline: text('landing_headline').notNull().default(''),
    landingSubline: text('landing_subline').notNull().default(''),
    status: text('status', { enum: ['active', 'archived'] })
      .notNull()
      .default('active'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('channel_links_sub_uq').on(t.channelId, t.subId)],
);

/**
 * A visit that arrived through a channel link: the pseudonymous visitor key (server/http/visitor.ts),
 * the channel, sub-ID and the channel's click id (for postbacks). No personal data.
 */
export const channelTouches = pgTable(
  'channel_touches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    visitor: text('visitor').notNull(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    subId: text('sub_id').notNull().default(''),
    clickId: text('click_id').notNull().default(''),
    landingPath: text('landing_path').notNull().default('/'),
    /** the device key (anti-fraud), as the request origin carries it */
    device: text('device').notNull().default(''),
    touchedAt: timestamp('touched_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('channel_touches_visitor_idx').on(t.visitor, t.touchedAt), index('channel_touches_channel_idx').on(t.channelId, t.touchedAt)],
);

/**
 * Which channel a borrower came from, decided once at registration (first touch within the
 * attribution window) and never changed: one row per account at most. Every later application,
 * approval, disbursement and commission of the account carries it by this row.
 */
export const channelAttributions = pgTable(
  'channel_attributions',
  {
    accountId: text('account_id')
      .primaryKey()
      .references(() => accounts.id),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    subId: text('sub_id').notNull().default(''),
    clickId: text('click_id').notNull().default(''),
    touchId: bigint('touch_id', { mode: 'number' }),
    touchedAt: timestamp('touched_at', { withTimezone: true }).notNull(),
    attributedAt: timestamp('attributed_at', { withTimezone: true }).notNull().defaultNow(),
    /** the device key at registration (invalid-traffic checks: devices seen on many accounts) */
    device: text('device').notNull().default(''),
  },
  (t) => [
    index('channel_attributions_channel_idx').on(t.channelId, t.attributedAt),
    // the payouts' invalid-traffic checks: accounts per device, registrations per channel and sub-ID in a window
    index('channel_attributions_device_idx').on(t.device),
    index('channel_attributions_sub_idx').on(t.channelId, t.subId, t.attributedAt),
  ],
);

export const postbackStatuses = ['pending', 'delivered', 'failed'] as const;
export type PostbackStatus = (typeof postbackStatuses)[number];
export const postbackStatusLabels: Record<PostbackStatus, string> = { pending: '待投递', delivered: '已送达', failed: '已放弃' };

/**
 * The postback outbox: one conversion of an attributed borrower to post to its channel, once per
 * channel + kind + source event (unique), sent at least once with a stable `eventId` (the row id),
 * signed, retried with backoff until acknowledged or given up. Carries no personal data: the
 * account id stays here (it is not sent), the channel's own click id and sub-ID are.
 */
export const channelPostbacks = pgTable(
  'channel_postbacks',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    kind: text('kind', { enum: ['registration', 'verified_registration', 'application', 'approval', 'disbursement'] }).notNull(),
    sourceId: text('source_id').notNull(),
    subId: text('sub_id').notNull().default(''),
    clickId: text('click_id').notNull().default(''),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: postbackStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastDurationMs: integer('last_duration_ms'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('channel_postbacks_event_uq').on(t.channelId, t.kind, t.sourceId),
    index('channel_postbacks_due_idx').on(t.status, t.nextAttemptAt),
    index('channel_postbacks_channel_idx').on(t.channelId, t.createdAt),
  ],
);

/** Every attempt to post one postback: when, the answer's status code, the (generic) error, how long it took. */
export const channelPostbackAttempts = pgTable(
  'channel_postback_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    postbackId: text('postback_id')
      .notNull()
      .references(() => channelPostbacks.id),
    attempt: integer('attempt').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('channel_postback_attempts_uq').on(t.postbackId, t.attempt)],
);

/**
 * How far conversions have been read into the postback outbox (one row, `id = 'postbacks'`). Each
 * run re-reads a trailing window before it (inserts are idempotent), so an event recorded late
 * with an earlier time is still found.
 */
export const channelWatermarks = pgTable('channel_watermarks', {
  id: text('id').primaryKey(),
  through: timestamp('through', { withTimezone: true }).notNull(),
});
