import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { applications } from './applications.schema';

/**
 * The offer an approval makes (one per approved application): the figures the borrower decides on,
 * fixed when the institution approves. Whether it is waiting, accepted, declined or expired is the
 * application's status (approved / accepted / declined / expired), never kept twice.
 */
export const offers = pgTable(
  'offers',
  {
    applicationId: text('application_id')
      .primaryKey()
      .references(() => applications.id),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    termMonths: integer('term_months').notNull(),
    repaymentMethod: text('repayment_method').notNull(),
    /** all-in APR (IRR with every fee), fraction */
    apr: numeric('apr', { precision: 8, scale: 6 }).notNull(),
    nominalRate: numeric('nominal_rate', { precision: 8, scale: 6 }).notNull(),
    firstPaymentFen: bigint('first_payment_fen', { mode: 'number' }).notNull(),
    totalRepaymentFen: bigint('total_repayment_fen', { mode: 'number' }).notNull(),
    totalCostFen: bigint('total_cost_fen', { mode: 'number' }).notNull(),
    advertisedAprLow: numeric('advertised_apr_low', { precision: 8, scale: 6 }).notNull(),
    advertisedAprHigh: numeric('advertised_apr_high', { precision: 8, scale: 6 }).notNull(),
    aboveAdvertised: boolean('above_advertised').notNull(),
    pricingReason: text('pricing_reason'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** when the borrower accepted or declined */
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    declineReason: text('decline_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('offers_expires_idx').on(t.expiresAt).where(sql`${t.decidedAt} is null`),
    index('offers_above_idx').on(t.createdAt).where(sql`${t.aboveAdvertised}`),
    check('offers_amount_check', sql`${t.amountFen} > 0 and ${t.termMonths} > 0 and ${t.firstPaymentFen} > 0 and ${t.totalRepaymentFen} > 0 and ${t.totalCostFen} >= 0`),
    check('offers_apr_check', sql`${t.apr} >= 0 and ${t.apr} <= 0.36`),
    check('offers_reason_check', sql`(not ${t.aboveAdvertised}) or ${t.pricingReason} is not null`),
  ],
);
