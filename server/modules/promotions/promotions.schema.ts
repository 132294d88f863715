import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { products } from '../catalogue/catalogue.schema';
import { institutions } from '../institutions/institutions.schema';

export const promotionKinds = ['recommendation', 'featured'] as const;
export type PromotionKind = (typeof promotionKinds)[number];
export const promotionStatuses = ['requested', 'approved', 'rejected', 'cancelled'] as const;
export type PromotionStatus = (typeof promotionStatuses)[number];

/** An institution's request to boost a product (recommendation slot or featured placement) for a period; operators decide. */
export const promotions = pgTable(
  'promotions',
  {
    id: text('id').primaryKey(),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    kind: text('kind', { enum: promotionKinds }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: promotionStatuses }).notNull().default('requested'),
    note: text('note').notNull().default(''),
    requestedBy: text('requested_by'),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewComment: text('review_comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('promotions_institution_idx').on(t.institutionId),
    index('promotions_active_idx').on(t.status, t.startsAt, t.endsAt),
    check('promotions_period_check', sql`${t.endsAt} > ${t.startsAt}`),
    check('promotions_kind_check', sql`${t.kind} in ('recommendation','featured')`),
    check('promotions_status_check', sql`${t.status} in ('requested','approved','rejected','cancelled')`),
  ],
);
