import { date, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Operator-managed list of article categories (贷款知识, 防骗指南, …). */
export const contentCategories = pgTable('content_categories', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  sortOrder: integer('sort_order').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const articleStatuses = ['draft', 'published', 'unpublished'] as const;
export type ArticleStatus = (typeof articleStatuses)[number];

/** Guides and news (资讯与攻略). `bodyHtml` is always the sanitised HTML; `bodyText` its plain text, for search. */
export const articles = pgTable(
  'articles',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    categoryId: text('category_id')
      .notNull()
      .references(() => contentCategories.id),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    bodyHtml: text('body_html').notNull().default(''),
    bodyText: text('body_text').notNull().default(''),
    coverMediaId: text('cover_media_id'),
    status: text('status', { enum: articleStatuses }).notNull().default('draft'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    authorId: text('author_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('articles_status_published_idx').on(t.status, t.publishedAt), index('articles_category_idx').on(t.categoryId)],
);

export const campaignStatuses = ['enabled', 'disabled'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

/** Campaigns (活动): a banner on the home page while enabled and today (Asia/Shanghai) is within its dates. */
export const campaigns = pgTable(
  'campaigns',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    bannerMediaId: text('banner_media_id'),
    /** an internal path only (/products/…, /guides/…) */
    linkPath: text('link_path').notNull(),
    /** calendar dates in Asia/Shanghai, both inclusive */
    startDate: date('start_date', { mode: 'string' }).notNull(),
    endDate: date('end_date', { mode: 'string' }).notNull(),
    status: text('status', { enum: campaignStatuses }).notNull().default('enabled'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('campaigns_dates_idx').on(t.startDate, t.endDate)],
);

/** Public images uploaded by operators (banners, covers); the bytes live in a blob store. */
export const contentMedia = pgTable('content_media', {
  id: text('id').primaryKey(),
  mime: text('mime').notNull(),
  size: integer('size').notNull(),
  storageKey: text('storage_key').notNull(),
  createdBy: text('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
