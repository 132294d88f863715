import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { commissionAccruals, commissionMonthTotals, commissionReversals } from './settlement.schema';

export type Accrual = typeof commissionAccruals.$inferSelect;
export type AccrualInsert = typeof commissionAccruals.$inferInsert;
export type Reversal = typeof commissionReversals.$inferSelect;
export type ReversalInsert = typeof commissionReversals.$inferInsert;
export type MonthTotal = typeof commissionMonthTotals.$inferSelect;

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

  /** The accruals of these source keys. */
  accrualsByKeys(sourceKeys: string[], db: Database = this.db): Promise<Accrual[]> {
    if (sourceKeys.length === 0) return Promise.resolve([]);
    return db
      .select()
      .from(commissionAccruals)
      .where(sql`${commissionAccruals.sourceKey} in (select json_array_elements_text(${JSON.stringify(sourceKeys)}::json))`);
  }

  /**
   * How many events of each rule accrued in each institution's month, and their total, not
   * counting reversed ones (`commission_month_totals`, kept by triggers), for every pair of the
   * institutions and months given; a missing (institution, rule, month) has none.
   */
  monthTotals(institutionIds: string[], months: string[], db: Database = this.db): Promise<MonthTotal[]> {
    return db
      .select()
      .from(commissionMonthTotals)
      .where(and(inArray(commissionMonthTotals.institutionId, institutionIds), inArray(commissionMonthTotals.month, months)));
  }

  /**
   * Inserts each accrual unless its source key has one, in one statement (a JSON array of rows);
   * the source keys of those inserted.
   */
  async insertAccrualsOnce(tx: Tx, rows: AccrualInsert[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const json = rows.map((r) => ({
      id: r.id,
      source_key: r.sourceKey,
      rule: r.rule,
      institution_id: r.institutionId,
      application_id: r.applicationId,
      agreement_id: r.agreementId,
      event_at: r.eventAt.toISOString(),
      month: r.month,
      ordinal: r.ordinal,
      base_amount_fen: r.baseAmountFen ?? null,
      amount_fen: r.amountFen,
      journal_id: r.journalId ?? null,
      memo: r.memo ?? '',
    }));
    const inserted = await queryRows<{ source_key: string }>(
      tx,
      sql`insert into commission_accruals (id, source_key, rule, institution_id, application_id, agreement_id, event_at, month, ordinal, base_amount_fen, amount_fen, journal_id, memo)
          select id, source_key, rule, institution_id, application_id, agreement_id, event_at, month, ordinal, base_amount_fen, amount_fen, journal_id, memo
            from json_to_recordset(${JSON.stringify(json)}::json)
                 as x(id text, source_key text, rule text, institution_id text, application_id text, agreement_id text, event_at timestamptz,
                      month text, ordinal int, base_amount_fen bigint, amount_fen bigint, journal_id text, memo text)
          on conflict (source_key) do nothing
          returning source_key`,
    );
    return new Set(inserted.map((r) => r.source_key));
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
