import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/accounts.schema';
import { applications } from '../applications/applications.schema';
import { products } from '../catalogue/catalogue.schema';
import { institutions } from '../institutions/institutions.schema';

export const complaintStatuses = ['open', 'in_progress', 'awaiting_consumer', 'resolved', 'closed'] as const;
export type ComplaintStatus = (typeof complaintStatuses)[number];

export const complaintCategories = ['collection', 'fees', 'privacy', 'approval', 'platform', 'other'] as const;
export type ComplaintCategory = (typeof complaintCategories)[number];

/** A consumer's complaint about an institution (through one of their applications) or the platform: a ticket with an SLA. */
export const complaints = pgTable(
  'complaints',
  {
    id: text('id').primaryKey(),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => accounts.id),
    /** the consumer as institutions see them (e.g. 王**), taken when the complaint is filed */
    consumerNameMasked: text('consumer_name_masked').notNull(),
    /** null = about the platform */
    institutionId: text('institution_id').references(() => institutions.id),
    applicationId: text('application_id').references(() => applications.id),
    category: text('category', { enum: complaintCategories }).notNull(),
    subject: text('subject').notNull(),
    description: text('description').notNull(),
    status: text('status', { enum: complaintStatuses }).notNull().default('open'),
    /** the operator handling it */
    assigneeId: text('assignee_id').references(() => accounts.id),
    firstResponseDueAt: timestamp('first_response_due_at', { withTimezone: true }).notNull(),
    resolutionDueAt: timestamp('resolution_due_at', { withTimezone: true }).notNull(),
    /** the platform's first answer to the consumer */
    firstRespondedAt: timestamp('first_responded_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** 0 none, 1 first answer overdue, 2 resolution overdue; never goes down */
    escalationLevel: integer('escalation_level').notNull().default(0),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('complaints_consumer_idx').on(t.consumerId, t.createdAt),
    index('complaints_institution_idx').on(t.institutionId, t.createdAt),
    index('complaints_queue_idx').on(t.status, t.resolutionDueAt),
    check('complaints_escalation_level_check', sql`${t.escalationLevel} between 0 and 2`),
  ],
);

export const complaintEventKinds = ['created', 'status', 'message', 'note', 'assigned', 'escalated'] as const;
export type ComplaintEventKind = (typeof complaintEventKinds)[number];

/** Who may read an event: everyone on the ticket, the consumer thread, the institution thread, or operators only. */
export const complaintVisibilities = ['all', 'consumer', 'institution', 'internal'] as const;
export type ComplaintVisibility = (typeof complaintVisibilities)[number];

/** The ticket's timeline: status changes, messages in each direction, internal notes, assignment, escalation. */
export const complaintEvents = pgTable(
  'complaint_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    complaintId: text('complaint_id')
      .notNull()
      .references(() => complaints.id),
    kind: text('kind', { enum: complaintEventKinds }).notNull(),
    visibility: text('visibility', { enum: complaintVisibilities }).notNull(),
    actorKind: text('actor_kind', { enum: ['consumer', 'institution', 'operator', 'system'] }).notNull(),
    actorId: text('actor_id'),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    body: text('body'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('complaint_events_complaint_idx').on(t.complaintId, t.id)],
);

export const reviewStatuses = ['pending', 'approved', 'rejected'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

/** A consumer's rating and review of a product they applied for; shown once an operator approves it. */
export const productReviews = pgTable(
  'product_reviews',
  {
    id: text('id').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => accounts.id),
    reviewerNameMasked: text('reviewer_name_masked').notNull(),
    rating: integer('rating').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: reviewStatuses }).notNull().default('pending'),
    rejectReason: text('reject_reason'),
    moderatedBy: text('moderated_by').references(() => accounts.id),
    moderatedAt: timestamp('moderated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('product_reviews_product_consumer_uq').on(t.productId, t.consumerId),
    index('product_reviews_product_status_idx').on(t.productId, t.status),
    index('product_reviews_status_idx').on(t.status, t.updatedAt),
    check('product_reviews_rating_check', sql`${t.rating} between 1 and 5`),
  ],
);

export const feedbackCategories = ['suggestion', 'bug', 'experience', 'content', 'other'] as const;
export type FeedbackCategory = (typeof feedbackCategories)[number];

export const feedbackStatuses = ['open', 'in_progress', 'answered', 'closed'] as const;
export type FeedbackStatus = (typeof feedbackStatuses)[number];

/**
 * 意见反馈: a signed-in borrower's suggestion or problem report about the platform, with an
 * optional screenshot (sealed in the blob store like documents). Operators tag, assign, answer
 * and close it; the borrower reads the answer on 我的反馈. No SLA: that is what complaints are for.
 */
export const feedbackItems = pgTable(
  'feedback_items',
  {
    id: text('id').primaryKey(),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => accounts.id),
    category: text('category', { enum: feedbackCategories }).notNull(),
    body: text('body').notNull(),
    /** the page the borrower was on when they wrote (a local path), if any */
    pagePath: text('page_path'),
    status: text('status', { enum: feedbackStatuses }).notNull().default('open'),
    /** operators' tags, lower-case words, for triage and filtering */
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    assigneeId: text('assignee_id').references(() => accounts.id),
    answer: text('answer'),
    answeredBy: text('answered_by').references(() => accounts.id),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** the screenshot: blob key of the sealed bytes, their type (judged by content), size and digest */
    screenshotKey: text('screenshot_key'),
    screenshotMime: text('screenshot_mime'),
    screenshotSize: integer('screenshot_size'),
    screenshotSha256: text('screenshot_sha256'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('feedback_items_consumer_idx').on(t.consumerId, t.createdAt),
    index('feedback_items_queue_idx').on(t.status, t.createdAt),
    index('feedback_items_tags_idx').using('gin', t.tags),
    check('feedback_items_screenshot_check', sql`(${t.screenshotKey} is null) = (${t.screenshotMime} is null)`),
    check('feedback_items_answer_check', sql`(${t.answer} is null) = (${t.answeredAt} is null)`),
  ],
);
