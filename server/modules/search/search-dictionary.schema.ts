import { integer, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import type { DictionaryEntry } from './dictionary';

/**
 * Every version of the search dictionary (the full entry list each time); the highest version
 * is in force. Never updated, only added to. With no row, the code default is version 1.
 */
export const searchDictionaryVersions = pgTable('search_dictionary_versions', {
  id: serial('id').primaryKey(),
  version: integer('version').notNull().unique(),
  entries: jsonb('entries').$type<DictionaryEntry[]>().notNull(),
  note: text('note').notNull().default(''),
  /** the operator's account id */
  createdBy: text('created_by'),
  /** the operator's name as shown then */
  author: text('author').notNull().default(''),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
