import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/accounts.schema';

/**
 * One 信用评估 of a consumer: the score and band it gave, and the answers it was given,
 * encrypted at rest (PiiCipher, JSON). Every assessment is kept, so the borrower sees the history.
 */
export const creditAssessments = pgTable(
  'credit_assessments',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /** 350–950 */
    score: integer('score').notNull(),
    band: text('band', { enum: ['excellent', 'good', 'fair', 'poor'] }).notNull(),
    /** self_reported, or bureau when a bureau report replaced some answers */
    source: text('source', { enum: ['self_reported', 'bureau'] }).notNull(),
    /** the questionnaire's answers, JSON, sealed with the PII key */
    answersEnc: text('answers_enc').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('credit_assessments_account_idx').on(t.accountId, t.createdAt)],
);
