import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The BI rollup: one row per Asia/Shanghai day and combination of dimensions that had anything,
 * with additive measures. Rebuilt a whole day at a time (delete + insert in one transaction) by
 * the `bi-rollup` job (past days, nightly), the `bi-rollup-today` ticker (today, every 5 minutes)
 * and an operator's rebuild of a date range; never edited row by row. A dimension a fact does not
 * have is '' (e.g. the product of a visit, the channel cost's region); no attributed channel is
 * 'organic'. Written only by the analytics module.
 */
export const biDailyFacts = pgTable(
  'bi_daily_facts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    day: date('day', { mode: 'string' }).notNull(),
    institutionId: text('institution_id').notNull().default(''),
    productId: text('product_id').notNull().default(''),
    category: text('category').notNull().default(''),
    channelId: text('channel_id').notNull().default('organic'),
    subId: text('sub_id').notNull().default(''),
    region: text('region').notNull().default(''),
    creditBand: text('credit_band').notNull().default(''),
    purpose: text('purpose').notNull().default(''),
    device: text('device').notNull().default(''),
    /** distinct visitors of the day (catalogue events and channel landings) */
    visits: integer('visits').notNull().default(0),
    /** consumer accounts registered that day */
    registrations: integer('registrations').notNull().default(0),
    /** of those, accounts with a risk flag (as of the rebuild) */
    flaggedRegistrations: integer('flagged_registrations').notNull().default(0),
    applications: integer('applications').notNull().default(0),
    approvals: integer('approvals').notNull().default(0),
    rejections: integer('rejections').notNull().default(0),
    disbursements: integer('disbursements').notNull().default(0),
    disbursedFen: bigint('disbursed_fen', { mode: 'number' }).notNull().default(0),
    /** commission accrued (credits to revenue:commission:*, reversals net out) */
    commissionFen: bigint('commission_fen', { mode: 'number' }).notNull().default(0),
    /** what the platform came to owe channels (credits to payable:channel:*, reversals net out) */
    channelCostFen: bigint('channel_cost_fen', { mode: 'number' }).notNull().default(0),
    /** loans outstanding at the end of the day, and those of them with an instalment past due and unpaid */
    activeLoans: integer('active_loans').notNull().default(0),
    overdueLoans: integer('overdue_loans').notNull().default(0),
    /** of the applications created that day, those with a first response (as of the rebuild), and the sum of their response times in milliseconds */
    responded: integer('responded').notNull().default(0),
    responseMs: bigint('response_ms', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    index('bi_daily_facts_day_idx').on(t.day),
    index('bi_daily_facts_channel_idx').on(t.channelId, t.day),
    index('bi_daily_facts_institution_idx').on(t.institutionId, t.day),
  ],
);

/**
 * The BI facts of a day summed per institution and product (applications, decisions,
 * disbursements, commission, first responses): the statistics pages read these few rows a day
 * instead of the thousands of bi_daily_facts rows the BI dimensions make. Rebuilt from the day's
 * bi_daily_facts in the same transaction.
 */
export const productDailyFacts = pgTable(
  'product_daily_facts',
  {
    day: date('day', { mode: 'string' }).notNull(),
    institutionId: text('institution_id').notNull(),
    productId: text('product_id').notNull(),
    applications: integer('applications').notNull().default(0),
    approvals: integer('approvals').notNull().default(0),
    rejections: integer('rejections').notNull().default(0),
    disbursements: integer('disbursements').notNull().default(0),
    disbursedFen: bigint('disbursed_fen', { mode: 'number' }).notNull().default(0),
    commissionFen: bigint('commission_fen', { mode: 'number' }).notNull().default(0),
    responded: integer('responded').notNull().default(0),
    responseMs: bigint('response_ms', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.institutionId, t.productId] })],
);

/**
 * Catalogue events per Asia/Shanghai day, product ('' for searches) and door (web / api): product
 * views and clicks, applies and searches. Rebuilt with the day's BI rollup (server/modules/analytics/rollup.ts).
 */
export const catalogueEventDays = pgTable(
  'catalogue_event_days',
  {
    day: date('day', { mode: 'string' }).notNull(),
    productId: text('product_id').notNull(),
    channel: text('channel').notNull(),
    clicks: integer('clicks').notNull().default(0),
    applies: integer('applies').notNull().default(0),
    searches: integer('searches').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.productId, t.channel] })],
);

/** Platform figures per Asia/Shanghai day that no dimension splits: distinct visitors with a browse, search or apply event, complaints filed. Rebuilt with the day's BI rollup. */
export const platformDays = pgTable('platform_days', {
  day: date('day', { mode: 'string' }).primaryKey(),
  visitors: integer('visitors').notNull().default(0),
  complaints: integer('complaints').notNull().default(0),
});

/**
 * Each consumer account's visitor key (the blind index server/http/visitor.ts gives a signed-in
 * borrower's events), so the funnel follows a borrower from browsing to applying in SQL. Filled by
 * the BI rollup jobs (BiService.fillVisitorKeys); accounts not keyed yet are keyed per request.
 */
export const visitorKeys = pgTable(
  'visitor_keys',
  {
    accountId: text('account_id').primaryKey(),
    visitor: text('visitor').notNull(),
  },
  (t) => [index('visitor_keys_visitor_idx').on(t.visitor)],
);

/**
 * The funnel's first two steps per Asia/Shanghai day, counted so that distinct people add up over
 * any period (server/modules/analytics/funnel-rollup.ts): the people active that day ('visit': a
 * search, view, click or apply event; 'view': a view, click or apply event) by their channel and
 * the last earlier day they took that step (null: never). The distinct people of a period
 * [from, to] are the sum over its days of the rows whose previous day is before `from` (each person
 * is counted once, on their first day of the period). Rebuilt with the day's BI rollup.
 */
export const funnelVisitorDays = pgTable(
  'funnel_visitor_days',
  {
    day: date('day', { mode: 'string' }).notNull(),
    step: text('step', { enum: ['visit', 'view'] }).notNull(),
    channelId: text('channel_id').notNull(),
    previousDay: date('previous_day', { mode: 'string' }),
    people: integer('people').notNull(),
  },
  (t) => [index('funnel_visitor_days_day_idx').on(t.day)],
);

/**
 * The funnel's later steps: one row per borrower (by visitor key) and Asia/Shanghai day on which
 * they submitted applications, with the days around it that decide whether they count in a period:
 * their previous application day, their latest view day up to it and the first from it, and the
 * first application day from it with an application approved (so far) and disbursed (so far), and
 * their channel. Rebuilt per borrower whenever one of these can change (they apply, a decision is
 * recorded, or they browse with no view since an application day): see funnel-rollup.ts.
 */
export const funnelApplicantDays = pgTable(
  'funnel_applicant_days',
  {
    visitor: text('visitor').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    previousDay: date('previous_day', { mode: 'string' }),
    lastViewDay: date('last_view_day', { mode: 'string' }),
    nextViewDay: date('next_view_day', { mode: 'string' }),
    nextApprovedDay: date('next_approved_day', { mode: 'string' }),
    nextDisbursedDay: date('next_disbursed_day', { mode: 'string' }),
    channelId: text('channel_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.visitor, t.day] }), index('funnel_applicant_days_day_idx').on(t.day)],
);

/** When each day's funnel rows (funnel_visitor_days, and the applicants of that day) were last rebuilt: a day rebuilt after its end is read from them. */
export const funnelRollupDays = pgTable('funnel_rollup_days', {
  day: date('day', { mode: 'string' }).primaryKey(),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull(),
});

/** When each day of the rollup was last rebuilt, and how many rows it has: the refresh lag shown to operators. */
export const biRollupDays = pgTable('bi_rollup_days', {
  day: date('day', { mode: 'string' }).primaryKey(),
  rows: integer('rows').notNull(),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull(),
});

/** An operator's named BI selection (measures, dimensions, period, filters) to open again. */
export const biSavedViews = pgTable(
  'bi_saved_views',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    name: text('name').notNull(),
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('bi_saved_views_name_uq').on(t.accountId, t.name)],
);

export const biAlertKinds = ['channel_conversion', 'channel_fraud', 'institution_approval', 'region_overdue'] as const;
export type BiAlertKind = (typeof biAlertKinds)[number];

/**
 * An operator's alert subscription: a kind, a threshold in percentage points, optionally one
 * subject (a channel, an institution, a region; null = every one) and an SMS number (sealed) to
 * be told through the outbox besides the admin.
 */
export const biAlertSubscriptions = pgTable(
  'bi_alert_subscriptions',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    kind: text('kind', { enum: biAlertKinds }).notNull(),
    subject: text('subject'),
    /** percentage points, e.g. 10.00 */
    thresholdPoints: numeric('threshold_points', { precision: 6, scale: 2 }).notNull(),
    /** the smallest base (registrations, decisions, loans) in both periods for a rate to count */
    minBase: integer('min_base').notNull().default(10),
    phoneEnc: text('phone_enc'),
    phoneMasked: text('phone_masked').notNull().default(''),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('bi_alert_subscriptions_account_idx').on(t.accountId), check('bi_alert_subscriptions_threshold_check', sql`${t.thresholdPoints} > 0`)],
);

/** An alert that fired: once per subscription, day and subject (unique), whatever the number of evaluations. */
export const biAlerts = pgTable(
  'bi_alerts',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => biAlertSubscriptions.id),
    day: date('day', { mode: 'string' }).notNull(),
    kind: text('kind', { enum: biAlertKinds }).notNull(),
    subject: text('subject').notNull(),
    subjectLabel: text('subject_label').notNull(),
    previousRate: numeric('previous_rate', { precision: 8, scale: 6 }).notNull(),
    currentRate: numeric('current_rate', { precision: 8, scale: 6 }).notNull(),
    message: text('message').notNull(),
    outboxId: text('outbox_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('bi_alerts_once_uq').on(t.subscriptionId, t.day, t.subject), index('bi_alerts_created_idx').on(t.createdAt)],
);
