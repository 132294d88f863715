import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { institutions } from '../institutions/institutions.schema';

export const productStatuses = ['draft', 'in_review', 'listed', 'paused', 'delisted'] as const;
export type ProductStatus = (typeof productStatuses)[number];
export const repaymentMethods = ['equal_installment', 'equal_principal', 'interest_first', 'bullet'] as const;
export type RepaymentMethod = (typeof repaymentMethods)[number];
export const productCategories = ['信用贷', '消费贷', '经营贷', '车贷', '房抵贷', '装修贷', '教育贷'] as const;

export interface Eligibility {
  minAge: number;
  maxAge: number;
  minMonthlyIncomeFen: number;
  regions: string[]; // empty = nationwide
  employmentTypes: string[]; // empty = any
  studentsExcluded: boolean;
  /** minimum credit score (350–950 scale); absent = no requirement */
  minCreditScore?: number;
}

export const products = pgTable(
  'products',
  {
    id: text('id').primaryKey(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    category: text('category').notNull(),
    summary: text('summary').notNull().default(''),
    minAmountFen: bigint('min_amount_fen', { mode: 'number' }).notNull(),
    maxAmountFen: bigint('max_amount_fen', { mode: 'number' }).notNull(),
    termOptions: integer('term_options').array().notNull(),
    /** nominal annual interest rate range, as fractions (0.1200 = 12%) */
    rateMin: numeric('rate_min', { precision: 8, scale: 6 }).notNull(),
    rateMax: numeric('rate_max', { precision: 8, scale: 6 }).notNull(),
    /** one-off service fee as a fraction of principal, deducted at disbursement */
    upfrontFeeRate: numeric('upfront_fee_rate', { precision: 8, scale: 6 }).notNull().default('0'),
    /** 'deducted' from the disbursed amount, or 'paid' separately at disbursement */
    upfrontFeeMode: text('upfront_fee_mode', { enum: ['deducted', 'paid'] }).notNull().default('deducted'),
    /** monthly management fee as a fraction of principal */
    monthlyFeeRate: numeric('monthly_fee_rate', { precision: 8, scale: 6 }).notNull().default('0'),
    /** monthly guarantee fee as a fraction of principal */
    guaranteeFeeRate: numeric('guarantee_fee_rate', { precision: 8, scale: 6 }).notNull().default('0'),
    /** monthly insurance fee as a fraction of principal */
    insuranceFeeRate: numeric('insurance_fee_rate', { precision: 8, scale: 6 }).notNull().default('0'),
    /** early settlement fee as a fraction of the principal repaid early; free after N months */
    earlyRepaymentFeeRate: numeric('early_repayment_fee_rate', { precision: 8, scale: 6 }).notNull().default('0'),
    earlyRepaymentFreeAfterMonths: integer('early_repayment_free_after_months').notNull().default(0),
    /** all-in APR range (IRR, every fee) over the product's terms, methods, rates and amounts; computed on every save */
    aprMin: numeric('apr_min', { precision: 8, scale: 6 }).notNull().default('0'),
    aprMax: numeric('apr_max', { precision: 8, scale: 6 }).notNull().default('0'),
    repaymentMethods: text('repayment_methods').array().notNull(),
    eligibility: jsonb('eligibility').$type<Eligibility>().notNull(),
    requiredDocuments: text('required_documents').array().notNull().default(sql`'{}'::text[]`),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    decisionMinutes: integer('decision_minutes').notNull(),
    disbursementHours: integer('disbursement_hours').notNull(),
    status: text('status', { enum: productStatuses }).notNull().default('draft'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('products_institution_idx').on(t.institutionId),
    index('products_status_idx').on(t.status),
    check('products_amounts_check', sql`${t.minAmountFen} > 0 and ${t.maxAmountFen} >= ${t.minAmountFen}`),
    check('products_rates_check', sql`${t.rateMin} >= 0 and ${t.rateMax} >= ${t.rateMin}`),
    check(
      'products_fees_check',
      sql`${t.upfrontFeeRate} >= 0 and ${t.upfrontFeeRate} < 1 and ${t.monthlyFeeRate} >= 0 and ${t.guaranteeFeeRate} >= 0 and ${t.insuranceFeeRate} >= 0 and ${t.earlyRepaymentFeeRate} >= 0`,
    ),
    // a product whose all-in APR can exceed 36% can never be listed
    check('products_apr_cap_check', sql`${t.status} <> 'listed' or ${t.aprMax} <= 0.36`),
    index('products_listed_apr_idx').on(t.status, t.aprMin),
    check('products_terms_check', sql`cardinality(${t.termOptions}) > 0`),
    check('products_methods_check', sql`cardinality(${t.repaymentMethods}) > 0`),
    check('products_status_check', sql`${t.status} in ('draft','in_review','listed','paused','delisted')`),
  ],
);

export const catalogueEventKinds = ['view', 'search', 'click', 'compare', 'calculate', 'apply', 'impression'] as const;
/** where an event came from: the consumer web site, or the JSON API (apps) */
export const eventChannels = ['web', 'api'] as const;
export type EventChannel = (typeof eventChannels)[number];

/**
 * Browse, search, click, compare, calculate and apply events, and impressions (one row per
 * product shown in a result list or recommendation list), for recommendations and analytics.
 * No PII: the visitor is a keyed hash.
 */
export const catalogueEvents = pgTable(
  'catalogue_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: catalogueEventKinds }).notNull(),
    channel: text('channel', { enum: eventChannels }).notNull().default('web'),
    visitor: text('visitor').notNull(),
    productId: text('product_id'),
    /** search words with digit runs removed (people paste phone numbers into search boxes) */
    query: text('query'),
    filters: jsonb('filters').$type<Record<string, unknown>>().notNull().default({}),
    /** a search: how many products matched (0 = nothing found; the search report lists those) */
    resultCount: integer('result_count'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('catalogue_events_visitor_idx').on(t.visitor, t.createdAt),
    // only events about a product (views, clicks, applies): searches, the bulk of the rows, name none
    // and cost one index write less each
    index('catalogue_events_product_idx').on(t.productId, t.kind).where(sql`${t.productId} is not null`),
    // statistics: events of a period by kind (per-day charts, funnels)
    index('catalogue_events_created_idx').on(t.createdAt, t.kind),
  ],
);

/**
 * Impressions, counted per Asia/Shanghai day, product, channel and list. A result page shows
 * twenty products: counting them in memory and adding the counts every second costs a map
 * increment per product instead of twenty rows per page view.
 */
export const catalogueImpressions = pgTable(
  'catalogue_impressions',
  {
    day: date('day', { mode: 'string' }).notNull(),
    productId: text('product_id').notNull(),
    channel: text('channel', { enum: eventChannels }).notNull(),
    list: text('list').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.productId, t.channel, t.list] }), index('catalogue_impressions_product_idx').on(t.productId, t.day)],
);
