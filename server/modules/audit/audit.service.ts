import { and, desc, eq, gte, like, lt, ne, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { txOf, write, type Tx, type WriteBatch } from '../../lib/tx';
import type { PiiCipher } from '../../lib/pii';
import { accounts } from '../accounts/accounts.schema';
import { openDisplayName } from '../accounts';
import { auditLog } from './audit.schema';
import type { AuditAction, AuditObjectType } from './labels';

export interface AuditActor {
  kind: 'consumer' | 'institution' | 'operator' | 'channel' | 'system' | 'anonymous';
  id?: string | null;
  requestId?: string;
  ip?: string;
}

/**
 * Where a use case was called from, as the doors (page or API) hand it to the service method:
 * who acts, their device key (anti-fraud) and pseudonymous visitor key (catalogue events), and
 * which door it was.
 */
export interface RequestOrigin {
  actor: AuditActor;
  device: string;
  visitor: string;
  door: 'web' | 'api';
}

export interface AuditEntry {
  /** a code of server/modules/audit/labels.ts: a new action needs its label there */
  action: AuditAction;
  objectType: AuditObjectType;
  objectId?: string | null;
  detail?: Record<string, unknown>;
}

export type AuditRow = typeof auditLog.$inferSelect;

/** What the audit-log viewer filters on; dates are instants already (the edge turns Shanghai dates into them). */
export interface AuditFilter {
  actorKind?: string;
  actorId?: string;
  /** prefix match: `content.` finds every content action */
  action?: string;
  objectType?: string;
  objectId?: string;
  from?: Date;
  /** exclusive */
  to?: Date;
  ip?: string;
}

/** An audit row with the staff member's display name when the actor is staff. */
export type AuditViewRow = AuditRow & { actorName: string | null };

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface AuditServiceDeps {
  db: Database;
  /** opens the staff names shown with each row */
  pii: PiiCipher;
}

export class AuditService {
  /** opens the staff names shown with each row */

  constructor(private readonly deps: AuditServiceDeps) {}

  /** Records a change in the transaction that makes it, so the row commits (or not) with the change it describes. */
  async record(actor: AuditActor, entry: AuditEntry, tx: Tx): Promise<void> {
    await this.insert(tx, actor, [entry]);
  }

  /** `record` for several changes in one transaction, one multi-row insert; an entry may name its own actor. */
  async recordMany(actor: AuditActor, entries: (AuditEntry & { actor?: AuditActor })[], tx: Tx | WriteBatch): Promise<void> {
    if (entries.length) await this.insert(tx, actor, entries);
  }

  /**
   * Records, on its own, something that has no transaction to join: a sensitive read (a reveal, an
   * export, a view of personal data), or an attempt refused and rolled back whose trace must stay.
   */
  async recordNow(actor: AuditActor, entry: AuditEntry): Promise<void> {
    await this.insert(this.deps.db, actor, [entry]);
  }

  private async insert(target: Database | WriteBatch, defaultActor: AuditActor, entries: (AuditEntry & { actor?: AuditActor })[]): Promise<void> {
    const values = 
      entries.map(({ actor = defaultActor, ...entry }) => ({
        actorKind: actor.kind,
        actorId: actor.id ?? null,
        action: entry.action,
        objectType: entry.objectType,
        objectId: entry.objectId ?? null,
        detail: entry.detail ?? {},
        requestId: actor.requestId ?? null,
        ip: actor.ip ?? null,
      }));
    await write(target, [txOf(target).insert(auditLog).values(values)]);
  }

  async forObject(objectType: string, objectId: string): Promise<AuditRow[]> {
    return this.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectType, objectType), eq(auditLog.objectId, objectId)))
      .orderBy(desc(auditLog.id));
  }

  async recent(limit = 100): Promise<AuditRow[]> {
    return this.deps.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit);
  }

  async recentActions(action: string, limit = 50): Promise<AuditRow[]> {
    return this.deps.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id)).limit(limit);
  }

  private conditions(f: AuditFilter): SQL | undefined {
    return and(
      f.actorKind ? eq(auditLog.actorKind, f.actorKind) : undefined,
      f.actorId ? eq(auditLog.actorId, f.actorId) : undefined,
      f.action ? like(auditLog.action, `${escapeLike(f.action)}%`) : undefined,
      f.objectType ? eq(auditLog.objectType, f.objectType) : undefined,
      f.objectId ? eq(auditLog.objectId, f.objectId) : undefined,
      f.from ? gte(auditLog.createdAt, f.from) : undefined,
      f.to ? lt(auditLog.createdAt, f.to) : undefined,
      f.ip ? eq(auditLog.ip, f.ip) : undefined,
    );
  }

  /**
   * Newest first, keyset-paginated on id (no OFFSET: the log grows without bound). Pass the
   * `nextBefore` of one page as `before` to get the next; it is null on the last page.
   */
  async search(filter: AuditFilter, page: { before?: number; limit?: number } = {}): Promise<{ rows: AuditViewRow[]; nextBefore: number | null }> {
    const limit = Math.min(Math.max(page.limit ?? 50, 1), 1000);
    const rows = await this.deps.db
      .select({ row: auditLog, actorNameEnc: accounts.displayNameEnc })
      .from(auditLog)
      // consumers' display names are personal data: only staff names are shown
      .leftJoin(accounts, and(eq(accounts.id, auditLog.actorId), ne(accounts.kind, 'consumer')))
      .where(and(this.conditions(filter), page.before ? lt(auditLog.id, page.before) : undefined))
      .orderBy(desc(auditLog.id))
      .limit(limit + 1);
    const more = rows.length > limit;
    const out = rows.slice(0, limit).map((r) => ({ ...r.row, actorName: r.actorNameEnc ? openDisplayName(this.deps.pii, r.actorNameEnc) : null }));
    return { rows: out, nextBefore: more ? out[out.length - 1]!.id : null };
  }

  /** An operator looks at the log: one page (as `search`), and the look is itself recorded with what was asked. */
  async viewAsOperator(
    actor: AuditActor,
    filter: AuditFilter,
    page: { before?: number; limit?: number },
    asked: Record<string, unknown>,
  ): Promise<{ rows: AuditViewRow[]; nextBefore: number | null }> {
    const found = await this.search(filter, page);
    await this.recordNow(actor, { action: 'audit.viewed', objectType: 'audit_log', objectId: null, detail: { ...asked, before: page.before ?? null, rows: found.rows.length } });
    return found;
  }

  /** An operator exports the log: the export is recorded, then every matching row follows (as `each`). */
  async exportAsOperator(actor: AuditActor, filter: AuditFilter, asked: Record<string, unknown>): Promise<AsyncGenerator<AuditViewRow>> {
    await this.recordNow(actor, { action: 'audit.exported', objectType: 'audit_log', objectId: null, detail: asked });
    return this.each(filter);
  }

  /** Every row matching the filter, newest first, in keyset batches (for CSV export). */
  async *each(filter: AuditFilter, batch = 1000): AsyncGenerator<AuditViewRow> {
    let before: number | undefined;
    for (;;) {
      const page = await this.search(filter, { before, limit: batch });
      yield* page.rows;
      if (page.nextBefore === null) return;
      before = page.nextBefore;
    }
  }
}
