import { integer, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import type { RankingWeights } from './rank';

/** Every version of the ranking weights; the highest version is in force. Never updated, only added to. */
export const rankingRules = pgTable('ranking_rules', {
  id: serial('id').primaryKey(),
  version: integer('version').notNull().unique(),
  weights: jsonb('weights').$type<RankingWeights>().notNull(),
  note: text('note').notNull().default(''),
  createdBy: text('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
