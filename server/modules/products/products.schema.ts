import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, numeric, pgTable, text, timestamp, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { products } from '../catalogue/catalogue.schema';
import type { ChecklistItem } from './checklist';
import type { ProductParams } from './product-params';

export const versionStatuses = ['draft', 'submitted', 'approved', 'returned', 'superseded'] as const;
export type VersionStatus = (typeof versionStatuses)[number];

/**
 * Every edit of a product is a version with the full parameter snapshot. A listed product keeps
 * serving its approved version (the `products` row) while a newer one is in review; approval
 * copies the snapshot onto the `products` row.
 */
export const productVersions = pgTable(
  'product_versions',
  {
    id: text('id').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    version: integer('version').notNull(),
    params: jsonb('params').$type<ProductParams>().notNull(),
    /** all-in APR range of this snapshot, computed when saved */
    aprMin: numeric('apr_min', { precision: 8, scale: 6 }).notNull(),
    aprMax: numeric('apr_max', { precision: 8, scale: 6 }).notNull(),
    status: text('status', { enum: versionStatuses }).notNull().default('draft'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    submittedBy: text('submitted_by'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewComment: text('review_comment'),
    checklist: jsonb('checklist').$type<ChecklistItem[]>(),
  },
  (t) => [
    unique('product_versions_product_version_unique').on(t.productId, t.version),
    index('product_versions_queue_idx').on(t.status, t.submittedAt),
    // one version in review per product at a time
    uniqueIndex('product_versions_one_submitted_idx').on(t.productId).where(sql`${t.status} = 'submitted'`),
    check('product_versions_status_check', sql`${t.status} in ('draft','submitted','approved','returned','superseded')`),
  ],
);

/** Status changes of a product with who and why (pause reasons shown to the institution). */
export const productStatusChanges = pgTable(
  'product_status_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    fromStatus: text('from_status').notNull(),
    toStatus: text('to_status').notNull(),
    reason: text('reason'),
    actorKind: text('actor_kind', { enum: ['institution', 'operator', 'system'] }).notNull(),
    actorId: text('actor_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('product_status_changes_product_idx').on(t.productId, t.id)],
);
