import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Uploaded documents (ID photos, income proof). The bytes are encrypted in the blob store. */
export const documents = pgTable(
  'documents',
  {
    id: text('id').primaryKey(),
    consumerId: text('consumer_id').notNull(),
    applicationId: text('application_id').notNull(),
    kind: text('kind', { enum: ['id_front', 'id_back', 'income_proof', 'other'] }).notNull(),
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('documents_application_idx').on(t.applicationId)],
);
