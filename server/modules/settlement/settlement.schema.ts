import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, numeric, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { institutions } from '../institutions/institutions.schema';

/** Commission terms between the platform and one institution; versioned by effective dates. */
export const agreements = pgTable(
  'agreements',
  {
    id: text('id').primaryKey(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    version: integer('version').notNull(),
    /** CPA: fixed amount per approved lead */
    cpaFen: bigint('cpa_fen', { mode: 'number' }).notNull().default(0),
    /** CPS: share of the disbursed amount, as a fraction (0.015 = 1.5%) */
    cpsRate: numeric('cps_rate', { precision: 8, scale: 6 }).notNull().default('0'),
    effectiveFrom: timestamp('effective_from', { withTimezone: true }).notNull(),
    effectiveTo: timestamp('effective_to', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('agreements_institution_version_uq').on(t.institutionId, t.version),
    check('agreements_terms_check', sql`${t.cpaFen} >= 0 and ${t.cpsRate} >= 0 and ${t.cpsRate} < 1`),
    check('agreements_dates_check', sql`${t.effectiveTo} is null or ${t.effectiveTo} > ${t.effectiveFrom}`),
  ],
);

/**
 * Double-entry ledger. A journal groups entries that must sum to zero per currency
 * (checked by a deferred constraint trigger at commit). Both tables are append-only:
 * triggers refuse UPDATE and DELETE. `source_key` makes each business event post once.
 */
export const ledgerJournals = pgTable(
  'ledger_journals',
  {
    id: text('id').primaryKey(),
    sourceKey: text('source_key').notNull().unique(),
    kind: text('kind').notNull(),
    institutionId: text('institution_id').references(() => institutions.id),
    applicationId: text('application_id'),
    agreementId: text('agreement_id'),
    memo: text('memo').notNull().default(''),
    postedAt: timestamp('posted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('ledger_journals_institution_idx').on(t.institutionId, t.postedAt),
    // statistics: commission accrued per day across institutions
    index('ledger_journals_posted_idx').on(t.postedAt, t.kind),
  ],
);

export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    journalId: text('journal_id')
      .notNull()
      .references(() => ledgerJournals.id),
    account: text('account').notNull(),
    currency: text('currency').notNull().default('CNY'),
    /** debit positive, credit negative, in minor units (fen) */
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('ledger_entries_journal_idx').on(t.journalId),
    index('ledger_entries_account_idx').on(t.account),
    check('ledger_entries_nonzero_check', sql`${t.amountFen} <> 0`),
  ],
);
