import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { institutions } from '../institutions/institutions.schema';
import type { AgreementTier } from './commission';

/** Commission terms between the platform and one institution; versioned by effective dates. */
export const agreements = pgTable(
  'agreements',
  {
    id: text('id').primaryKey(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    version: integer('version').notNull(),
    /** CPL: fixed amount per lead delivered (base tier) */
    cplFen: bigint('cpl_fen', { mode: 'number' }).notNull().default(0),
    /** CPA: fixed amount per approved lead (base tier) */
    cpaFen: bigint('cpa_fen', { mode: 'number' }).notNull().default(0),
    /** CPS: share of the disbursed amount, as a fraction (0.015 = 1.5%) (base tier) */
    cpsRate: numeric('cps_rate', { precision: 8, scale: 6 }).notNull().default('0'),
    /** later tiers: from the N-th event of the rule in the institution's Asia/Shanghai month */
    tiers: jsonb('tiers').$type<AgreementTier[]>().notNull().default([]),
    /** CPS at most this much per loan; null = no cap */
    cpsEventCapFen: bigint('cps_event_cap_fen', { mode: 'number' }),
    cplMonthlyCapFen: bigint('cpl_monthly_cap_fen', { mode: 'number' }),
    cpaMonthlyCapFen: bigint('cpa_monthly_cap_fen', { mode: 'number' }),
    cpsMonthlyCapFen: bigint('cps_monthly_cap_fen', { mode: 'number' }),
    /** a withdrawal/cancellation within this many days of the event reverses its commission */
    reversalWindowDays: integer('reversal_window_days').notNull().default(30),
    effectiveFrom: timestamp('effective_from', { withTimezone: true }).notNull(),
    effectiveTo: timestamp('effective_to', { withTimezone: true }),
    note: text('note').notNull().default(''),
    /** the operator account that created the version; null for seeds and fixtures */
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('agreements_institution_version_uq').on(t.institutionId, t.version),
    check('agreements_terms_check', sql`${t.cplFen} >= 0 and ${t.cpaFen} >= 0 and ${t.cpsRate} >= 0 and ${t.cpsRate} < 1`),
    check(
      'agreements_caps_check',
      sql`coalesce(${t.cpsEventCapFen}, 1) > 0 and coalesce(${t.cplMonthlyCapFen}, 1) > 0 and coalesce(${t.cpaMonthlyCapFen}, 1) > 0 and coalesce(${t.cpsMonthlyCapFen}, 1) > 0`,
    ),
    check('agreements_window_check', sql`${t.reversalWindowDays} between 0 and 365`),
    check('agreements_dates_check', sql`${t.effectiveTo} is null or ${t.effectiveTo} > ${t.effectiveFrom}`),
  ],
);

/**
 * One row per commission-earning event (source key `cpl:<applicationId>` …), written once under
 * the institution+month lock, even when a cap makes it earn nothing: the tier counts and the
 * monthly caps are read from here. Append-only (trigger).
 */
export const commissionAccruals = pgTable(
  'commission_accruals',
  {
    id: text('id').primaryKey(),
    sourceKey: text('source_key').notNull().unique(),
    rule: text('rule', { enum: ['cpl', 'cpa', 'cps'] }).notNull(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    applicationId: text('application_id').notNull(),
    agreementId: text('agreement_id')
      .notNull()
      .references(() => agreements.id),
    eventAt: timestamp('event_at', { withTimezone: true }).notNull(),
    /** Asia/Shanghai month of the event, "2026-03" */
    month: text('month').notNull(),
    /** the n-th accrual of this rule for the institution in the month */
    ordinal: integer('ordinal').notNull(),
    /** the disbursed amount for CPS */
    baseAmountFen: bigint('base_amount_fen', { mode: 'number' }),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    /** null when the event earned nothing (a cap reached) */
    journalId: text('journal_id').references(() => ledgerJournals.id),
    memo: text('memo').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('commission_accruals_month_idx').on(t.institutionId, t.rule, t.month),
    index('commission_accruals_application_idx').on(t.applicationId),
    check('commission_accruals_amount_check', sql`${t.amountFen} >= 0`),
  ],
);

/** A reversed accrual (once each), with the reversing journal when it had an amount. Append-only (trigger). */
export const commissionReversals = pgTable('commission_reversals', {
  sourceKey: text('source_key')
    .primaryKey()
    .references(() => commissionAccruals.sourceKey),
  reason: text('reason').notNull(),
  journalId: text('journal_id').references(() => ledgerJournals.id),
  actorId: text('actor_id'),
  reversedAt: timestamp('reversed_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Double-entry ledger. A journal groups entries that must sum to zero per currency
 * (checked by a deferred constraint trigger at commit). Both tables are append-only:
 * triggers refuse UPDATE and DELETE. `source_key` makes each business event post once.
 */
export const ledgerJournals = pgTable(
  'ledger_journals',
  {
    id: text('id').primaryKey(),
    sourceKey: text('source_key').notNull().unique(),
    kind: text('kind').notNull(),
    institutionId: text('institution_id').references(() => institutions.id),
    applicationId: text('application_id'),
    agreementId: text('agreement_id'),
    memo: text('memo').notNull().default(''),
    postedAt: timestamp('posted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('ledger_journals_institution_idx').on(t.institutionId, t.postedAt),
    // statistics: commission accrued per day across institutions
    index('ledger_journals_posted_idx').on(t.postedAt, t.kind),
  ],
);

export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    journalId: text('journal_id')
      .notNull()
      .references(() => ledgerJournals.id),
    account: text('account').notNull(),
    currency: text('currency').notNull().default('CNY'),
    /** debit positive, credit negative, in minor units (fen) */
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('ledger_entries_journal_idx').on(t.journalId),
    index('ledger_entries_account_idx').on(t.account),
    check('ledger_entries_nonzero_check', sql`${t.amountFen} <> 0`),
  ],
);
