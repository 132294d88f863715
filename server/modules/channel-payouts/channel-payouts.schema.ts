import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { channels } from '../channels/channels.schema';
import { ledgerJournals } from '../settlement/settlement.schema';
import type { InvalidTraffic, PayoutRule, PerEventTerms } from './payout';

/**
 * What the platform pays one channel, versioned by effective dates (a new version ends the one
 * before where it begins; a version in force never changes). Per-event amounts with tiers, a
 * share of the platform's commission, one monthly cap, a reversal window.
 */
export const channelAgreements = pgTable(
  'channel_agreements',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    version: integer('version').notNull(),
    /** per registration / verified registration / application / approval / disbursement: base fen and tiers */
    perEvent: jsonb('per_event').$type<PerEventTerms[]>().notNull().default([]),
    /** share of the commission the platform accrues on the borrower's applications (0.1 = 10%) */
    shareRate: numeric('share_rate', { precision: 8, scale: 6 }).notNull().default('0'),
    /** at most this much per channel and Asia/Shanghai month, all rules together; null = no cap */
    monthlyCapFen: bigint('monthly_cap_fen', { mode: 'number' }),
    reversalWindowDays: integer('reversal_window_days').notNull().default(30),
    effectiveFrom: timestamp('effective_from', { withTimezone: true }).notNull(),
    effectiveTo: timestamp('effective_to', { withTimezone: true }),
    note: text('note').notNull().default(''),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('channel_agreements_version_uq').on(t.channelId, t.version),
    check('channel_agreements_share_check', sql`${t.shareRate} >= 0 and ${t.shareRate} < 1`),
    check('channel_agreements_cap_check', sql`coalesce(${t.monthlyCapFen}, 1) > 0`),
    check('channel_agreements_window_check', sql`${t.reversalWindowDays} between 0 and 365`),
    check('channel_agreements_dates_check', sql`${t.effectiveTo} is null or ${t.effectiveTo} > ${t.effectiveFrom}`),
  ],
);

/**
 * One row per paid source event and rule (`chpay:<rule>:<sourceId>`), written once under the
 * channel+month lock, even when the monthly cap makes it earn nothing: tiers and the cap are read
 * from here. The journal (debit channel acquisition expense, credit the channel's payable) has the
 * same source key.
 */
export const channelPayables = pgTable(
  'channel_payables',
  {
    id: text('id').primaryKey(),
    sourceKey: text('source_key').notNull().unique(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    agreementId: text('agreement_id')
      .notNull()
      .references(() => channelAgreements.id),
    rule: text('rule').$type<PayoutRule>().notNull(),
    /** the account (registrations), the application (application, approval, disbursement) or the commission accrual's source key (share) */
    sourceId: text('source_id').notNull(),
    accountId: text('account_id').notNull(),
    applicationId: text('application_id'),
    subId: text('sub_id').notNull().default(''),
    eventAt: timestamp('event_at', { withTimezone: true }).notNull(),
    /** Asia/Shanghai month of the event */
    month: text('month').notNull(),
    ordinal: integer('ordinal').notNull(),
    /** the commission shared, for commission_share */
    baseAmountFen: bigint('base_amount_fen', { mode: 'number' }),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    journalId: text('journal_id').references(() => ledgerJournals.id),
    memo: text('memo').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('channel_payables_month_idx').on(t.channelId, t.month, t.rule),
    index('channel_payables_event_idx').on(t.eventAt),
    index('channel_payables_account_idx').on(t.accountId),
    check('channel_payables_amount_check', sql`${t.amountFen} >= 0`),
  ],
);

/** A payable taken back (once), with the reversing journal `chpay-rev:<rule>:<sourceId>` when it had an amount. */
export const channelPayableReversals = pgTable('channel_payable_reversals', {
  sourceKey: text('source_key')
    .primaryKey()
    .references(() => channelPayables.sourceKey),
  /** application_withdrawn | commission_reversed | invalid_traffic */
  cause: text('cause').notNull(),
  reason: text('reason').notNull(),
  evidence: jsonb('evidence').$type<InvalidTraffic | null>(),
  journalId: text('journal_id').references(() => ledgerJournals.id),
  reversedAt: timestamp('reversed_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A source event the agreement would pay, not paid because its account is invalid traffic: the
 * evidence instead of a journal. Unique by the payable's source key: an event is paid or excluded,
 * once.
 */
export const channelPayoutExclusions = pgTable(
  'channel_payout_exclusions',
  {
    id: text('id').primaryKey(),
    sourceKey: text('source_key').notNull().unique(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    agreementId: text('agreement_id')
      .notNull()
      .references(() => channelAgreements.id),
    rule: text('rule').$type<PayoutRule>().notNull(),
    sourceId: text('source_id').notNull(),
    accountId: text('account_id').notNull(),
    applicationId: text('application_id'),
    subId: text('sub_id').notNull().default(''),
    eventAt: timestamp('event_at', { withTimezone: true }).notNull(),
    month: text('month').notNull(),
    code: text('code', { enum: ['risk_flag', 'shared_device', 'burst'] }).notNull(),
    evidence: jsonb('evidence').$type<InvalidTraffic>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('channel_payout_exclusions_month_idx').on(t.channelId, t.month)],
);

/** How far the `channel-payables` ticker has read conversions (it re-reads a trailing day each tick). */
export const channelPayoutWatermarks = pgTable('channel_payout_watermarks', {
  name: text('name').primaryKey(),
  upTo: timestamp('up_to', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One channel's payables for one Asia/Shanghai month, built in one transaction by `channel-statements-close`. */
export const channelStatements = pgTable(
  'channel_statements',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    period: text('period').notNull(),
    status: text('status', { enum: ['draft', 'issued', 'disputed', 'paid'] }).notNull().default('draft'),
    totalFen: bigint('total_fen', { mode: 'number' }).notNull(),
    lineCount: integer('line_count').notNull(),
    excludedCount: integer('excluded_count').notNull().default(0),
    closedAt: timestamp('closed_at', { withTimezone: true }).notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('channel_statements_period_uq').on(t.channelId, t.period), index('channel_statements_status_idx').on(t.status)],
);

/**
 * A line of a channel statement: a payable, a reversal, an adjustment, or an excluded event
 * (amount 0, with its evidence). `source_key` is unique across statements: each item is billed once.
 */
export const channelStatementLines = pgTable(
  'channel_statement_lines',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    statementId: text('statement_id')
      .notNull()
      .references(() => channelStatements.id),
    lineNo: integer('line_no').notNull(),
    kind: text('kind', { enum: ['payable', 'reversal', 'adjustment', 'excluded'] }).notNull(),
    sourceKey: text('source_key').notNull().unique(),
    rule: text('rule').$type<PayoutRule>(),
    subId: text('sub_id').notNull().default(''),
    eventAt: timestamp('event_at', { withTimezone: true }).notNull(),
    eventMonth: text('event_month').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    late: boolean('late').notNull().default(false),
    description: text('description').notNull().default(''),
    evidence: jsonb('evidence').$type<InvalidTraffic | null>(),
  },
  (t) => [uniqueIndex('channel_statement_lines_no_uq').on(t.statementId, t.lineNo)],
);

/** The channel's dispute of one line (once), and how an operator resolved it. */
export const channelLineDisputes = pgTable(
  'channel_line_disputes',
  {
    lineId: bigint('line_id', { mode: 'number' })
      .primaryKey()
      .references(() => channelStatementLines.id),
    statementId: text('statement_id')
      .notNull()
      .references(() => channelStatements.id),
    reason: text('reason').notNull(),
    raisedBy: text('raised_by'),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull(),
    resolution: text('resolution', { enum: ['adjusted', 'rejected'] }),
    resolutionNote: text('resolution_note'),
    adjustmentId: text('adjustment_id'),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [index('channel_line_disputes_statement_idx').on(t.statementId)],
);

/** A correction agreed on a dispute: journal `chadj:<id>` on the channel's payable, billed on the next statement. */
export const channelAdjustments = pgTable(
  'channel_adjustments',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    /** positive: the platform owes the channel more */
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    lineId: bigint('line_id', { mode: 'number' }).notNull(),
    journalId: text('journal_id')
      .notNull()
      .references(() => ledgerJournals.id),
    month: text('month').notNull(),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('channel_adjustments_line_uq').on(t.lineId), check('channel_adjustments_amount_check', sql`${t.amountFen} <> 0`)],
);

/** The platform's payment of a channel statement (one per statement, the exact total): journal `chpayment:<statementId>`. */
export const channelPayments = pgTable(
  'channel_payments',
  {
    id: text('id').primaryKey(),
    statementId: text('statement_id')
      .notNull()
      .references(() => channelStatements.id),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }).notNull(),
    reference: text('reference').notNull(),
    journalId: text('journal_id')
      .notNull()
      .references(() => ledgerJournals.id),
    recordedBy: text('recorded_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('channel_payments_statement_uq').on(t.statementId), check('channel_payments_amount_check', sql`${t.amountFen} > 0`)],
);
