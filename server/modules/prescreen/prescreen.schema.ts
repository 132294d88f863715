import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { institutions } from '../institutions/institutions.schema';

/** An institution's rule applied to each lead on arrival: send to the fast queue, keep for manual review, or decline with a reason. */
export const prescreenRules = pgTable(
  'prescreen_rules',
  {
    id: text('id').primaryKey(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    field: text('field', { enum: ['creditScore', 'monthlyIncome', 'age', 'amount', 'city'] }).notNull(),
    operator: text('operator', { enum: ['>=', '>', '<=', '<', 'in', 'not_in'] }).notNull(),
    /** a number (yuan for money) or a comma-separated list of cities */
    value: text('value').notNull(),
    action: text('action', { enum: ['fast_queue', 'manual', 'decline'] }).notNull(),
    rejectReason: text('reject_reason'),
    active: boolean('active').notNull().default(true),
    priority: integer('priority').notNull().default(100),
    hits: integer('hits').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('prescreen_rules_institution_idx').on(t.institutionId, t.priority),
    check('prescreen_rules_decline_reason_check', sql`${t.action} <> 'decline' or ${t.rejectReason} is not null`),
  ],
);
