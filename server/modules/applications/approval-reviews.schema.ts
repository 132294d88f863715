import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { applications } from './applications.schema';
import { institutions } from '../institutions/institutions.schema';

/**
 * An institution's maker-checker rule (复核): approvals of more than `thresholdFen` need a second
 * staff member's confirmation. No row (or a null threshold) means every approval takes effect at once.
 */
export const approvalPolicies = pgTable(
  'approval_policies',
  {
    institutionId: text('institution_id')
      .primaryKey()
      .references(() => institutions.id),
    thresholdFen: bigint('threshold_fen', { mode: 'number' }),
    updatedBy: text('updated_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('approval_policies_threshold_check', sql`${t.thresholdFen} is null or ${t.thresholdFen} > 0`)],
);

export const approvalReviewStatuses = ['pending', 'confirmed', 'returned'] as const;
export type ApprovalReviewStatus = (typeof approvalReviewStatuses)[number];

/**
 * An approval waiting for its second reviewer (待复核): the maker's terms as sent, who made them,
 * and who confirmed or returned them. At most one pending per application.
 */
export const approvalReviews = pgTable(
  'approval_reviews',
  {
    id: text('id').primaryKey(),
    applicationId: text('application_id')
      .notNull()
      .references(() => applications.id),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    /** the approval as the maker sent it (StatusChange of status 'approved', dates as ISO text) */
    change: jsonb('change').$type<Record<string, unknown>>().notNull(),
    makerId: text('maker_id').notNull(),
    makerName: text('maker_name').notNull(),
    status: text('status', { enum: approvalReviewStatuses }).notNull().default('pending'),
    checkerId: text('checker_id'),
    checkerName: text('checker_name'),
    returnReason: text('return_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('approval_reviews_pending_uq').on(t.applicationId).where(sql`${t.status} = 'pending'`),
    index('approval_reviews_institution_idx').on(t.institutionId, t.status, t.createdAt),
    check('approval_reviews_status_check', sql`${t.status} in ('pending','confirmed','returned')`),
    check('approval_reviews_checker_check', sql`${t.checkerId} is null or ${t.checkerId} <> ${t.makerId}`),
  ],
);
