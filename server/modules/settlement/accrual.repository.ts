import { and, asc, eq, notExists, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import type { CommissionRule } from './commission';
import { commissionAccruals, commissionReversals } from './settlement.schema';

export type Accrual = typeof commissionAccruals.$inferSelect;
export type AccrualInsert = typeof commissionAccruals.$inferInsert;
export type Reversal = typeof commissionReversals.$inferSelect;
export type ReversalInsert = typeof commissionReversals.$inferInsert;

/** SQL for commission accruals and their reversals. */
export class AccrualRepository {
  constructor(private readonly db: Database) {}

  /**
   * One lock per institution and Asia/Shanghai month, held to the end of the transaction (an
   * advisory lock): accruals and reversals of one institution's month run one at a time, so each
   * reads the tier count and the monthly total that every earlier one left.
   */
  async lockMonth(tx: Tx, institutionId: string, month: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`commission:${institutionId}:${month}`}))`);
  }

  async accrualByKey(sourceKey: string, db: Database = this.db): Promise<Accrual | undefined> {
    const [row] = await db.select().from(commissionAccruals).where(eq(commissionAccruals.sourceKey, sourceKey));
    return row;
  }

  /** How many events of the rule accrued in the institution's month, and their total, not counting reversed ones. */
  async monthToDate(institutionId: string, rule: CommissionRule, month: string, db: Database = this.db): Promise<{ count: number; amountFen: number }> {
    const [row] = await db
      .select({ count: sql<number>`count(*)::int`, amount: sql<string>`coalesce(sum(${commissionAccruals.amountFen}), 0)` })
      .from(commissionAccruals)
      .where(
        and(
          eq(commissionAccruals.institutionId, institutionId),
          eq(commissionAccruals.rule, rule),
          eq(commissionAccruals.month, month),
          notExists(db.select({ one: sql`1` }).from(commissionReversals).where(eq(commissionReversals.sourceKey, commissionAccruals.sourceKey))),
        ),
      );
    return { count: row!.count, amountFen: Number(row!.amount) };
  }

  /** Inserts the accrual unless its source key has one; the row when inserted. */
  async insertAccrualOnce(tx: Tx, row: AccrualInsert): Promise<Accrual | undefined> {
    const [inserted] = await tx.insert(commissionAccruals).values(row).onConflictDoNothing({ target: commissionAccruals.sourceKey }).returning();
    return inserted;
  }

  async reversalOf(sourceKey: string, db: Database = this.db): Promise<Reversal | undefined> {
    const [row] = await db.select().from(commissionReversals).where(eq(commissionReversals.sourceKey, sourceKey));
    return row;
  }

  /** Inserts the reversal unless the accrual has one; the row when inserted. */
  async insertReversalOnce(tx: Tx, row: ReversalInsert): Promise<Reversal | undefined> {
    const [inserted] = await tx.insert(commissionReversals).values(row).onConflictDoNothing().returning();
    return inserted;
  }

  /** An application's accruals, oldest first, each with its reversal when there is one. */
  withReversalsForApplication(applicationId: string): Promise<{ accrual: Accrual; reversal: Reversal | null }[]> {
    return this.db
      .select({ accrual: commissionAccruals, reversal: commissionReversals })
      .from(commissionAccruals)
      .leftJoin(commissionReversals, eq(commissionReversals.sourceKey, commissionAccruals.sourceKey))
      .where(eq(commissionAccruals.applicationId, applicationId))
      .orderBy(asc(commissionAccruals.createdAt), asc(commissionAccruals.rule));
  }
}
