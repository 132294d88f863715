import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The in-app thread between an institution and the applicant, one per lead. */
export const leadMessages = pgTable(
  'lead_messages',
  {
    id: text('id').primaryKey(),
    applicationId: text('application_id').notNull(),
    senderKind: text('sender_kind', { enum: ['consumer', 'institution'] }).notNull(),
    senderId: text('sender_id').notNull(),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('lead_messages_application_idx').on(t.applicationId, t.createdAt)],
);
