import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** System parameters operators may change (rate caps, SLA hours, risk thresholds…). Absent = the default. */
export const systemSettings = pgTable('system_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedBy: text('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
