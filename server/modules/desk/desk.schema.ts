import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/accounts.schema';
import { institutions } from '../institutions/institutions.schema';
import { complaints } from '../feedback/feedback.schema';

/** Who is on the other side of a desk conversation. */
export const deskPartyKinds = ['consumer', 'visitor', 'institution'] as const;
export type DeskPartyKind = (typeof deskPartyKinds)[number];

export const deskConversationStatuses = ['waiting', 'open', 'closed'] as const;
export type DeskConversationStatus = (typeof deskConversationStatuses)[number];

/** 技能组: a queue of conversations worked by its members (operator staff), with its service hours. */
export const deskGroups = pgTable('desk_groups', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  /** who may open a conversation in it: borrowers or institution staff */
  audience: text('audience', { enum: ['borrower', 'institution'] }).notNull(),
  /** service hours each day, Asia/Shanghai, minutes after midnight: what the roster is planned around */
  opensAtMinute: integer('opens_at_minute').notNull().default(540),
  closesAtMinute: integer('closes_at_minute').notNull().default(1260),
  position: integer('position').notNull().default(0),
  /** the member the last round-robin assignment went to */
  lastAssignedAgentId: text('last_assigned_agent_id').references(() => accounts.id),
});

export const deskGroupMembers = pgTable(
  'desk_group_members',
  {
    groupId: text('group_id')
      .notNull()
      .references(() => deskGroups.id),
    agentId: text('agent_id')
      .notNull()
      .references(() => accounts.id),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.agentId] })],
);

/** 排班: one agent on duty for one group from `startsAt` to `endsAt`. */
export const deskShifts = pgTable(
  'desk_shifts',
  {
    id: text('id').primaryKey(),
    groupId: text('group_id')
      .notNull()
      .references(() => deskGroups.id),
    agentId: text('agent_id')
      .notNull()
      .references(() => accounts.id),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('desk_shifts_group_idx').on(t.groupId, t.startsAt), check('desk_shifts_order_check', sql`${t.endsAt} > ${t.startsAt}`)],
);

/** A conversation between a borrower (signed in, or a visitor with a contact) or institution staff and the desk. */
export const deskConversations = pgTable(
  'desk_conversations',
  {
    id: text('id').primaryKey(),
    /** the number people quote (会话编号) */
    number: bigserial('number', { mode: 'number' }).notNull().unique(),
    partyKind: text('party_kind', { enum: deskPartyKinds }).notNull(),
    consumerId: text('consumer_id').references(() => accounts.id),
    /** an anonymous visitor's keyed cookie hash (server/http/visitor.ts) */
    visitorKey: text('visitor_key'),
    /** a visitor's contact (phone or e-mail), sealed; masked beside it */
    contactEnc: text('contact_enc'),
    contactMasked: text('contact_masked'),
    institutionId: text('institution_id').references(() => institutions.id),
    /** the institution staff member who opened it */
    staffId: text('staff_id').references(() => accounts.id),
    groupId: text('group_id')
      .notNull()
      .references(() => deskGroups.id),
    status: text('status', { enum: deskConversationStatuses }).notNull().default('waiting'),
    agentId: text('agent_id').references(() => accounts.id),
    complaintId: text('complaint_id').references(() => complaints.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    assignedAt: timestamp('assigned_at', { withTimezone: true }),
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    rating: integer('rating'),
    ratingComment: text('rating_comment'),
    ratedAt: timestamp('rated_at', { withTimezone: true }),
    /** when a visitor's conversation moved to the account they signed in or registered with */
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
  },
  (t) => [
    index('desk_conversations_queue_idx').on(t.groupId, t.status, t.createdAt),
    index('desk_conversations_consumer_idx').on(t.consumerId, t.createdAt),
    index('desk_conversations_visitor_idx').on(t.visitorKey, t.createdAt),
    index('desk_conversations_institution_idx').on(t.institutionId, t.createdAt),
    index('desk_conversations_agent_idx').on(t.agentId, t.createdAt),
    check('desk_conversations_rating_check', sql`${t.rating} is null or ${t.rating} between 1 and 5`),
    check(
      'desk_conversations_party_check',
      sql`(${t.partyKind} = 'consumer' and ${t.consumerId} is not null) or (${t.partyKind} = 'visitor' and ${t.visitorKey} is not null and ${t.contactEnc} is not null) or (${t.partyKind} = 'institution' and ${t.institutionId} is not null and ${t.staffId} is not null)`,
    ),
  ],
);

/**
 * The party's open live streams of a conversation (one row per stream, on every instance): an
 * agent's reply to a conversation with none notifies the borrower in the message centre instead.
 * A stream refreshes `expires_at` while open and deletes its row when it closes; a row left by an
 * instance that died expires by itself.
 */
export const deskPartyStreams = pgTable(
  'desk_party_streams',
  {
    id: text('id').primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => deskConversations.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('desk_party_streams_conversation_idx').on(t.conversationId, t.expiresAt)],
);

export const deskMessageKinds = ['message', 'note', 'system'] as const;
export type DeskMessageKind = (typeof deskMessageKinds)[number];

/** The thread: messages each way, internal notes (agents only), system lines (assigned, transferred, closed). */
export const deskMessages = pgTable(
  'desk_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => deskConversations.id),
    kind: text('kind', { enum: deskMessageKinds }).notNull(),
    authorKind: text('author_kind', { enum: ['party', 'agent', 'system'] }).notNull(),
    authorId: text('author_id'),
    /** sealed (PII at rest): people write phone and ID numbers into chats */
    bodyEnc: text('body_enc').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('desk_messages_conversation_idx').on(t.conversationId, t.id)],
);

/** 快捷回复: text with variables ({{称呼}}, {{坐席}}, {{会话编号}}) filled in when sent. */
export const deskCannedReplies = pgTable('desk_canned_replies', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  /** null: every group */
  groupId: text('group_id').references(() => deskGroups.id),
  active: boolean('active').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
