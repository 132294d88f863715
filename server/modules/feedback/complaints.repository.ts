import { and, asc, desc, eq, inArray, isNull, lt, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { accounts, customRoles } from '../accounts/accounts.schema';
import { institutions } from '../institutions/institutions.schema';
import { complaintEvents, complaints, type ComplaintCategory, type ComplaintStatus, type ComplaintVisibility } from './feedback.schema';

export type ComplaintRow = typeof complaints.$inferSelect;
export type ComplaintInsert = typeof complaints.$inferInsert;
export type ComplaintEventRow = typeof complaintEvents.$inferSelect;
/** A timeline entry as written (the ticket and the time are given separately). */
export type ComplaintEventInput = Omit<typeof complaintEvents.$inferInsert, 'id' | 'complaintId' | 'createdAt'>;

/** A ticket with the names shown next to it: the institution's short name and the assignee's sealed display name. */
export interface ComplaintWithNames {
  c: ComplaintRow;
  institutionName: string | null;
  assigneeNameEnc: string | null;
}

export interface ComplaintQueueFilter {
  status?: ComplaintStatus;
  category?: ComplaintCategory;
  institutionId?: string;
  overdue?: boolean;
  assigneeId?: string;
}

/** Resolved and closed tickets: no deadline applies to them any more. */
export const FINISHED_STATUSES: ComplaintStatus[] = ['resolved', 'closed'];

/** Open tickets past a deadline at `now`: resolution late, or the first answer missing and late. */
const pastADeadline = (now: Date) =>
  and(
    notInArray(complaints.status, FINISHED_STATUSES),
    or(lte(complaints.resolutionDueAt, now), and(isNull(complaints.firstRespondedAt), lte(complaints.firstResponseDueAt, now))),
  );

/** SQL for complaints and their timelines. Reads take the database; writes take the caller's transaction. */
export class ComplaintsRepository {
  constructor(private readonly db: Database) {}

  private selectWithNames() {
    return this.db
      .select({ c: complaints, institutionName: institutions.shortName, assigneeNameEnc: accounts.displayNameEnc })
      .from(complaints)
      .leftJoin(institutions, eq(institutions.id, complaints.institutionId))
      .leftJoin(accounts, eq(accounts.id, complaints.assigneeId));
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────
  private async findWithNames(where: SQL | undefined): Promise<ComplaintWithNames | undefined> {
    const [row] = await this.selectWithNames().where(where);
    return row;
  }

  findForConsumer(consumerId: string, id: string): Promise<ComplaintWithNames | undefined> {
    return this.findWithNames(and(eq(complaints.id, id), eq(complaints.consumerId, consumerId)));
  }

  findForInstitution(institutionId: string, id: string): Promise<ComplaintWithNames | undefined> {
    return this.findWithNames(and(eq(complaints.id, id), eq(complaints.institutionId, institutionId)));
  }

  find(id: string): Promise<ComplaintWithNames | undefined> {
    return this.findWithNames(eq(complaints.id, id));
  }

  /** A consumer's tickets, newest first. */
  listForConsumer(consumerId: string): Promise<ComplaintWithNames[]> {
    return this.selectWithNames().where(eq(complaints.consumerId, consumerId)).orderBy(desc(complaints.createdAt));
  }

  /** The tickets about an institution, newest first. */
  listForInstitution(institutionId: string): Promise<ComplaintWithNames[]> {
    return this.selectWithNames().where(eq(complaints.institutionId, institutionId)).orderBy(desc(complaints.createdAt));
  }

  /** A ticket's timeline entries with one of the given visibilities, in the order written. */
  events(complaintId: string, visibilities: ComplaintVisibility[]): Promise<ComplaintEventRow[]> {
    return this.db
      .select()
      .from(complaintEvents)
      .where(and(eq(complaintEvents.complaintId, complaintId), inArray(complaintEvents.visibility, visibilities)))
      .orderBy(asc(complaintEvents.id));
  }

  /** The operators' queue: unfinished before finished, escalated first, then by the nearest resolution deadline. */
  queue(filter: ComplaintQueueFilter, now: Date, limit: number): Promise<ComplaintWithNames[]> {
    return this.selectWithNames()
      .where(
        and(
          filter.status ? eq(complaints.status, filter.status) : undefined,
          filter.category ? eq(complaints.category, filter.category) : undefined,
          filter.institutionId ? eq(complaints.institutionId, filter.institutionId) : undefined,
          filter.assigneeId ? eq(complaints.assigneeId, filter.assigneeId) : undefined,
          filter.overdue ? pastADeadline(now) : undefined,
        ),
      )
      .orderBy(
        sql`case when ${complaints.status} in ('resolved','closed') then 1 else 0 end`,
        desc(complaints.escalationLevel),
        asc(complaints.resolutionDueAt),
      )
      .limit(limit);
  }

  /** Unfinished tickets, how many of them are past a deadline at `now`, and how many are escalated. */
  async openCounts(now: Date): Promise<{ open: number; overdue: number; escalated: number }> {
    const [row] = await this.db
      .select({
        open: sql<number>`count(*)::int`,
        overdue: sql<number>`count(*) filter (where ${complaints.resolutionDueAt} <= ${now} or (${complaints.firstRespondedAt} is null and ${complaints.firstResponseDueAt} <= ${now}))::int`,
        escalated: sql<number>`count(*) filter (where ${complaints.escalationLevel} > 0)::int`,
      })
      .from(complaints)
      .where(notInArray(complaints.status, FINISHED_STATUSES));
    return row ?? { open: 0, overdue: 0, escalated: 0 };
  }

  /** Active operator accounts with their role and sealed display name (who may handle tickets is the service's rule). */
  /** Active operators with their role (and custom role's permissions, when they hold one). */
  activeOperators(): Promise<{ id: string; displayNameEnc: string | null; role: string; customRole: { permissions: string[] } | null }[]> {
    return this.db
      .select({ id: accounts.id, displayNameEnc: accounts.displayNameEnc, role: accounts.role, customRole: { permissions: sql<string[]>`coalesce(${customRoles.permissions}, '{}')` } })
      .from(accounts)
      .leftJoin(customRoles, eq(customRoles.id, accounts.customRoleId))
      .where(and(eq(accounts.kind, 'operator'), eq(accounts.status, 'active')));
  }

  /** Per product with complaints: complained-about applications / applications created since `since`. */
  async productComplaintRates(since: Date): Promise<Map<string, number>> {
    const list = await queryRows<{ product_id: string; rate: string }>(this.db, sql`
      select a.product_id, count(distinct c.application_id)::numeric / count(distinct a.id) as rate
        from applications a left join complaints c on c.application_id = a.id
       where a.created_at >= ${since}
       group by a.product_id
      having count(c.id) > 0`);
    return new Map(list.map((r) => [r.product_id, Number(r.rate)]));
  }

  /** Unfinished tickets below level 2 past a deadline they may not yet be escalated for. */
  escalationCandidates(now: Date): Promise<ComplaintRow[]> {
    return this.db
      .select()
      .from(complaints)
      .where(
        and(
          notInArray(complaints.status, FINISHED_STATUSES),
          lt(complaints.escalationLevel, 2),
          or(
            lte(complaints.resolutionDueAt, now),
            and(isNull(complaints.firstRespondedAt), lte(complaints.firstResponseDueAt, now), eq(complaints.escalationLevel, 0)),
          ),
        ),
      );
  }

  // ── writing (in the caller's transaction) ───────────────────────────────────────────────
  async insert(tx: Tx, row: ComplaintInsert): Promise<void> {
    await tx.insert(complaints).values(row);
  }

  async addEvent(tx: Tx, complaintId: string, event: ComplaintEventInput, at: Date): Promise<void> {
    await tx.insert(complaintEvents).values({ complaintId, ...event, actorId: event.actorId ?? null, createdAt: at });
  }

  private async lock(tx: Tx, where: SQL | undefined): Promise<ComplaintRow | undefined> {
    const [row] = await tx.select().from(complaints).where(where).for('update');
    return row;
  }

  /** Locks a consumer's own ticket for the rest of the transaction. */
  lockForConsumer(tx: Tx, consumerId: string, id: string): Promise<ComplaintRow | undefined> {
    return this.lock(tx, and(eq(complaints.id, id), eq(complaints.consumerId, consumerId)));
  }

  /** Locks a ticket about this institution for the rest of the transaction. */
  lockForInstitution(tx: Tx, institutionId: string, id: string): Promise<ComplaintRow | undefined> {
    return this.lock(tx, and(eq(complaints.id, id), eq(complaints.institutionId, institutionId)));
  }

  /** Locks any ticket for the rest of the transaction. */
  lockById(tx: Tx, id: string): Promise<ComplaintRow | undefined> {
    return this.lock(tx, eq(complaints.id, id));
  }

  /** Applies a status change only if the ticket is still in `fromStatus`; false when someone else moved it first. */
  async changeStatusIfStill(tx: Tx, id: string, fromStatus: ComplaintStatus, patch: Partial<ComplaintRow>): Promise<boolean> {
    const updated = await tx
      .update(complaints)
      .set(patch)
      .where(and(eq(complaints.id, id), eq(complaints.status, fromStatus)))
      .returning({ id: complaints.id });
    return updated.length > 0;
  }

  async update(tx: Tx, id: string, patch: Partial<ComplaintRow>): Promise<void> {
    await tx.update(complaints).set(patch).where(eq(complaints.id, id));
  }

  /** Raises a ticket to `level` unless it is already there or higher; false when nothing changed. */
  async escalate(tx: Tx, id: string, level: number, at: Date): Promise<boolean> {
    const rows = await tx
      .update(complaints)
      .set({ escalationLevel: level, escalatedAt: at })
      .where(and(eq(complaints.id, id), lt(complaints.escalationLevel, level)))
      .returning({ id: complaints.id });
    return rows.length > 0;
  }

  /** Replaces the personal text of a consumer's tickets and of their timelines' messages, notes and status notes; returns how many tickets. */
  async anonymiseConsumer(tx: Tx, consumerId: string, replace: { subjectOf(category: ComplaintCategory): string; text: string; name: string }): Promise<number> {
    const rows = await tx.select({ id: complaints.id, category: complaints.category }).from(complaints).where(eq(complaints.consumerId, consumerId)).for('update');
    for (const c of rows) {
      await tx.update(complaints).set({ subject: replace.subjectOf(c.category), description: replace.text, consumerNameMasked: replace.name }).where(eq(complaints.id, c.id));
    }
    if (rows.length) {
      await tx
        .update(complaintEvents)
        .set({ body: replace.text })
        .where(
          and(
            inArray(
              complaintEvents.complaintId,
              rows.map((c) => c.id),
            ),
            inArray(complaintEvents.kind, ['message', 'note', 'status']),
            sql`${complaintEvents.body} is not null`,
          ),
        );
    }
    return rows.length;
  }
}
