import { desc, eq, and } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { auditLog } from './audit.schema';

export interface AuditActor {
  kind: 'consumer' | 'institution' | 'operator' | 'system' | 'anonymous';
  id?: string | null;
  requestId?: string;
  ip?: string;
}

export interface AuditEntry {
  action: string;
  objectType: string;
  objectId?: string | null;
  detail?: Record<string, unknown>;
}

export type AuditRow = typeof auditLog.$inferSelect;

export class AuditService {
  constructor(private readonly db: Database) {}

  /** Record a sensitive read or change. Pass `tx` so the row commits with the change it describes. */
  async record(actor: AuditActor, entry: AuditEntry, tx: Database = this.db): Promise<void> {
    await tx.insert(auditLog).values({
      actorKind: actor.kind,
      actorId: actor.id ?? null,
      action: entry.action,
      objectType: entry.objectType,
      objectId: entry.objectId ?? null,
      detail: entry.detail ?? {},
      requestId: actor.requestId ?? null,
      ip: actor.ip ?? null,
    });
  }

  async forObject(objectType: string, objectId: string): Promise<AuditRow[]> {
    return this.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectType, objectType), eq(auditLog.objectId, objectId)))
      .orderBy(desc(auditLog.id));
  }

  async recent(limit = 100): Promise<AuditRow[]> {
    return this.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit);
  }

  async recentActions(action: string, limit = 50): Promise<AuditRow[]> {
    return this.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id)).limit(limit);
  }
}
