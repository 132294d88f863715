import { integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/accounts.schema';

/**
 * A consumer's verified real name and resident ID number (实名认证). Both encrypted; the ID
 * number also as a keyed hash, unique, so one person cannot hold several accounts. Nothing in
 * clear lets the number be rebuilt: the masked form keeps only the last four characters, the
 * birth date is not kept (the exact age comes from the encrypted number), only the birth year,
 * for age bands in statistics.
 */
export const consumerIdentities = pgTable(
  'consumer_identities',
  {
    accountId: text('account_id')
      .primaryKey()
      .references(() => accounts.id),
    realNameEnc: text('real_name_enc').notNull(),
    realNameMasked: text('real_name_masked').notNull(),
    idNumberEnc: text('id_number_enc').notNull(),
    idNumberHash: text('id_number_hash').notNull(),
    /** `**************1234`: the last four characters only */
    idNumberMasked: text('id_number_masked').notNull(),
    /** for statistics' age bands; the exact age is computed from the encrypted ID number */
    birthYear: integer('birth_year').notNull(),
    provider: text('provider').notNull(),
    providerRef: text('provider_ref'),
    verifiedAt: timestamp('verified_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('consumer_identities_id_number_uq').on(t.idNumberHash)],
);

/** The consumer's bank card for disbursements: encrypted, shown masked. */
export const bankCards = pgTable('bank_cards', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  cardEnc: text('card_enc').notNull(),
  cardMasked: text('card_masked').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
