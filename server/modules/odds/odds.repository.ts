import { and, asc, desc, eq, getTableColumns, gt, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { txOf, write, type Tx, type WriteBatch } from '../../lib/tx';
import { applicationEvents, applications } from '../applications/applications.schema';
import { products } from '../catalogue/catalogue.schema';
import type { InstitutionRecord } from './features';
import { oddsFacts, oddsHistory, oddsModels } from './odds.schema';

export type OddsModelRow = typeof oddsModels.$inferSelect;
export type OddsModelListing = Omit<OddsModelRow, 'model'>;
export type OddsHistoryRow = typeof oddsHistory.$inferInsert;

/** One decided application as stored: the facts at application time, the product's terms, the outcome and when. */
export interface StoredDecision {
  id: string;
  productId: string;
  institutionId: string;
  amountFen: number;
  creditScore: number | null;
  monthlyIncomeFen: number | null;
  monthlyDebtFen: number | null;
  employment: string | null;
  minAmountFen: number;
  maxAmountFen: number;
  minMonthlyIncomeFen: number;
  approved: boolean;
  decidedAt: Date;
}

const HISTORY_CHUNK = 1000;

/** SQL of the odds: fitted models, the facts snapshot at submission, imported decided history, institution records. */
export class OddsRepository {
  constructor(private readonly db: Database) {}

  // ── models ──────────────────────────────────────────────────────────────────────────────
  async latest(): Promise<OddsModelRow | undefined> {
    const [row] = await this.db.select().from(oddsModels).orderBy(desc(oddsModels.fittedAt), desc(oddsModels.id)).limit(1);
    return row;
  }

  async latestId(): Promise<string | null> {
    const [row] = await this.db.select({ id: oddsModels.id }).from(oddsModels).orderBy(desc(oddsModels.fittedAt), desc(oddsModels.id)).limit(1);
    return row?.id ?? null;
  }

  async insertModel(row: typeof oddsModels.$inferInsert): Promise<void> {
    await this.db.insert(oddsModels).values(row);
  }

  /** the recent fits without their model JSON, newest first */
  async recent(limit: number): Promise<OddsModelListing[]> {
    const { model: _model, ...columns } = getTableColumns(oddsModels);
    return this.db.select(columns).from(oddsModels).orderBy(desc(oddsModels.fittedAt), desc(oddsModels.id)).limit(limit);
  }

  // ── facts at submission ─────────────────────────────────────────────────────────────────
  async insertFacts(tx: Tx | WriteBatch, rows: (typeof oddsFacts.$inferInsert)[]): Promise<void> {
    if (rows.length) await write(tx, [txOf(tx).insert(oddsFacts).values(rows)]);
  }

  /** erasure: the facts of every application of this consumer */
  async deleteFactsOf(tx: Tx, consumerId: string): Promise<void> {
    await tx.delete(oddsFacts).where(inArray(oddsFacts.applicationId, tx.select({ id: applications.id }).from(applications).where(eq(applications.consumerId, consumerId))));
  }

  // ── imported history ────────────────────────────────────────────────────────────────────
  /** bulk, in chunks; a row whose id is already there is skipped. Answers how many were new. */
  async insertHistory(rows: readonly OddsHistoryRow[]): Promise<number> {
    let added = 0;
    for (let i = 0; i < rows.length; i += HISTORY_CHUNK) {
      added += (await this.db.insert(oddsHistory).values(rows.slice(i, i + HISTORY_CHUNK)).onConflictDoNothing().returning({ id: oddsHistory.id })).length;
    }
    return added;
  }

  async historyCount(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(oddsHistory);
    return row?.n ?? 0;
  }

  // ── decisions to fit on ─────────────────────────────────────────────────────────────────
  /**
   * Every decided application: the platform's own (approved or rejected by the institution or
   * its pre-screen rule, at the first such event, with the facts recorded at submission) and the
   * imported history; oldest decision first. The product's terms are its current ones.
   */
  async decisions(): Promise<StoredDecision[]> {
    const minIncome = sql<number>`coalesce((${products.eligibility}->>'minMonthlyIncomeFen')::bigint, 0)::float8`;
    const decided = this.db
      .selectDistinctOn([applicationEvents.applicationId], {
        applicationId: applicationEvents.applicationId,
        toStatus: applicationEvents.toStatus,
        at: applicationEvents.createdAt,
      })
      .from(applicationEvents)
      .where(inArray(applicationEvents.toStatus, ['approved', 'rejected']))
      .orderBy(applicationEvents.applicationId, asc(applicationEvents.id))
      .as('decided');
    const platform = await this.db
      .select({
        id: applications.id,
        productId: applications.productId,
        institutionId: applications.institutionId,
        amountFen: applications.amountFen,
        creditScore: oddsFacts.creditScore,
        monthlyIncomeFen: oddsFacts.monthlyIncomeFen,
        monthlyDebtFen: oddsFacts.monthlyDebtFen,
        employment: oddsFacts.employment,
        minAmountFen: products.minAmountFen,
        maxAmountFen: products.maxAmountFen,
        minMonthlyIncomeFen: minIncome,
        approved: sql<boolean>`${decided.toStatus} = 'approved'`,
        decidedAt: decided.at,
      })
      .from(applications)
      .innerJoin(oddsFacts, eq(oddsFacts.applicationId, applications.id))
      .innerJoin(decided, eq(decided.applicationId, applications.id))
      .innerJoin(products, eq(products.id, applications.productId));
    const history = await this.db
      .select({
        id: oddsHistory.id,
        productId: oddsHistory.productId,
        institutionId: oddsHistory.institutionId,
        amountFen: oddsHistory.amountFen,
        creditScore: oddsHistory.creditScore,
        monthlyIncomeFen: oddsHistory.monthlyIncomeFen,
        monthlyDebtFen: oddsHistory.monthlyDebtFen,
        employment: oddsHistory.employment,
        minAmountFen: products.minAmountFen,
        maxAmountFen: products.maxAmountFen,
        minMonthlyIncomeFen: minIncome,
        approved: oddsHistory.approved,
        decidedAt: oddsHistory.decidedAt,
      })
      .from(oddsHistory)
      .innerJoin(products, eq(products.id, oddsHistory.productId));
    return [...history, ...platform]
      .map((d) => ({ ...d, minMonthlyIncomeFen: Number(d.minMonthlyIncomeFen), decidedAt: new Date(d.decidedAt) }))
      .sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Each institution's decided and approved applications since `since`, across its products: the
   * platform's own (by their current status, decided since) and the imported history. One query
   * per source, however many institutions.
   */
  async institutionRecords(db: Database | Tx, institutionIds: string[], since: Date): Promise<Map<string, InstitutionRecord>> {
    const ids = [...new Set(institutionIds)];
    if (!ids.length) return new Map();
    const platform = await db
      .select({
        institutionId: applications.institutionId,
        decided: sql<number>`count(*) filter (where ${applications.status} in ('approved','disbursed','rejected'))::int`,
        approved: sql<number>`count(*) filter (where ${applications.status} in ('approved','disbursed'))::int`,
      })
      .from(applications)
      .where(and(inArray(applications.institutionId, ids), gt(applications.updatedAt, since)))
      .groupBy(applications.institutionId);
    const history = await db
      .select({
        institutionId: oddsHistory.institutionId,
        decided: sql<number>`count(*)::int`,
        approved: sql<number>`count(*) filter (where ${oddsHistory.approved})::int`,
      })
      .from(oddsHistory)
      .where(and(inArray(oddsHistory.institutionId, ids), gt(oddsHistory.decidedAt, since)))
      .groupBy(oddsHistory.institutionId);
    const out = new Map<string, InstitutionRecord>();
    for (const r of [...platform, ...history]) {
      const seen = out.get(r.institutionId) ?? { approved: 0, decided: 0 };
      out.set(r.institutionId, { approved: seen.approved + r.approved, decided: seen.decided + r.decided });
    }
    return out;
  }
}
