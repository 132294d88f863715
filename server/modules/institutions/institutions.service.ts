import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { NotFoundError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { apiKeys, institutions, type InstitutionKind } from './institutions.schema';

export type Institution = typeof institutions.$inferSelect;

export const institutionKindLabels: Record<InstitutionKind, string> = {
  bank: '银行',
  consumer_finance: '消费金融公司',
  microloan: '小额贷款公司',
  trust: '信托公司',
  other: '其他持牌机构',
};

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export interface InstitutionsServiceDeps {
  audit: AuditService;
  db: Database;
}

export class InstitutionsService {
  constructor(private readonly deps: InstitutionsServiceDeps) {}

  async create(input: {
    name: string;
    shortName: string;
    kind: InstitutionKind;
    description?: string;
    unifiedCode?: string;
    licenceType?: string;
    licenceNumber?: string;
    licenceExpiresOn?: string;
  }): Promise<Institution> {
    const [row] = await this.deps.db
      .insert(institutions)
      .values({ id: newId('ins'), ...input })
      .returning();
    return row!;
  }

  list(): Promise<Institution[]> {
    return this.deps.db.select().from(institutions).orderBy(asc(institutions.shortName));
  }

  async get(id: string): Promise<Institution> {
    const [row] = await this.deps.db.select().from(institutions).where(eq(institutions.id, id));
    if (!row) throw new NotFoundError('机构');
    return row;
  }

  async count(): Promise<number> {
    const [row] = await this.deps.db.select({ n: sql<number>`count(*)::int` }).from(institutions);
    return row?.n ?? 0;
  }

  /** Issues an API key; the full key is shown once and only its hash is kept. */
  /** A new API key for the institution, shown once; the key and its audit row commit together. */
  async createApiKey(institutionId: string, name: string, actor: AuditActor): Promise<{ id: string; key: string }> {
    const prefix = randomBytes(6).toString('hex');
    const secret = randomBytes(24).toString('base64url');
    const id = newId('key');
    await withTransaction(this.deps.db, async (tx) => {
      await tx.insert(apiKeys).values({
        id,
        institutionId,
        name,
        prefix,
        secretHash: sha256(secret).toString('hex'),
      });
      await this.deps.audit.record(actor, { action: 'api_key.created', objectType: 'api_key', objectId: id }, tx);
    });
    return { id, key: `dck_${prefix}_${secret}` };
  }

  /** The institution an API key belongs to, or undefined for an unknown or revoked key. */
  async verifyApiKey(key: string): Promise<{ institutionId: string; keyId: string } | undefined> {
    const m = /^dck_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(key.trim());
    if (!m) return undefined;
    const [row] = await this.deps.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.prefix, m[1]!), isNull(apiKeys.revokedAt)));
    if (!row) return undefined;
    const expected = Buffer.from(row.secretHash, 'hex');
    if (!timingSafeEqual(expected, sha256(m[2]!))) return undefined;
    await this.deps.db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, row.id));
    return { institutionId: row.institutionId, keyId: row.id };
  }

  async listApiKeys(institutionId: string) {
    return this.deps.db
      .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(eq(apiKeys.institutionId, institutionId))
      .orderBy(asc(apiKeys.createdAt));
  }

  /** Revokes one of the institution's own keys; another institution's key is "not found". */
  async revokeApiKey(institutionId: string, keyId: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      const rows = await tx
        .update(apiKeys)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(apiKeys.id, keyId), eq(apiKeys.institutionId, institutionId), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      if (rows.length === 0) {
        const [existing] = await tx.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.institutionId, institutionId)));
        if (!existing) throw new NotFoundError('API 密钥');
      }
      await this.deps.audit.record(actor, { action: 'api_key.revoked', objectType: 'api_key', objectId: keyId }, tx);
    });
  }
}
