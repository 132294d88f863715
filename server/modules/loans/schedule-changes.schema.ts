import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/accounts.schema';
import { institutions } from '../institutions/institutions.schema';
import { loans } from './loans.schema';

export const scheduleChangeKinds = ['extension', 'restructure'] as const;
export type ScheduleChangeKind = (typeof scheduleChangeKinds)[number];
export const scheduleChangeStatuses = ['requested', 'offered', 'accepted', 'declined', 'withdrawn', 'expired'] as const;
export type ScheduleChangeStatus = (typeof scheduleChangeStatuses)[number];

/** One line of a schedule version as it stood: what was due and what had been paid. */
export interface ScheduleVersionLine {
  period: number;
  dueDate: string;
  principalFen: number;
  interestFen: number;
  feeFen: number;
  paidFen: number;
}

/**
 * A borrower's request for 展期 (more periods) or a new schedule (重新安排还款计划), the institution's
 * offered terms and the borrower's decision. At most one open (requested or offered) per loan. An
 * offer the borrower leaves unanswered for SCHEDULE_OFFER_VALID_DAYS expires (the
 * loan-schedule-offers job), and the borrower may ask again.
 */
export const loanScheduleChanges = pgTable(
  'loan_schedule_changes',
  {
    id: text('id').primaryKey(),
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => accounts.id),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    kind: text('kind', { enum: scheduleChangeKinds }).notNull(),
    /** 展期: the periods the borrower asks to add */
    extraPeriods: integer('extra_periods'),
    /** 重新安排: the number of periods the borrower asks the rest to be spread over */
    requestedTermMonths: integer('requested_term_months'),
    reason: text('reason').notNull(),
    status: text('status', { enum: scheduleChangeStatuses }).notNull().default('requested'),
    /** the institution's terms: new periods for the outstanding balance, nominal rate, one-off fee */
    offeredTermMonths: integer('offered_term_months'),
    offeredAnnualRate: numeric('offered_annual_rate', { precision: 8, scale: 6 }),
    offeredFeeFen: bigint('offered_fee_fen', { mode: 'number' }),
    /** the all-in APR of the new schedule (IRR with every fee), fraction */
    offeredApr: numeric('offered_apr', { precision: 8, scale: 6 }),
    /** the schedule the offer makes, computed on the offer day (the borrower sees it before accepting) */
    offeredLines: jsonb('offered_lines').$type<ScheduleVersionLine[]>(),
    /** the day the offer was computed on (Asia/Shanghai): due dates and arrears are fixed to it */
    offeredAt: timestamp('offered_at', { withTimezone: true }),
    offeredBy: text('offered_by'),
    declineReason: text('decline_reason'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('loan_schedule_changes_open_uq').on(t.loanId).where(sql`${t.status} in ('requested','offered')`),
    index('loan_schedule_changes_institution_idx').on(t.institutionId, t.status, t.createdAt),
    check('loan_schedule_changes_kind_check', sql`(${t.kind} = 'extension' and ${t.extraPeriods} > 0) or (${t.kind} = 'restructure' and ${t.requestedTermMonths} > 0)`),
    check('loan_schedule_changes_status_check', sql`${t.status} in ('requested','offered','accepted','declined','withdrawn','expired')`),
    // the expiry job's scan: offers by their age
    index('loan_schedule_changes_offered_idx').on(t.offeredAt).where(sql`${t.status} = 'offered'`),
  ],
);

/**
 * Every schedule a loan has had (版本): version 1 is the disbursement's, each accepted change adds
 * one. Lines are kept as they stood when the version was replaced (read-only history); the
 * current version's live figures are the loan's instalments.
 */
export const loanScheduleVersions = pgTable(
  'loan_schedule_versions',
  {
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    version: integer('version').notNull(),
    kind: text('kind', { enum: ['original', ...scheduleChangeKinds] }).notNull(),
    changeId: text('change_id').references(() => loanScheduleChanges.id),
    annualRate: numeric('annual_rate', { precision: 8, scale: 6 }).notNull(),
    lines: jsonb('lines').$type<ScheduleVersionLine[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    supersededAt: timestamp('superseded_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('loan_schedule_versions_uq').on(t.loanId, t.version)],
);
