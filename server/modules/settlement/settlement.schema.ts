import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, foreignKey, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, unique, uniqueIndex } from 'drizzle-orm/pg-core';
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
    // the target of commission_accruals' (agreement, institution) foreign key
    unique('agreements_id_institution_uq').on(t.id, t.institutionId),
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
    /** the agreement's institution (one foreign key checks both, see below) */
    institutionId: text('institution_id').notNull(),
    applicationId: text('application_id').notNull(),
    agreementId: text('agreement_id').notNull(),
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
    // one check per row instead of two (institution, then agreement): the agreement, and that it is the institution's
    foreignKey({ name: 'commission_accruals_agreement_institution_fk', columns: [t.agreementId, t.institutionId], foreignColumns: [agreements.id, agreements.institutionId] }),
    index('commission_accruals_month_idx').on(t.institutionId, t.rule, t.month),
    index('commission_accruals_application_idx').on(t.applicationId),
    check('commission_accruals_amount_check', sql`${t.amountFen} >= 0`),
  ],
);

/**
 * Month to date of each institution's rule, kept by statement-level triggers on
 * commission_accruals (+count, +amount) and commission_reversals (−count, −amount in the reversed
 * accrual's month), so reading what tiers and caps need costs one row instead of a scan of the
 * month. Derived data (the accruals stay the record); read under the institution+month lock.
 */
export const commissionMonthTotals = pgTable(
  'commission_month_totals',
  {
    institutionId: text('institution_id').notNull(),
    rule: text('rule', { enum: ['cpl', 'cpa', 'cps'] }).notNull(),
    month: text('month').notNull(),
    /** accruals of the rule in the month, not counting reversed ones */
    count: integer('count').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.rule, t.month] })],
);

/**
 * Commission events waiting to accrue (the CPL of each application submitted): written in the
 * submission's transaction without the institution's month lock, accrued in batches by the
 * commission drainer (`SettlementService.drainAccruals`), which deletes the rows it accrued in the
 * same transaction. Exactly once stays with the accrual's unique source key.
 */
export const commissionOutbox = pgTable('commission_outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  rule: text('rule', { enum: ['cpl', 'cpa', 'cps'] }).notNull(),
  institutionId: text('institution_id').notNull(),
  applicationId: text('application_id').notNull(),
  baseAmountFen: bigint('base_amount_fen', { mode: 'number' }),
  /** when the event happened: its Asia/Shanghai month is the accrual's */
  eventAt: timestamp('event_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

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

/**
 * Each institution's receivable balance (the sum of its `receivable:institution:<id>` ledger
 * entries), kept by a statement-level trigger on `ledger_entries` (migration 0052) as insert-only
 * deltas: the balance is the sum of the institution's rows. Posting never waits on a balance row;
 * the `receivables-fold` ticker folds the rows into one per institution (foldDeltas). Derived data.
 */
export const receivableBalances = pgTable('receivable_balances', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  institutionId: text('institution_id').notNull(),
  amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
});

/**
 * One institution's commissions for one Asia/Shanghai month, built in one transaction by the
 * `statements-close` job. Unique per (institution, period): a rerun finds it and builds nothing.
 * Its lines never change once closed; only the status, review and payment state move.
 */
export const statements = pgTable(
  'statements',
  {
    id: text('id').primaryKey(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** the Asia/Shanghai month closed, "2026-03" */
    period: text('period').notNull(),
    status: text('status', { enum: ['draft', 'issued', 'disputed', 'paid'] }).notNull().default('draft'),
    /** per rule: { rule, count, amountFen } of the accrual and reversal lines */
    subtotals: jsonb('subtotals').$type<{ rule: string; count: number; amountFen: number }[]>().notNull().default([]),
    adjustmentsFen: bigint('adjustments_fen', { mode: 'number' }).notNull().default(0),
    lateFen: bigint('late_fen', { mode: 'number' }).notNull().default(0),
    totalFen: bigint('total_fen', { mode: 'number' }).notNull(),
    lineCount: integer('line_count').notNull(),
    /** Asia/Shanghai date the payment is due, "2026-04-15" */
    dueDate: text('due_date').notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }).notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('statements_institution_period_uq').on(t.institutionId, t.period), index('statements_status_idx').on(t.status, t.dueDate)],
);

/**
 * A billed item: an accrual, a reversal or an adjustment. `source_key` is unique across every
 * statement, so each item is billed exactly once; an item of an already closed month lands on the
 * next statement marked late.
 */
export const statementLines = pgTable(
  'statement_lines',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    statementId: text('statement_id')
      .notNull()
      .references(() => statements.id),
    lineNo: integer('line_no').notNull(),
    kind: text('kind', { enum: ['accrual', 'reversal', 'adjustment'] }).notNull(),
    sourceKey: text('source_key').notNull().unique(),
    applicationId: text('application_id'),
    rule: text('rule', { enum: ['cpl', 'cpa', 'cps'] }),
    eventAt: timestamp('event_at', { withTimezone: true }).notNull(),
    eventMonth: text('event_month').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    late: boolean('late').notNull().default(false),
    description: text('description').notNull().default(''),
  },
  (t) => [uniqueIndex('statement_lines_statement_line_uq').on(t.statementId, t.lineNo)],
);

/** The institution's confirmation or dispute of one line, and how an operator resolved a dispute. */
export const statementLineReviews = pgTable(
  'statement_line_reviews',
  {
    lineId: bigint('line_id', { mode: 'number' })
      .primaryKey()
      .references(() => statementLines.id),
    statementId: text('statement_id')
      .notNull()
      .references(() => statements.id),
    decision: text('decision', { enum: ['confirmed', 'disputed'] }).notNull(),
    reason: text('reason').notNull().default(''),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }).notNull(),
    resolution: text('resolution', { enum: ['adjusted', 'rejected'] }),
    resolutionNote: text('resolution_note'),
    adjustmentId: text('adjustment_id'),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [index('statement_line_reviews_statement_idx').on(t.statementId)],
);

/**
 * A correction agreed by an operator (a dispute or a reconciliation difference): a balanced
 * journal `adj:<id>` on the institution's receivable, billed on the next statement.
 */
export const settlementAdjustments = pgTable(
  'settlement_adjustments',
  {
    id: text('id').primaryKey(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** positive: the institution owes more; negative: a credit */
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    origin: text('origin', { enum: ['dispute', 'reconciliation'] }).notNull(),
    originId: text('origin_id').notNull(),
    applicationId: text('application_id'),
    journalId: text('journal_id')
      .notNull()
      .references(() => ledgerJournals.id),
    month: text('month').notNull(),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('settlement_adjustments_origin_uq').on(t.origin, t.originId),
    index('settlement_adjustments_institution_idx').on(t.institutionId, t.month),
    check('settlement_adjustments_amount_check', sql`${t.amountFen} <> 0`),
  ],
);

/**
 * Money received against a statement, posted to the ledger once (`payment:<paymentIntentId>` or `payment:bank:<id>`).
 * A bank reference is recorded once per statement (`reference_key`, unique); money beyond what was
 * outstanding is an overpayment, recorded on purpose with a reason and posted to the institution's credit.
 */
export const statementPayments = pgTable(
  'statement_payments',
  {
    id: text('id').primaryKey(),
    statementId: text('statement_id')
      .notNull()
      .references(() => statements.id),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    method: text('method', { enum: ['stripe', 'bank_transfer'] }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }).notNull(),
    reference: text('reference').notNull(),
    /**
     * the reference as a bank writes it, whatever the spacing and case (`paymentReferenceKey`); unique per
     * statement. Null only on payments recorded before it existed (the table is append-only); a check
     * constraint in the migration requires it on every new row.
     */
    referenceKey: text('reference_key'),
    sourceKey: text('source_key').notNull().unique(),
    journalId: text('journal_id')
      .notNull()
      .references(() => ledgerJournals.id),
    /** the part of the amount above what was outstanding, posted to the institution's credit instead of its receivable */
    overpaymentFen: bigint('overpayment_fen', { mode: 'number' }).notNull().default(0),
    /** why finance accepted more than was outstanding; required exactly when there is an overpayment */
    overpaymentReason: text('overpayment_reason'),
    recordedBy: text('recorded_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('statement_payments_statement_idx').on(t.statementId),
    index('statement_payments_paid_idx').on(t.paidAt),
    uniqueIndex('statement_payments_reference_uq').on(t.statementId, t.referenceKey),
    check('statement_payments_amount_check', sql`${t.amountFen} > 0`),
    check('statement_payments_overpayment_check', sql`${t.overpaymentFen} >= 0 and ${t.overpaymentFen} <= ${t.amountFen} and (${t.overpaymentFen} = 0) = (${t.overpaymentReason} is null)`),
  ],
);

/** Every Stripe event processed, once: a redelivery finds its id here and changes nothing. */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  objectId: text('object_id'),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The latest known state of each PaymentIntent for a statement; `succeeded` is never overridden. */
export const stripePaymentIntents = pgTable('stripe_payment_intents', {
  id: text('id').primaryKey(),
  statementId: text('statement_id')
    .notNull()
    .references(() => statements.id),
  status: text('status').notNull(),
  amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** An institution's disbursement report, imported once per identical file (hash unique per institution). */
export const reconciliationImports = pgTable(
  'reconciliation_imports',
  {
    id: text('id').primaryKey(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    fileHash: text('file_hash').notNull(),
    source: text('source', { enum: ['upload', 'api'] }).notNull(),
    rowCount: integer('row_count').notNull(),
    matched: integer('matched').notNull(),
    /** Asia/Shanghai months the report covers, "2026-03".."2026-04" */
    fromMonth: text('from_month').notNull(),
    toMonth: text('to_month').notNull(),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('reconciliation_imports_hash_uq').on(t.institutionId, t.fileHash), index('reconciliation_imports_institution_idx').on(t.institutionId, t.createdAt)],
);

export const reconciliationRows = pgTable(
  'reconciliation_rows',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    importId: text('import_id')
      .notNull()
      .references(() => reconciliationImports.id),
    lineNo: integer('line_no').notNull(),
    applicationId: text('application_id').notNull(),
    disbursedAt: timestamp('disbursed_at', { withTimezone: true }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
  },
  (t) => [index('reconciliation_rows_import_idx').on(t.importId)],
);

/** What did not match, one row each, until an operator adjusts or rejects it. */
export const reconciliationDifferences = pgTable(
  'reconciliation_differences',
  {
    id: text('id').primaryKey(),
    importId: text('import_id')
      .notNull()
      .references(() => reconciliationImports.id),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    applicationId: text('application_id').notNull(),
    kind: text('kind', { enum: ['missing_ours', 'missing_theirs', 'amount'] }).notNull(),
    ourAmountFen: bigint('our_amount_fen', { mode: 'number' }),
    theirAmountFen: bigint('their_amount_fen', { mode: 'number' }),
    status: text('status', { enum: ['open', 'adjusted', 'rejected'] }).notNull().default('open'),
    resolutionNote: text('resolution_note'),
    adjustmentId: text('adjustment_id'),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [index('reconciliation_differences_import_idx').on(t.importId), index('reconciliation_differences_open_idx').on(t.institutionId, t.status)],
);
