import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, jsonb, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/accounts.schema';
import { products } from '../catalogue/catalogue.schema';
import { institutions } from '../institutions/institutions.schema';

export const applicationStatuses = [
  'submitted',
  'reviewing',
  'approved',
  /** the borrower accepted the offer and signed the loan contract: the institution may disburse */
  'accepted',
  /** the borrower declined the offer */
  'declined',
  'rejected',
  'disbursed',
  'withdrawn',
  'expired',
] as const;
export type ApplicationStatus = (typeof applicationStatuses)[number];

/** A consumer's request for one product. The institution works it as a lead. */
export const applications = pgTable(
  'applications',
  {
    id: text('id').primaryKey(),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => accounts.id),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    termMonths: integer('term_months').notNull(),
    purpose: text('purpose').notNull(),
    /** applicant's name, encrypted (PII) */
    applicantNameEnc: text('applicant_name_enc').notNull(),
    applicantCity: text('applicant_city').notNull(),
    /** the applicant's credit self-assessment band, for the inbox filter (consented, not identifying) */
    applicantCreditBand: text('applicant_credit_band'),
    /** the consent under which the applicant's data went to the institution */
    consentId: text('consent_id'),
    /** the consented fields as released at submission, encrypted JSON */
    releasedDataEnc: text('released_data_enc'),
    status: text('status', { enum: applicationStatuses }).notNull().default('submitted'),
    offeredAmountFen: bigint('offered_amount_fen', { mode: 'number' }),
    offeredTermMonths: integer('offered_term_months'),
    offeredApr: numeric('offered_apr', { precision: 8, scale: 6 }),
    rejectReason: text('reject_reason'),
    disbursedAmountFen: bigint('disbursed_amount_fen', { mode: 'number' }),
    disbursedAt: timestamp('disbursed_at', { withTimezone: true }),
    /** the institution's first action on the lead: time to first response */
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    /** 'fast' when an institution's pre-screen rule sent it to the fast queue */
    queue: text('queue', { enum: ['normal', 'fast'] }).notNull().default('normal'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('applications_consumer_idx').on(t.consumerId, t.createdAt),
    index('applications_institution_idx').on(t.institutionId, t.status, t.createdAt),
    index('applications_duplicate_idx').on(t.consumerId, t.productId, t.createdAt),
    // statistics: applications and disbursements of a period
    index('applications_created_idx').on(t.createdAt),
    index('applications_disbursed_idx').on(t.disbursedAt),
    // the dashboard's stale leads: the unanswered ones of the last 24 hours (only submitted, unanswered leads are in it)
    index('applications_unanswered_idx')
      .on(t.createdAt, t.institutionId)
      .where(sql`${t.status} = 'submitted' and ${t.firstResponseAt} is null`),
    check('applications_amount_check', sql`${t.amountFen} > 0 and ${t.termMonths} > 0`),
    check(
      'applications_status_check',
      sql`${t.status} in ('submitted','reviewing','approved','accepted','declined','rejected','disbursed','withdrawn','expired')`,
    ),
    check(
      'applications_disbursed_check',
      sql`(${t.status} <> 'disbursed') or (${t.disbursedAmountFen} > 0 and ${t.disbursedAt} is not null)`,
    ),
  ],
);

/** Every status change, with who made it and why. Append-only. */
export const applicationEvents = pgTable(
  'application_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    applicationId: text('application_id')
      .notNull()
      .references(() => applications.id),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorKind: text('actor_kind', { enum: ['consumer', 'institution', 'operator', 'system'] }).notNull(),
    actorId: text('actor_id'),
    note: text('note').notNull().default(''),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('application_events_application_idx').on(t.applicationId, t.id),
    // statistics: approvals and rejections of a period
    index('application_events_status_idx').on(t.toStatus, t.createdAt),
    // staff performance: one staff member's events in a period
    index('application_events_actor_idx').on(t.actorId, t.createdAt),
  ],
);

/**
 * How many applications each institution has in each status, and how many of them are unanswered
 * (no first response yet), kept by the database (statement-level triggers on `applications`,
 * migration 0052) as insert-only deltas: a count is the sum of its rows. Writers only ever
 * insert here, so concurrent submissions never wait on one counter row; the
 * `application-counts-fold` ticker folds the rows into one per institution and status
 * (foldDeltas). Derived data.
 */
export const applicationStatusCounts = pgTable('application_status_counts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  institutionId: text('institution_id').notNull(),
  status: text('status').notNull(),
  n: integer('n').notNull(),
  /** of those, without a first response */
  unanswered: integer('unanswered').notNull(),
});
