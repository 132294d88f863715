import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { apiKeys, institutionOnboardings, institutions, onboardingMessages, type LegacyOnboardingContact, type OnboardingContact, type OnboardingStatus } from './institutions.schema';

export type InstitutionRow = typeof institutions.$inferSelect;
export type InstitutionInsert = typeof institutions.$inferInsert;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ApiKeyInsert = typeof apiKeys.$inferInsert;
export type OnboardingRow = typeof institutionOnboardings.$inferSelect;
export type OnboardingInsert = typeof institutionOnboardings.$inferInsert;
export type OnboardingMessageRow = typeof onboardingMessages.$inferSelect;
export type OnboardingMessageInsert = typeof onboardingMessages.$inferInsert;
/** The columns of an API key the portal lists (never its hash). */
export type ApiKeySummary = Pick<ApiKeyRow, 'id' | 'name' | 'prefix' | 'createdAt' | 'lastUsedAt' | 'revokedAt'>;

/** Every institution's id and short name, by name (the one lookup of institution names for pickers and filters). */
export function institutionNames(db: Database): Promise<{ id: string; name: string }[]> {
  return db.select({ id: institutions.id, name: institutions.shortName }).from(institutions).orderBy(asc(institutions.shortName));
}

/** SQL for institutions, their API keys and onboarding requests. Reads take the database; writes take the caller's transaction. */
export class InstitutionsRepository {
  constructor(private readonly db: Database) {}

  // ── institutions ───────────────────────────────────────────────────────────────────────
  async insert(tx: Tx, row: InstitutionInsert): Promise<InstitutionRow> {
    const [created] = await tx.insert(institutions).values(row).returning();
    return created!;
  }

  /** The institution, locked for the rest of the transaction. */
  async lock(tx: Tx, id: string): Promise<InstitutionRow | undefined> {
    const [row] = await tx.select().from(institutions).where(eq(institutions.id, id)).for('update');
    return row;
  }

  async update(tx: Tx, id: string, changes: Partial<Omit<InstitutionInsert, 'id'>>): Promise<void> {
    await tx.update(institutions).set(changes).where(eq(institutions.id, id));
  }

  /** Every institution, by short name. */
  all(): Promise<InstitutionRow[]> {
    return this.db.select().from(institutions).orderBy(asc(institutions.shortName));
  }

  async byId(id: string): Promise<InstitutionRow | undefined> {
    const [row] = await this.db.select().from(institutions).where(eq(institutions.id, id));
    return row;
  }

  async count(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(institutions);
    return row?.n ?? 0;
  }

  /** Whether an institution with this unified social credit code has joined. */
  async unifiedCodeTaken(code: string): Promise<boolean> {
    const [row] = await this.db.select({ id: institutions.id }).from(institutions).where(eq(institutions.unifiedCode, code));
    return row !== undefined;
  }

  names(): Promise<{ id: string; name: string }[]> {
    return institutionNames(this.db);
  }

  // ── API keys ───────────────────────────────────────────────────────────────────────────
  async insertApiKey(tx: Tx, row: ApiKeyInsert): Promise<void> {
    await tx.insert(apiKeys).values(row);
  }

  /** The unrevoked key with this prefix. */
  async liveApiKey(prefix: string): Promise<ApiKeyRow | undefined> {
    const [row] = await this.db.select().from(apiKeys).where(and(eq(apiKeys.prefix, prefix), isNull(apiKeys.revokedAt)));
    return row;
  }

  async markApiKeyUsed(tx: Tx, id: string): Promise<void> {
    await tx.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, id));
  }

  apiKeysOf(institutionId: string): Promise<ApiKeySummary[]> {
    return this.db
      .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(eq(apiKeys.institutionId, institutionId))
      .orderBy(asc(apiKeys.createdAt));
  }

  /** Revokes the institution's live key; false when there is none to revoke. */
  async revokeApiKey(tx: Tx, institutionId: string, keyId: string): Promise<boolean> {
    const rows = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.institutionId, institutionId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  /** Whether the institution has this key at all (revoked or not). */
  async hasApiKey(institutionId: string, keyId: string, db: Database = this.db): Promise<boolean> {
    const [row] = await db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.institutionId, institutionId)));
    return row !== undefined;
  }

  // ── onboarding ─────────────────────────────────────────────────────────────────────────
  async insertOnboarding(tx: Tx, row: OnboardingInsert): Promise<OnboardingRow> {
    const [created] = await tx.insert(institutionOnboardings).values(row).returning();
    return created!;
  }

  async onboardingByTokenHash(tokenHash: string): Promise<OnboardingRow | undefined> {
    const [row] = await this.db.select().from(institutionOnboardings).where(eq(institutionOnboardings.tokenHash, tokenHash));
    return row;
  }

  async onboardingById(id: string): Promise<OnboardingRow | undefined> {
    const [row] = await this.db.select().from(institutionOnboardings).where(eq(institutionOnboardings.id, id));
    return row;
  }

  /** The request, locked for the rest of the transaction. */
  async lockOnboarding(tx: Tx, id: string): Promise<OnboardingRow | undefined> {
    const [row] = await tx.select().from(institutionOnboardings).where(eq(institutionOnboardings.id, id)).for('update');
    return row;
  }

  /** Requests (of one status when given), newest first. */
  onboardings(status?: OnboardingStatus): Promise<OnboardingRow[]> {
    const where: SQL | undefined = status ? eq(institutionOnboardings.status, status) : undefined;
    return this.db.select().from(institutionOnboardings).where(where).orderBy(desc(institutionOnboardings.createdAt));
  }

  async countOnboardings(status: OnboardingStatus): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(institutionOnboardings).where(eq(institutionOnboardings.status, status));
    return row?.n ?? 0;
  }

  async updateOnboarding(tx: Tx, id: string, changes: Partial<Omit<OnboardingInsert, 'id'>>): Promise<void> {
    await tx.update(institutionOnboardings).set(changes).where(eq(institutionOnboardings.id, id));
  }

  /** The request's conversation, oldest first. */
  messages(onboardingId: string): Promise<OnboardingMessageRow[]> {
    return this.db.select().from(onboardingMessages).where(eq(onboardingMessages.onboardingId, onboardingId)).orderBy(asc(onboardingMessages.createdAt), asc(onboardingMessages.id));
  }

  async insertMessage(tx: Tx, row: OnboardingMessageInsert): Promise<void> {
    await tx.insert(onboardingMessages).values(row);
  }

  /** Up to `limit` requests with a contact still in the shape from before names were sealed, locked for the rest of the transaction. */
  legacyContacts(tx: Tx, limit: number): Promise<{ id: string; contacts: (OnboardingContact | LegacyOnboardingContact)[] }[]> {
    const legacy = sql`exists (select 1 from jsonb_array_elements(${institutionOnboardings.contacts}) c where (c ->> 'name') is not null)`;
    return tx.select({ id: institutionOnboardings.id, contacts: institutionOnboardings.contacts }).from(institutionOnboardings).where(legacy).limit(limit).for('update');
  }
}
