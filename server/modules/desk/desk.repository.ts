import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { accounts } from '../accounts/accounts.schema';
import { institutions } from '../institutions/institutions.schema';
import { deskCannedReplies, deskConversations, deskGroupMembers, deskGroups, deskMessages, deskPartyStreams, deskShifts, type DeskConversationStatus, type DeskMessageKind } from './desk.schema';

export type ConversationRow = typeof deskConversations.$inferSelect;
export type MessageRow = typeof deskMessages.$inferSelect;
export type GroupRow = typeof deskGroups.$inferSelect;
export type ShiftRow = typeof deskShifts.$inferSelect;
export type CannedRow = typeof deskCannedReplies.$inferSelect;

/** Who owns a conversation, as a condition on the table. */
export type Owner = { consumerId: string } | { visitorKey: string } | { institutionId: string };

const ownedBy = (owner: Owner): SQL =>
  'consumerId' in owner
    ? and(eq(deskConversations.partyKind, 'consumer'), eq(deskConversations.consumerId, owner.consumerId))!
    : 'visitorKey' in owner
      ? and(eq(deskConversations.partyKind, 'visitor'), eq(deskConversations.visitorKey, owner.visitorKey))!
      : and(eq(deskConversations.partyKind, 'institution'), eq(deskConversations.institutionId, owner.institutionId))!;

export interface ReportRow {
  key: string | null;
  conversations: number;
  firstResponseSeconds: number | null;
  handlingSeconds: number | null;
  backlog: number;
  ratings: number;
  averageRating: number | null;
  complaints: number;
}

/** SQL for the desk: reads take the database, writes the caller's transaction. */
export class DeskRepository {
  constructor(private readonly db: Database) {}

  // ── groups, members, roster ─────────────────────────────────────────────────────────────
  groups(): Promise<GroupRow[]> {
    return this.db.select().from(deskGroups).orderBy(asc(deskGroups.position));
  }

  async group(id: string, tx: Database = this.db): Promise<GroupRow | undefined> {
    const [row] = await tx.select().from(deskGroups).where(eq(deskGroups.id, id));
    return row;
  }

  async lockGroup(tx: Tx, id: string): Promise<GroupRow | undefined> {
    const [row] = await tx.select().from(deskGroups).where(eq(deskGroups.id, id)).for('update');
    return row;
  }

  members(): Promise<{ groupId: string; agentId: string; nameEnc: string | null }[]> {
    return this.db
      .select({ groupId: deskGroupMembers.groupId, agentId: deskGroupMembers.agentId, nameEnc: accounts.displayNameEnc })
      .from(deskGroupMembers)
      .innerJoin(accounts, eq(accounts.id, deskGroupMembers.agentId));
  }

  async groupIdsOf(agentId: string): Promise<string[]> {
    const rows = await this.db.select({ groupId: deskGroupMembers.groupId }).from(deskGroupMembers).where(eq(deskGroupMembers.agentId, agentId));
    return rows.map((r) => r.groupId);
  }

  async isMember(groupId: string, agentId: string, tx: Database = this.db): Promise<boolean> {
    const [row] = await tx
      .select({ agentId: deskGroupMembers.agentId })
      .from(deskGroupMembers)
      .where(and(eq(deskGroupMembers.groupId, groupId), eq(deskGroupMembers.agentId, agentId)));
    return !!row;
  }

  async setMembers(tx: Tx, groupId: string, agentIds: string[]): Promise<void> {
    await tx.delete(deskGroupMembers).where(eq(deskGroupMembers.groupId, groupId));
    if (agentIds.length) await tx.insert(deskGroupMembers).values(agentIds.map((agentId) => ({ groupId, agentId })));
  }

  async updateGroup(tx: Tx, id: string, patch: Partial<GroupRow>): Promise<void> {
    await tx.update(deskGroups).set(patch).where(eq(deskGroups.id, id));
  }

  /** Shifts of a group that have not ended by `from` (on duty now, or later). */
  shiftsFrom(groupId: string, from: Date, tx: Database = this.db): Promise<ShiftRow[]> {
    return tx.select().from(deskShifts).where(and(eq(deskShifts.groupId, groupId), gt(deskShifts.endsAt, from)));
  }

  roster(from: Date, to: Date): Promise<(ShiftRow & { nameEnc: string | null })[]> {
    return this.db
      .select({ ...tableColumns(deskShifts), nameEnc: accounts.displayNameEnc })
      .from(deskShifts)
      .innerJoin(accounts, eq(accounts.id, deskShifts.agentId))
      .where(and(gt(deskShifts.endsAt, from), lt(deskShifts.startsAt, to)))
      .orderBy(asc(deskShifts.startsAt));
  }

  async insertShift(tx: Tx, row: typeof deskShifts.$inferInsert): Promise<void> {
    await tx.insert(deskShifts).values(row);
  }

  async deleteShift(tx: Tx, id: string): Promise<ShiftRow | undefined> {
    const [row] = await tx.delete(deskShifts).where(eq(deskShifts.id, id)).returning();
    return row;
  }

  // ── conversations ───────────────────────────────────────────────────────────────────────
  async insertConversation(tx: Tx, row: typeof deskConversations.$inferInsert): Promise<ConversationRow> {
    const [created] = await tx.insert(deskConversations).values(row).returning();
    return created!;
  }

  async find(id: string, tx: Database = this.db): Promise<ConversationRow | undefined> {
    const [row] = await tx.select().from(deskConversations).where(eq(deskConversations.id, id));
    return row;
  }

  async findOwned(owner: Owner, id: string): Promise<ConversationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(deskConversations)
      .where(and(eq(deskConversations.id, id), ownedBy(owner)));
    return row;
  }

  async lock(tx: Tx, id: string): Promise<ConversationRow | undefined> {
    const [row] = await tx.select().from(deskConversations).where(eq(deskConversations.id, id)).for('update');
    return row;
  }

  listOwned(owner: Owner, limit = 50): Promise<ConversationRow[]> {
    return this.db.select().from(deskConversations).where(ownedBy(owner)).orderBy(desc(deskConversations.lastMessageAt)).limit(limit);
  }

  /** Waiting and open conversations of these groups, oldest first. */
  queue(groupIds: string[], limit = 200): Promise<ConversationRow[]> {
    if (groupIds.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(deskConversations)
      .where(and(inArray(deskConversations.groupId, groupIds), inArray(deskConversations.status, ['waiting', 'open'] as DeskConversationStatus[])))
      .orderBy(asc(deskConversations.createdAt))
      .limit(limit);
  }

  async update(tx: Tx, id: string, patch: Partial<ConversationRow>): Promise<void> {
    await tx.update(deskConversations).set(patch).where(eq(deskConversations.id, id));
  }

  /** Sets the rating once: false when it was already rated (a second, concurrent rating loses). */
  async rateOnce(tx: Tx, id: string, rating: number, comment: string | null, at: Date): Promise<boolean> {
    const rows = await tx
      .update(deskConversations)
      .set({ rating, ratingComment: comment, ratedAt: at })
      .where(and(eq(deskConversations.id, id), isNull(deskConversations.ratedAt)))
      .returning({ id: deskConversations.id });
    return rows.length === 1;
  }

  institutionName(id: string): Promise<{ name: string }[]> {
    return this.db.select({ name: institutions.shortName }).from(institutions).where(eq(institutions.id, id));
  }

  async nameEncOf(accountId: string, tx: Database = this.db): Promise<string | null> {
    const [row] = await tx.select({ nameEnc: accounts.displayNameEnc }).from(accounts).where(eq(accounts.id, accountId));
    return row?.nameEnc ?? null;
  }

  activeOperators(): Promise<{ id: string; nameEnc: string | null; role: string }[]> {
    return this.db
      .select({ id: accounts.id, nameEnc: accounts.displayNameEnc, role: accounts.role })
      .from(accounts)
      .where(and(eq(accounts.kind, 'operator'), eq(accounts.status, 'active')));
  }

  /** Locks a visitor's conversations (by their cookie's key) for the rest of the transaction. */
  lockVisitor(tx: Tx, visitorKey: string): Promise<ConversationRow[]> {
    return tx.select().from(deskConversations).where(ownedBy({ visitorKey })).for('update');
  }

  /** Locks a consumer's conversations for the rest of the transaction. */
  lockConsumer(tx: Tx, consumerId: string): Promise<ConversationRow[]> {
    return tx.select().from(deskConversations).where(ownedBy({ consumerId })).for('update');
  }

  // ── the party's live streams ────────────────────────────────────────────────────────────
  /** Records an open stream; rows of the conversation's streams that expired (their instance died) go at the same time. */
  async openStream(id: string, conversationId: string, now: Date, expiresAt: Date): Promise<void> {
    await this.db.delete(deskPartyStreams).where(and(eq(deskPartyStreams.conversationId, conversationId), lte(deskPartyStreams.expiresAt, now)));
    await this.db.insert(deskPartyStreams).values({ id, conversationId, expiresAt });
  }

  async refreshStream(id: string, expiresAt: Date): Promise<void> {
    await this.db.update(deskPartyStreams).set({ expiresAt }).where(eq(deskPartyStreams.id, id));
  }

  async closeStream(id: string): Promise<void> {
    await this.db.delete(deskPartyStreams).where(eq(deskPartyStreams.id, id));
  }

  /** Whether the party has a live stream of the conversation open at `now` (on any instance). */
  async partyStreaming(conversationId: string, now: Date, tx: Database = this.db): Promise<boolean> {
    const [row] = await tx
      .select({ id: deskPartyStreams.id })
      .from(deskPartyStreams)
      .where(and(eq(deskPartyStreams.conversationId, conversationId), gt(deskPartyStreams.expiresAt, now)))
      .limit(1);
    return !!row;
  }

  // ── messages ────────────────────────────────────────────────────────────────────────────
  /** Erasure: every message of these conversations gets `bodyEnc` (the sealed placeholder) instead of its text. */
  async replaceBodies(tx: Tx, conversationIds: string[], bodyEnc: string): Promise<void> {
    if (conversationIds.length) await tx.update(deskMessages).set({ bodyEnc }).where(inArray(deskMessages.conversationId, conversationIds));
  }

  async addMessage(tx: Tx, conversationId: string, m: { kind: DeskMessageKind; authorKind: 'party' | 'agent' | 'system'; authorId: string | null; bodyEnc: string }, at: Date): Promise<void> {
    await tx.insert(deskMessages).values({ conversationId, ...m, createdAt: at });
    await tx.update(deskConversations).set({ lastMessageAt: at }).where(eq(deskConversations.id, conversationId));
  }

  /** The thread after message `afterId` (0: all of it), notes only when asked for. */
  messages(conversationId: string, afterId = 0, withNotes = false): Promise<MessageRow[]> {
    const kinds: DeskMessageKind[] = withNotes ? ['message', 'note', 'system'] : ['message', 'system'];
    return this.db
      .select()
      .from(deskMessages)
      .where(and(eq(deskMessages.conversationId, conversationId), gt(deskMessages.id, afterId), inArray(deskMessages.kind, kinds)))
      .orderBy(asc(deskMessages.id));
  }

  // ── canned replies ──────────────────────────────────────────────────────────────────────
  cannedReplies(groupId?: string): Promise<CannedRow[]> {
    const where = groupId ? and(eq(deskCannedReplies.active, true), or(isNull(deskCannedReplies.groupId), eq(deskCannedReplies.groupId, groupId))) : eq(deskCannedReplies.active, true);
    return this.db.select().from(deskCannedReplies).where(where).orderBy(asc(deskCannedReplies.title));
  }

  async canned(id: string): Promise<CannedRow | undefined> {
    const [row] = await this.db.select().from(deskCannedReplies).where(and(eq(deskCannedReplies.id, id), eq(deskCannedReplies.active, true)));
    return row;
  }

  async saveCanned(tx: Tx, row: typeof deskCannedReplies.$inferInsert): Promise<void> {
    await tx
      .insert(deskCannedReplies)
      .values(row)
      .onConflictDoUpdate({ target: deskCannedReplies.id, set: { title: row.title, body: row.body, groupId: row.groupId ?? null, updatedAt: row.updatedAt } });
  }

  async retireCanned(tx: Tx, id: string, at: Date): Promise<boolean> {
    const rows = await tx
      .update(deskCannedReplies)
      .set({ active: false, updatedAt: at })
      .where(and(eq(deskCannedReplies.id, id), eq(deskCannedReplies.active, true)))
      .returning({ id: deskCannedReplies.id });
    return rows.length === 1;
  }

  // ── reports ─────────────────────────────────────────────────────────────────────────────
  /**
   * Per agent (`by` = agent_id) or per group (group_id), for conversations opened in [from, to):
   * how many, mean first response and handling time (seconds), ratings, complaints made from
   * them; the backlog is what waits or is open now, whenever it was opened.
   */
  async report(by: 'agent_id' | 'group_id', from: Date, to: Date): Promise<ReportRow[]> {
    const column = sql.raw(by);
    const rows = await queryRows<{
      key: string | null;
      conversations: string | number;
      first_response_seconds: string | number | null;
      handling_seconds: string | number | null;
      backlog: string | number;
      ratings: string | number;
      average_rating: string | number | null;
      complaints: string | number;
    }>(
      this.db,
      sql`select ${column} as key,
            count(*) filter (where created_at >= ${from} and created_at < ${to}) as conversations,
            avg(extract(epoch from first_response_at - created_at)) filter (where created_at >= ${from} and created_at < ${to} and first_response_at is not null) as first_response_seconds,
            avg(extract(epoch from closed_at - created_at)) filter (where created_at >= ${from} and created_at < ${to} and closed_at is not null) as handling_seconds,
            count(*) filter (where status in ('waiting', 'open')) as backlog,
            count(rating) filter (where created_at >= ${from} and created_at < ${to}) as ratings,
            avg(rating) filter (where created_at >= ${from} and created_at < ${to}) as average_rating,
            count(complaint_id) filter (where created_at >= ${from} and created_at < ${to}) as complaints
          from desk_conversations
          where (created_at >= ${from} and created_at < ${to}) or status in ('waiting', 'open')
          group by ${column}`,
    );
    const num = (v: string | number | null) => (v === null ? null : Number(v));
    return rows.map((r) => ({
      key: r.key,
      conversations: Number(r.conversations),
      firstResponseSeconds: num(r.first_response_seconds),
      handlingSeconds: num(r.handling_seconds),
      backlog: Number(r.backlog),
      ratings: Number(r.ratings),
      averageRating: num(r.average_rating),
      complaints: Number(r.complaints),
    }));
  }
}

function tableColumns<T extends typeof deskShifts>(table: T) {
  return { id: table.id, groupId: table.groupId, agentId: table.agentId, startsAt: table.startsAt, endsAt: table.endsAt, createdAt: table.createdAt };
}

