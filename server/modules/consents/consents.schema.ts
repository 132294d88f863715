import { sql } from 'drizzle-orm';
import { bigserial, check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/accounts.schema';
import { institutions } from '../institutions/institutions.schema';

/** The consumer's separate, revocable permission to send named fields to one named institution. */
export const consents = pgTable(
  'consents',
  {
    id: text('id').primaryKey(),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => accounts.id),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    applicationId: text('application_id'),
    purpose: text('purpose').notNull(),
    fields: text('fields').array().notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    /** where the consent was given (evidence for its 个人信息授权书): IP, device key, page or API */
    ip: text('ip').notNull().default(''),
    deviceHash: text('device_hash').notNull().default(''),
    door: text('door').notNull().default('web'),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [
    index('consents_consumer_idx').on(t.consumerId, t.grantedAt),
    index('consents_application_idx').on(t.applicationId),
    check('consents_fields_check', sql`cardinality(${t.fields}) > 0`),
  ],
);

/** Every time data left under a consent: who, which fields, when, how. "Who has my data". */
export const dataReleases = pgTable(
  'data_releases',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    consentId: text('consent_id')
      .notNull()
      .references(() => consents.id),
    consumerId: text('consumer_id').notNull(),
    institutionId: text('institution_id').notNull(),
    applicationId: text('application_id'),
    fields: text('fields').array().notNull(),
    channel: text('channel', { enum: ['submission', 'portal', 'api', 'export'] }).notNull(),
    actorId: text('actor_id'),
    releasedAt: timestamp('released_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('data_releases_consumer_idx').on(t.consumerId, t.releasedAt)],
);
