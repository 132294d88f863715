import { sql } from 'drizzle-orm';
import { check, date, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
    /** 统一社会信用代码 (checked); null only for institutions created before onboarding existed */
    unifiedCode: text('unified_code'),
    licenceType: text('licence_type'),
    licenceNumber: text('licence_number'),
    /** the licence's last valid day (Asia/Shanghai) */
    licenceExpiresOn: date('licence_expires_on', { mode: 'string' }),
    /** set when the institution was warned that the licence lapses soon (once per expiry date) */
    licenceWarnedFor: date('licence_warned_for', { mode: 'string' }),
    /** set when the licence lapsed and its products were paused */
    licenceLapsedAt: timestamp('licence_lapsed_at', { withTimezone: true }),
    /** public profile (approved version): the regulator that issued the licence, e.g. 国家金融监督管理总局 */
    regulator: text('regulator'),
    /** public profile: the customer-service line (a company number, not personal data) and its hours */
    servicePhone: text('service_phone'),
    serviceHours: text('service_hours'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('institutions_kind_check', sql`${t.kind} in ('bank','consumer_finance','microloan','trust','other')`),
    uniqueIndex('institutions_unified_code_uq').on(t.unifiedCode),
  ],
);

export const onboardingStatuses = ['submitted', 'more_info_requested', 'approved', 'rejected'] as const;
export type OnboardingStatus = (typeof onboardingStatuses)[number];

/** A contact person of an institution applying to join: name, phone and e-mail are personal data, sealed; screens show the masked forms. */
export interface OnboardingContact {
  nameEnc: string;
  nameMasked: string;
  title: string;
  phoneEnc: string;
  phoneMasked: string;
  emailEnc: string;
  emailMasked: string;
}

/** A contact as it was stored before names and e-mail addresses were sealed; converted at start-up (server/db/data-steps.ts). */
export interface LegacyOnboardingContact {
  name: string;
  title: string;
  phoneEnc: string;
  phoneMasked: string;
  email: string;
}

/**
 * An institution's request to join. The applicant follows it by a secret link (only a hash of
 * the token is kept); on approval the institution and its first admin invitation are created.
 */
export const institutionOnboardings = pgTable(
  'institution_onboardings',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    legalName: text('legal_name').notNull(),
    shortName: text('short_name').notNull(),
    kind: text('kind', { enum: institutionKinds }).notNull(),
    unifiedCode: text('unified_code').notNull(),
    licenceType: text('licence_type').notNull(),
    licenceNumber: text('licence_number').notNull(),
    licenceExpiresOn: date('licence_expires_on', { mode: 'string' }).notNull(),
    /** blob key of the licence scan (encrypted at rest) and its media type */
    licenceFileKey: text('licence_file_key').notNull(),
    licenceFileType: text('licence_file_type').notNull(),
    contacts: jsonb('contacts').$type<OnboardingContact[]>().notNull(),
    adminUsername: text('admin_username').notNull(),
    status: text('status', { enum: onboardingStatuses }).notNull().default('submitted'),
    institutionId: text('institution_id').references(() => institutions.id),
    /** the first admin's invitation token (encrypted), shown on the tracking page until used */
    inviteTokenEnc: text('invite_token_enc'),
    reviewedBy: text('reviewed_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('institution_onboardings_status_idx').on(t.status, t.createdAt),
    // one open request per code; an approved one blocks a second institution with the same code
    uniqueIndex('institution_onboardings_open_code_uq').on(t.unifiedCode).where(sql`${t.status} <> 'rejected'`),
  ],
);

/** The conversation on an onboarding request: operator questions, applicant answers, decisions. */
export const onboardingMessages = pgTable(
  'onboarding_messages',
  {
    id: text('id').primaryKey(),
    onboardingId: text('onboarding_id')
      .notNull()
      .references(() => institutionOnboardings.id),
    author: text('author', { enum: ['operator', 'applicant', 'system'] }).notNull(),
    authorId: text('author_id'),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('onboarding_messages_onboarding_idx').on(t.onboardingId, t.createdAt)],
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

/** What an institution may change on its public page itself (each change reviewed by an operator first). */
export interface PublicProfileFields {
  description: string;
  regulator: string;
  servicePhone: string;
  serviceHours: string;
}

export const profileDraftStatuses = ['submitted', 'approved', 'rejected'] as const;
export type ProfileDraftStatus = (typeof profileDraftStatuses)[number];

/**
 * An institution's proposed public information, waiting for an operator (like a product version):
 * the public page keeps showing the approved fields on `institutions` until one approves.
 */
export const institutionProfileDrafts = pgTable(
  'institution_profile_drafts',
  {
    id: text('id').primaryKey(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** the proposed fields, in full */
    proposed: jsonb('proposed').$type<PublicProfileFields>().notNull(),
    /** the approved fields when it was submitted, for the reviewer's comparison */
    previous: jsonb('previous').$type<PublicProfileFields>().notNull(),
    status: text('status', { enum: profileDraftStatuses }).notNull().default('submitted'),
    submittedBy: text('submitted_by').notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewComment: text('review_comment'),
  },
  (t) => [
    index('institution_profile_drafts_institution_idx').on(t.institutionId, t.submittedAt),
    index('institution_profile_drafts_queue_idx').on(t.status, t.submittedAt),
    // one draft in review per institution at a time
    uniqueIndex('institution_profile_drafts_one_submitted_uq').on(t.institutionId).where(sql`${t.status} = 'submitted'`),
    check('institution_profile_drafts_status_check', sql`${t.status} in ('submitted','approved','rejected')`),
  ],
);
