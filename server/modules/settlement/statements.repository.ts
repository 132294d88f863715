import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { institutionNames } from '../institutions';
import { institutions } from '../institutions/institutions.schema';
import {
  settlementAdjustments,
  statementLineReviews,
  statementLines,
  statementPayments,
  statements,
  stripeEvents,
  stripePaymentIntents,
} from './settlement.schema';

export type StatementRow = typeof statements.$inferSelect;
export type StatementInsert = typeof statements.$inferInsert;
export type StatementLineRow = typeof statementLines.$inferSelect;
export type StatementPaymentRow = typeof statementPayments.$inferSelect;
export type StatementPaymentInsert = typeof statementPayments.$inferInsert;
export type LineReviewRow = typeof statementLineReviews.$inferSelect;
export type LineReviewInsert = typeof statementLineReviews.$inferInsert;
export type AdjustmentInsert = typeof settlementAdjustments.$inferInsert;
export type PaymentIntentRow = typeof stripePaymentIntents.$inferSelect;
export type PaymentIntentInsert = typeof stripePaymentIntents.$inferInsert;

/** Statement lines of one statement, counted and summed per kind, rule and lateness. */
export interface LineTotal {
  kind: string;
  rule: string | null;
  late: boolean;
  count: string;
  amount: string;
}

/** The month (Asia/Shanghai) a reversal belongs to, over `commission_reversals r`. */
const reversalMonthSql = sql.raw(`to_char((r.reversed_at at time zone 'UTC') + interval '8 hours', 'YYYY-MM')`);
const openDispute = and(eq(statementLineReviews.decision, 'disputed'), sql`${statementLineReviews.resolution} is null`);

/** SQL for statements: their lines, the institution's reviews, adjustments, payments and Stripe's events. */
export class StatementsRepository {
  constructor(private readonly db: Database) {}

  // ---- the monthly close -------------------------------------------------------------------

  /** Every institution's id, in id order (the order the monthly close goes through them). */
  async institutionIds(): Promise<string[]> {
    const rows = await this.db.select({ id: institutions.id }).from(institutions).orderBy(asc(institutions.id));
    return rows.map((r) => r.id);
  }

  /** Every institution's id and short name, by name. */
  institutionNames(): Promise<{ id: string; name: string }[]> {
    return institutionNames(this.db);
  }

  /** One close at a time per institution (a transaction-scoped advisory lock). */
  async lockInstitutionStatements(tx: Tx, institutionId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`statement:${institutionId}`}))`);
  }

  async idFor(institutionId: string, period: string, db: Database = this.db): Promise<string | undefined> {
    const [row] = await db
      .select({ id: statements.id })
      .from(statements)
      .where(and(eq(statements.institutionId, institutionId), eq(statements.period, period)));
    return row?.id;
  }

  async insert(tx: Tx, row: StatementInsert): Promise<void> {
    await tx.insert(statements).values(row);
  }

  async update(tx: Tx, id: string, patch: Partial<StatementInsert>): Promise<void> {
    await tx.update(statements).set(patch).where(eq(statements.id, id));
  }

  async delete(tx: Tx, id: string): Promise<void> {
    await tx.delete(statements).where(eq(statements.id, id));
  }

  /**
   * Writes every unbilled accrual, reversal and adjustment of the institution whose month is
   * `period` or earlier as a line of the statement (earlier months marked late), numbered in
   * order: accruals, then reversals, then adjustments, each by time. One statement, one pass: the
   * lines written come back counted and summed per kind, rule and lateness.
   */
  insertUnbilledLines(tx: Tx, statementId: string, institutionId: string, period: string): Promise<LineTotal[]> {
    return queryRows<LineTotal>(
      tx,
      sql`
        with items as (
          select 'accrual' as kind, a.source_key, a.application_id, a.rule, a.event_at, a.month as event_month, a.amount_fen,
                 a.memo as description, 0 as sort_group
            from commission_accruals a
           where a.institution_id = ${institutionId} and a.month <= ${period}
             and not exists (select 1 from statement_lines l where l.source_key = a.source_key)
          union all
          select 'reversal', 'rev:' || a.source_key, a.application_id, a.rule, r.reversed_at, ${reversalMonthSql}, -a.amount_fen,
                 '冲回：' || r.reason, 1
            from commission_reversals r join commission_accruals a on a.source_key = r.source_key
           where a.institution_id = ${institutionId} and ${reversalMonthSql} <= ${period}
             and not exists (select 1 from statement_lines l where l.source_key = 'rev:' || a.source_key)
          union all
          select 'adjustment', 'adj:' || j.id, j.application_id, null, j.created_at, j.month, j.amount_fen, '调整：' || j.reason, 2
            from settlement_adjustments j
           where j.institution_id = ${institutionId} and j.month <= ${period}
             and not exists (select 1 from statement_lines l where l.source_key = 'adj:' || j.id)
        ),
        written as (
          insert into statement_lines (statement_id, line_no, kind, source_key, application_id, rule, event_at, event_month, amount_fen, late, description)
          select ${statementId}, row_number() over (order by sort_group, event_at, source_key), kind, source_key, application_id, rule, event_at,
                 event_month, amount_fen, event_month < ${period}, description
            from items
          returning kind, rule, late, amount_fen
        )
        select kind, rule, late, count(*) as count, coalesce(sum(amount_fen), 0) as amount from written group by kind, rule, late`,
    );
  }

  // ---- statements --------------------------------------------------------------------------

  /** The statement row locked for the transaction. */
  async lock(tx: Tx, statementId: string): Promise<StatementRow | undefined> {
    const [row] = await tx.select().from(statements).where(eq(statements.id, statementId)).for('update');
    return row;
  }

  async exists(statementId: string, db: Database = this.db): Promise<boolean> {
    const [row] = await db.select({ id: statements.id }).from(statements).where(eq(statements.id, statementId));
    return row !== undefined;
  }

  /** Statements with their institution's name, newest period first; an institution's own exclude drafts. */
  listWithInstitution(filter: { institutionId?: string; period?: string }): Promise<{ statement: StatementRow; institutionName: string }[]> {
    return this.db
      .select({ statement: statements, institutionName: institutions.shortName })
      .from(statements)
      .innerJoin(institutions, eq(institutions.id, statements.institutionId))
      .where(
        and(
          filter.institutionId ? eq(statements.institutionId, filter.institutionId) : undefined,
          filter.institutionId ? sql`${statements.status} <> 'draft'` : undefined,
          filter.period ? eq(statements.period, filter.period) : undefined,
        ),
      )
      .orderBy(desc(statements.period), asc(institutions.shortName));
  }

  async findWithInstitution(statementId: string): Promise<{ statement: StatementRow; institutionName: string } | undefined> {
    const [row] = await this.db
      .select({ statement: statements, institutionName: institutions.shortName })
      .from(statements)
      .innerJoin(institutions, eq(institutions.id, statements.institutionId))
      .where(eq(statements.id, statementId));
    return row;
  }

  linesOf(statementId: string): Promise<StatementLineRow[]> {
    return this.db.select().from(statementLines).where(eq(statementLines.statementId, statementId)).orderBy(asc(statementLines.lineNo));
  }

  async line(lineId: number, db: Database = this.db): Promise<StatementLineRow | undefined> {
    const [row] = await db.select().from(statementLines).where(eq(statementLines.id, lineId));
    return row;
  }

  async lineOfStatement(statementId: string, lineId: number, db: Database = this.db): Promise<StatementLineRow | undefined> {
    const [row] = await db.select().from(statementLines).where(and(eq(statementLines.id, lineId), eq(statementLines.statementId, statementId)));
    return row;
  }

  // ---- reviews and disputes ----------------------------------------------------------------

  reviewsOf(statementId: string): Promise<LineReviewRow[]> {
    return this.db.select().from(statementLineReviews).where(eq(statementLineReviews.statementId, statementId));
  }

  async reviewOfLine(lineId: number, db: Database = this.db): Promise<LineReviewRow | undefined> {
    const [row] = await db.select().from(statementLineReviews).where(eq(statementLineReviews.lineId, lineId));
    return row;
  }

  /** Records the institution's decision on a line, replacing an earlier one. */
  async saveReview(tx: Tx, review: LineReviewInsert & Pick<LineReviewRow, 'decision' | 'reason' | 'reviewedBy' | 'reviewedAt'>): Promise<void> {
    const { decision, reason, reviewedBy, reviewedAt } = review;
    await tx
      .insert(statementLineReviews)
      .values(review)
      .onConflictDoUpdate({ target: statementLineReviews.lineId, set: { decision, reason, reviewedBy, reviewedAt } });
  }

  async resolveReview(tx: Tx, lineId: number, resolution: Pick<LineReviewInsert, 'resolution' | 'resolutionNote' | 'adjustmentId' | 'resolvedBy' | 'resolvedAt'>): Promise<void> {
    await tx.update(statementLineReviews).set(resolution).where(eq(statementLineReviews.lineId, lineId));
  }

  async openDisputeCount(statementId: string, db: Database = this.db): Promise<number> {
    const [row] = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(statementLineReviews)
      .where(and(eq(statementLineReviews.statementId, statementId), openDispute));
    return row!.count;
  }

  /** Open disputes per statement, for those among `statementIds` that have any. */
  openDisputeCounts(statementIds: string[]): Promise<{ statementId: string; count: number }[]> {
    return this.db
      .select({ statementId: statementLineReviews.statementId, count: sql<number>`count(*)::int` })
      .from(statementLineReviews)
      .where(and(inArray(statementLineReviews.statementId, statementIds), openDispute))
      .groupBy(statementLineReviews.statementId);
  }

  /** Sets an issued or disputed statement to `status`; a statement in any other status is left as it is. */
  async setDisputeStatus(tx: Tx, statementId: string, status: 'issued' | 'disputed'): Promise<void> {
    await tx
      .update(statements)
      .set({ status })
      .where(and(eq(statements.id, statementId), inArray(statements.status, ['issued', 'disputed'])));
  }

  /** Open disputes across institutions, oldest first. */
  openDisputes(): Promise<{ review: LineReviewRow; line: StatementLineRow; period: string; institutionName: string }[]> {
    return this.db
      .select({ review: statementLineReviews, line: statementLines, period: statements.period, institutionName: institutions.shortName })
      .from(statementLineReviews)
      .innerJoin(statementLines, eq(statementLines.id, statementLineReviews.lineId))
      .innerJoin(statements, eq(statements.id, statementLineReviews.statementId))
      .innerJoin(institutions, eq(institutions.id, statements.institutionId))
      .where(openDispute)
      .orderBy(asc(statementLineReviews.reviewedAt));
  }

  async insertAdjustment(tx: Tx, row: AdjustmentInsert): Promise<void> {
    await tx.insert(settlementAdjustments).values(row);
  }

  // ---- payments ----------------------------------------------------------------------------

  paymentsOf(statementId: string, db: Database = this.db): Promise<StatementPaymentRow[]> {
    return db.select().from(statementPayments).where(eq(statementPayments.statementId, statementId)).orderBy(asc(statementPayments.paidAt));
  }

  async insertPayment(tx: Tx, row: StatementPaymentInsert): Promise<StatementPaymentRow> {
    const [payment] = await tx.insert(statementPayments).values(row).returning();
    return payment!;
  }

  /** What has been paid on the statement, as the database's exact sum. */
  async paidTotal(statementId: string, db: Database = this.db): Promise<string> {
    const [row] = await db
      .select({ total: sql<string>`coalesce(sum(${statementPayments.amountFen}), 0)` })
      .from(statementPayments)
      .where(eq(statementPayments.statementId, statementId));
    return row!.total;
  }

  /** What has been paid per statement, for those among `statementIds` with any payment. */
  paidTotals(statementIds: string[]): Promise<{ statementId: string; total: string }[]> {
    return this.db
      .select({ statementId: statementPayments.statementId, total: sql<string>`sum(${statementPayments.amountFen})` })
      .from(statementPayments)
      .where(inArray(statementPayments.statementId, statementIds))
      .groupBy(statementPayments.statementId);
  }

  /** Payments received per Asia/Shanghai month, oldest first. */
  collectedByMonth(): Promise<{ month: string; total: string }[]> {
    return queryRows<{ month: string; total: string }>(
      this.db,
      sql`select to_char((paid_at at time zone 'UTC') + interval '8 hours', 'YYYY-MM') as month, sum(amount_fen) as total
            from statement_payments group by 1 order by 1`,
    );
  }

  /** Statements paid beyond their total (positive part) without the excess declared as an overpayment. */
  undeclaredExcessPayments(): Promise<{ id: string; institution_id: string; period: string; excess: string }[]> {
    return queryRows<{ id: string; institution_id: string; period: string; excess: string }>(
      this.db,
      sql`select s.id, s.institution_id, s.period,
               sum(p.amount_fen - p.overpayment_fen) - greatest(s.total_fen, 0) as excess
          from statements s join statement_payments p on p.statement_id = s.id
         group by s.id
        having sum(p.amount_fen - p.overpayment_fen) > greatest(s.total_fen, 0)`,
    );
  }

  // ---- Stripe ------------------------------------------------------------------------------

  /** Records a Stripe event id once; false when it had been recorded already (a redelivery). */
  async recordStripeEventOnce(tx: Tx, event: { id: string; type: string; objectId: string | null }): Promise<boolean> {
    const inserted = await tx.insert(stripeEvents).values(event).onConflictDoNothing().returning({ id: stripeEvents.id });
    return inserted.length > 0;
  }

  /** The PaymentIntent's row locked for the transaction, when there is one. */
  async lockPaymentIntent(tx: Tx, id: string): Promise<PaymentIntentRow | undefined> {
    const [row] = await tx.select().from(stripePaymentIntents).where(eq(stripePaymentIntents.id, id)).for('update');
    return row;
  }

  /** Inserts the PaymentIntent or moves its status. */
  async savePaymentIntent(tx: Tx, row: PaymentIntentInsert & Pick<PaymentIntentRow, 'status' | 'updatedAt'>): Promise<void> {
    await tx
      .insert(stripePaymentIntents)
      .values(row)
      .onConflictDoUpdate({ target: stripePaymentIntents.id, set: { status: row.status, updatedAt: row.updatedAt } });
  }

  // ---- not yet billed ----------------------------------------------------------------------

  /**
   * The institution's accruals, reversals and adjustments not on a line of an issued statement
   * (a draft's lines still count), summed and counted per month.
   */
  unbilledByMonth(institutionId: string): Promise<{ month: string; amount: string; items: string }[]> {
    return queryRows<{ month: string; amount: string; items: string }>(
      this.db,
      sql`
        with items as (
          select a.source_key as key, a.month, a.amount_fen
            from commission_accruals a
           where a.institution_id = ${institutionId} and a.amount_fen <> 0
          union all
          select 'rev:' || a.source_key, ${reversalMonthSql}, -a.amount_fen
            from commission_reversals r join commission_accruals a on a.source_key = r.source_key
           where a.institution_id = ${institutionId} and a.amount_fen <> 0
          union all
          select 'adj:' || j.id, j.month, j.amount_fen
            from settlement_adjustments j
           where j.institution_id = ${institutionId}
        )
        select i.month, sum(i.amount_fen) as amount, count(*) as items
          from items i
         where not exists (
           select 1 from statement_lines l join statements s on s.id = l.statement_id
            where l.source_key = i.key and s.status <> 'draft')
         group by i.month`,
    );
  }
}
