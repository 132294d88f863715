import { and, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { newId } from '../../lib/ids';
import type { Fen } from '../../lib/money';
import { withTransaction } from '../../lib/tx';
import { institutions } from '../institutions/institutions.schema';
import { commissionFor, type CommissionEvent } from './commission';
import { accountNames, journalsFor, postJournal, type JournalWithEntries, type PostResult } from './ledger';
import { agreements, ledgerEntries } from './settlement.schema';

export type Agreement = typeof agreements.$inferSelect;

export interface PostedCommission extends PostResult {
  rule: 'cpa' | 'cps';
  amountFen: Fen;
  agreementId: string;
}

export class SettlementService {
  constructor(private readonly db: Database) {}

  /** Adds a new version of an institution's agreement, ending the one in force at `effectiveFrom`. */
  async createAgreement(input: { institutionId: string; cpaFen: Fen; cpsRate: string; effectiveFrom: Date }): Promise<Agreement> {
    return withTransaction(this.db, async (tx) => {
      const [latest] = await tx
        .select()
        .from(agreements)
        .where(eq(agreements.institutionId, input.institutionId))
        .orderBy(desc(agreements.version))
        .limit(1)
        .for('update');
      if (latest && latest.effectiveTo === null) {
        await tx.update(agreements).set({ effectiveTo: input.effectiveFrom }).where(eq(agreements.id, latest.id));
      }
      const [created] = await tx
        .insert(agreements)
        .values({ id: newId('agr'), version: (latest?.version ?? 0) + 1, ...input })
        .returning();
      return created!;
    });
  }

  async agreementInForce(institutionId: string, at: Date, tx: Database = this.db): Promise<Agreement | undefined> {
    const [row] = await tx
      .select()
      .from(agreements)
      .where(
        and(
          eq(agreements.institutionId, institutionId),
          lte(agreements.effectiveFrom, at),
          or(isNull(agreements.effectiveTo), gt(agreements.effectiveTo, at)),
        ),
      )
      .orderBy(desc(agreements.version))
      .limit(1);
    return row;
  }

  async agreementsOf(institutionId: string): Promise<Agreement[]> {
    return this.db.select().from(agreements).where(eq(agreements.institutionId, institutionId)).orderBy(desc(agreements.version));
  }

  /**
   * Posts the commission an application event earns, in the caller's transaction, under the
   * agreement in force at the event's time. Posting is keyed by the source event, so a
   * repeated or concurrent call posts nothing more.
   */
  async accrueCommission(
    tx: Database,
    event: CommissionEvent & { institutionId: string; at: Date },
  ): Promise<PostedCommission | null> {
    const agreement = await this.agreementInForce(event.institutionId, event.at, tx);
    if (!agreement) return null;
    const charge = commissionFor(event, agreement);
    if (!charge) return null;
    const result = await postJournal(tx, {
      sourceKey: charge.sourceKey,
      kind: `commission_${charge.rule}`,
      institutionId: event.institutionId,
      applicationId: event.applicationId,
      agreementId: agreement.id,
      memo: charge.memo,
      entries: [
        { account: accountNames.institutionReceivable(event.institutionId), amountFen: charge.amountFen },
        { account: accountNames.commissionRevenue(charge.rule), amountFen: -charge.amountFen },
      ],
    });
    return { ...result, rule: charge.rule, amountFen: charge.amountFen, agreementId: agreement.id };
  }

  journalsForApplication(applicationId: string): Promise<JournalWithEntries[]> {
    return journalsFor(this.db, { applicationId });
  }

  /** What each institution owes the platform: the balance of its receivable account. */
  async receivables(): Promise<{ institutionId: string; institutionName: string; amountFen: Fen }[]> {
    const rows = await this.db
      .select({
        institutionId: institutions.id,
        institutionName: institutions.shortName,
        total: sql<string>`coalesce(sum(${ledgerEntries.amountFen}), 0)`,
      })
      .from(institutions)
      .leftJoin(ledgerEntries, eq(ledgerEntries.account, sql`'receivable:institution:' || ${institutions.id}`))
      .groupBy(institutions.id, institutions.shortName)
      .orderBy(institutions.shortName);
    return rows.map((r) => ({ institutionId: r.institutionId, institutionName: r.institutionName, amountFen: Number(r.total) }));
  }
}
