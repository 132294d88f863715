import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/accounts.schema';

export const erasureStatuses = ['pending', 'executed', 'rejected'] as const;

/**
 * Deleting a person's data on an operator's word takes two people: one asks (with the reason),
 * a different one approves, and only then is it done. The database refuses a decision by the
 * person who asked.
 */
export const erasureRequests = pgTable(
  'erasure_requests',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    reason: text('reason').notNull(),
    requestedBy: text('requested_by').notNull(),
    status: text('status', { enum: erasureStatuses }).notNull().default('pending'),
    decidedBy: text('decided_by'),
    decisionNote: text('decision_note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
  },
  (t) => [
    index('erasure_requests_status_idx').on(t.status, t.createdAt),
    uniqueIndex('erasure_requests_pending_uq').on(t.accountId).where(sql`${t.status} = 'pending'`),
    check('erasure_requests_two_people_check', sql`${t.decidedBy} is null or ${t.decidedBy} <> ${t.requestedBy}`),
  ],
);
