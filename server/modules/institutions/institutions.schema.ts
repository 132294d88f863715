import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const institutionKinds = ['bank', 'consumer_finance', 'microloan', 'trust', 'other'] as const;
export type InstitutionKind = (typeof institutionKinds)[number];

export const institutions = pgTable(
  'institutions',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull().unique(),
    shortName: text('short_name').notNull(),
    kind: text('kind', { enum: institutionKinds }).notNull(),
    description: text('description').notNull().default(''),
    status: text('status', { enum: ['active', 'suspended'] }).notNull().default('active'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('institutions_kind_check', sql`${t.kind} in ('bank','consumer_finance','microloan','trust','other')`)],
);

/** API keys for an institution's own systems. Only a SHA-256 of the secret is stored. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    prefix: text('prefix').notNull().unique(),
    secretHash: text('secret_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_institution_idx').on(t.institutionId)],
);
