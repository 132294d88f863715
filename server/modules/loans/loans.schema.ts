import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, date, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/accounts.schema';
import { applications } from '../applications/applications.schema';
import { products } from '../catalogue/catalogue.schema';
import { institutions } from '../institutions/institutions.schema';

export const loanStatuses = ['active', 'settled'] as const;
export type LoanStatus = (typeof loanStatuses)[number];

/** A disbursed application: its terms, and (in loan_instalments) its schedule. One per application. */
export const loans = pgTable(
  'loans',
  {
    id: text('id').primaryKey(),
    applicationId: text('application_id')
      .notNull()
      .references(() => applications.id),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => accounts.id),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    principalFen: bigint('principal_fen', { mode: 'number' }).notNull(),
    /** nominal annual interest rate, fraction */
    annualRate: numeric('annual_rate', { precision: 8, scale: 6 }).notNull(),
    termMonths: integer('term_months').notNull(),
    method: text('method', { enum: ['equal_installment', 'equal_principal', 'interest_first', 'bullet'] }).notNull(),
    upfrontFeeFen: bigint('upfront_fee_fen', { mode: 'number' }).notNull().default(0),
    monthlyFeeFen: bigint('monthly_fee_fen', { mode: 'number' }).notNull().default(0),
    /** the product's early-repayment rule at disbursement */
    earlyRepaymentFeeRate: numeric('early_repayment_fee_rate', { precision: 8, scale: 6 }).notNull().default('0'),
    earlyRepaymentFreeAfter: integer('early_repayment_free_after').notNull().default(0),
    disbursedAt: timestamp('disbursed_at', { withTimezone: true }).notNull(),
    firstDueDate: date('first_due_date', { mode: 'string' }).notNull(),
    /** 'generated' by the pricing module, or the institution's own */
    scheduleSource: text('schedule_source', { enum: ['generated', 'institution'] }).notNull().default('generated'),
    /** the current schedule version (loan_schedule_versions): 1 until an extension or restructuring is accepted */
    scheduleVersion: integer('schedule_version').notNull().default(1),
    /** the latest accepted change of schedule, for the overdue reports: 展期 or 重新安排 */
    scheduleChange: text('schedule_change', { enum: ['extension', 'restructure'] }),
    status: text('status', { enum: loanStatuses }).notNull().default('active'),
    settledAt: timestamp('settled_at', { withTimezone: true }),
    /** the highest overdue stage reached in the current overdue episode, null when current */
    overdueStage: text('overdue_stage', { enum: ['reminder', 'call', 'collection', 'escalated'] }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('loans_application_uq').on(t.applicationId),
    index('loans_consumer_idx').on(t.consumerId, t.createdAt),
    index('loans_institution_idx').on(t.institutionId, t.status, t.createdAt),
    check('loans_amounts_check', sql`${t.principalFen} > 0 and ${t.termMonths} > 0 and ${t.upfrontFeeFen} >= 0 and ${t.monthlyFeeFen} >= 0`),
    check('loans_status_check', sql`${t.status} in ('active','settled')`),
  ],
);

export const instalmentStatuses = ['pending', 'partly_paid', 'paid', 'overdue'] as const;

/** One instalment of a loan's schedule and what has been paid against it. */
export const loanInstalments = pgTable(
  'loan_instalments',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    period: integer('period').notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    principalFen: bigint('principal_fen', { mode: 'number' }).notNull(),
    interestFen: bigint('interest_fen', { mode: 'number' }).notNull(),
    feeFen: bigint('fee_fen', { mode: 'number' }).notNull(),
    paidPrincipalFen: bigint('paid_principal_fen', { mode: 'number' }).notNull().default(0),
    paidInterestFen: bigint('paid_interest_fen', { mode: 'number' }).notNull().default(0),
    paidFeeFen: bigint('paid_fee_fen', { mode: 'number' }).notNull().default(0),
    waivedInterestFen: bigint('waived_interest_fen', { mode: 'number' }).notNull().default(0),
    waivedFeeFen: bigint('waived_fee_fen', { mode: 'number' }).notNull().default(0),
    status: text('status', { enum: instalmentStatuses }).notNull().default('pending'),
    /** when the last fen was paid (late when after the due date) */
    paidOffAt: timestamp('paid_off_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('loan_instalments_period_uq').on(t.loanId, t.period),
    index('loan_instalments_due_idx').on(t.status, t.dueDate),
    check(
      'loan_instalments_balance_check',
      sql`${t.paidPrincipalFen} >= 0 and ${t.paidInterestFen} >= 0 and ${t.paidFeeFen} >= 0 and ${t.waivedInterestFen} >= 0 and ${t.waivedFeeFen} >= 0
        and ${t.paidPrincipalFen} <= ${t.principalFen}
        and ${t.paidInterestFen} + ${t.waivedInterestFen} <= ${t.interestFen}
        and ${t.paidFeeFen} + ${t.waivedFeeFen} <= ${t.feeFen}`,
    ),
  ],
);

/** A repayment the institution reported; unique per loan by the institution's transaction id. */
export const loanRepayments = pgTable(
  'loan_repayments',
  {
    id: text('id').primaryKey(),
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    transactionId: text('transaction_id').notNull(),
    kind: text('kind', { enum: ['regular', 'settlement'] }).notNull().default('regular'),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    /** allocated to instalments */
    allocatedFen: bigint('allocated_fen', { mode: 'number' }).notNull(),
    /** the early-repayment fee taken by a settlement */
    earlyFeeFen: bigint('early_fee_fen', { mode: 'number' }).notNull().default(0),
    /** paid beyond what was owed (to be refunded by the institution) */
    excessFen: bigint('excess_fen', { mode: 'number' }).notNull().default(0),
    allocation: jsonb('allocation').$type<{ period: number; feeFen: number; interestFen: number; principalFen: number }[]>().notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }).notNull(),
    channel: text('channel', { enum: ['portal', 'api'] }).notNull(),
    recordedBy: text('recorded_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('loan_repayments_txn_uq').on(t.loanId, t.transactionId),
    index('loan_repayments_loan_idx').on(t.loanId, t.paidAt),
    check('loan_repayments_amount_check', sql`${t.amountFen} > 0 and ${t.allocatedFen} + ${t.earlyFeeFen} + ${t.excessFen} = ${t.amountFen}`),
  ],
);

/** Sent reminders and overdue stage actions, each once: the key names the instalment and offset or stage. */
export const loanNotices = pgTable(
  'loan_notices',
  {
    key: text('key').primaryKey(),
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    kind: text('kind').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('loan_notices_loan_idx').on(t.loanId)],
);

export const collectionStages = ['call', 'collection', 'escalated'] as const;

/** The institution's work on an overdue loan: a call task first, then collection, then escalation. */
export const collectionCases = pgTable(
  'collection_cases',
  {
    id: text('id').primaryKey(),
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    stage: text('stage', { enum: collectionStages }).notNull(),
    status: text('status', { enum: ['open', 'closed'] }).notNull().default('open'),
    assigneeId: text('assignee_id').references(() => accounts.id),
    outcome: text('outcome'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    // one open case per loan
    uniqueIndex('collection_cases_open_uq').on(t.loanId).where(sql`${t.status} = 'open'`),
    index('collection_cases_institution_idx').on(t.institutionId, t.status, t.openedAt),
  ],
);

export const collectionNotes = pgTable(
  'collection_notes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => collectionCases.id),
    authorId: text('author_id').references(() => accounts.id),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('collection_notes_case_idx').on(t.caseId, t.id)],
);

export const promisesToPay = pgTable(
  'promises_to_pay',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => collectionCases.id),
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    promisedDate: date('promised_date', { mode: 'string' }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    status: text('status', { enum: ['pending', 'kept', 'broken'] }).notNull().default('pending'),
    createdBy: text('created_by').references(() => accounts.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    evaluatedAt: timestamp('evaluated_at', { withTimezone: true }),
  },
  (t) => [
    index('promises_to_pay_status_idx').on(t.status, t.promisedDate),
    // staff performance: a case's promises in a period
    index('promises_to_pay_case_idx').on(t.caseId, t.createdAt),
    check('promises_to_pay_amount_check', sql`${t.amountFen} > 0`),
  ],
);

/** A contact with the borrower (and only the borrower) about an overdue loan. */
export const contactAttempts = pgTable(
  'contact_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => collectionCases.id),
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    channel: text('channel', { enum: ['call', 'sms'] }).notNull(),
    /** always the borrower: the column exists so the rule is visible in the data */
    target: text('target', { enum: ['borrower'] }).notNull().default('borrower'),
    result: text('result', { enum: ['reached', 'no_answer', 'refused', 'promised'] }).notNull(),
    note: text('note').notNull().default(''),
    staffId: text('staff_id').references(() => accounts.id),
    /** the Shanghai calendar day, for the daily limit */
    day: date('day', { mode: 'string' }).notNull(),
    attemptedAt: timestamp('attempted_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('contact_attempts_loan_day_idx').on(t.loanId, t.day),
    // staff performance: a case's contacts in a period
    index('contact_attempts_case_idx').on(t.caseId, t.attemptedAt),
    check('contact_attempts_target_check', sql`${t.target} = 'borrower'`),
  ],
);

/** How borrowers repay an institution: text and a link the institution maintains (default: from its description). */
export const repaymentChannels = pgTable('repayment_channels', {
  institutionId: text('institution_id')
    .primaryKey()
    .references(() => institutions.id),
  text: text('text').notNull(),
  url: text('url'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
