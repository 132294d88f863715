import { and, asc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { products } from '../catalogue/catalogue.schema';
import { loanInstalments, loanNotices, loans } from './loans.schema';

export type InstalmentRow = typeof loanInstalments.$inferSelect;
export type LoanRow = typeof loans.$inferSelect;

/** SQL for the post-loan work: notices sent once, instalments to remind or stage, and the overdue numbers. */
export class PostLoanRepository {
  constructor(private readonly db: Database) {}

  /** Records a notice once by key; true when this call recorded it. */
  async recordNoticeOnce(tx: Tx, notice: { key: string; loanId: string; kind: string }): Promise<boolean> {
    const rows = await tx.insert(loanNotices).values(notice).onConflictDoNothing().returning({ key: loanNotices.key });
    return rows.length > 0;
  }

  /** Unpaid instalments of active loans due from `from` to `to` (dates, inclusive), with the borrower and product name. */
  unpaidDueBetween(from: string, to: string): Promise<{ i: InstalmentRow; consumerId: string; productName: string }[]> {
    return this.db
      .select({ i: loanInstalments, consumerId: loans.consumerId, productName: products.name })
      .from(loanInstalments)
      .innerJoin(loans, eq(loans.id, loanInstalments.loanId))
      .innerJoin(products, eq(products.id, loans.productId))
      .where(
        and(
          eq(loans.status, 'active'),
          inArray(loanInstalments.status, ['pending', 'partly_paid']),
          gte(loanInstalments.dueDate, from),
          lte(loanInstalments.dueDate, to),
        ),
      );
  }

  /** Marks every unpaid instalment due before `today` overdue; how many it marked. */
  async markPastDueOverdue(tx: Tx, today: string): Promise<number> {
    const marked = await tx
      .update(loanInstalments)
      .set({ status: 'overdue' })
      .where(and(inArray(loanInstalments.status, ['pending', 'partly_paid']), lt(loanInstalments.dueDate, today)))
      .returning({ id: loanInstalments.id });
    return marked.length;
  }

  /** Overdue instalments of active loans, by loan and period, with the loan and its product name. */
  overdueOfActiveLoans(): Promise<{ i: InstalmentRow; loan: LoanRow; productName: string }[]> {
    return this.db
      .select({ i: loanInstalments, loan: loans, productName: products.name })
      .from(loanInstalments)
      .innerJoin(loans, eq(loans.id, loanInstalments.loanId))
      .innerJoin(products, eq(products.id, loans.productId))
      .where(and(eq(loans.status, 'active'), eq(loanInstalments.status, 'overdue')))
      .orderBy(asc(loanInstalments.loanId), asc(loanInstalments.period));
  }

  /** Instalments due in [from, to) (of one institution when given) and how many went overdue: unpaid after the due date, or paid after it. */
  async dueAndOverdue(fromDate: string, toDate: string, institutionId?: string): Promise<{ due: number; overdue: number } | undefined> {
    const [row] = await this.db
      .select({
        due: sql<number>`count(*)::int`,
        overdue: sql<number>`count(*) filter (where (${loanInstalments.paidOffAt} is null and ${loanInstalments.dueDate} < ${toDate}) or ${loanInstalments.paidOffAt} >= (${loanInstalments.dueDate} + 1)::timestamp at time zone 'Asia/Shanghai')::int`,
      })
      .from(loanInstalments)
      .innerJoin(loans, eq(loans.id, loanInstalments.loanId))
      .where(and(gte(loanInstalments.dueDate, fromDate), lt(loanInstalments.dueDate, toDate), institutionId ? eq(loans.institutionId, institutionId) : undefined));
    return row;
  }

  /** The institution's active loans' instalments due before `today` and not paid, by loan and period. */
  unpaidPastDue(institutionId: string, today: string): Promise<{ i: InstalmentRow; productId: string; productName: string }[]> {
    return this.db
      .select({ i: loanInstalments, productId: loans.productId, productName: products.name })
      .from(loanInstalments)
      .innerJoin(loans, eq(loans.id, loanInstalments.loanId))
      .innerJoin(products, eq(products.id, loans.productId))
      .where(and(eq(loans.institutionId, institutionId), eq(loans.status, 'active'), lt(loanInstalments.dueDate, today), sql`${loanInstalments.status} <> 'paid'`))
      .orderBy(asc(loanInstalments.loanId), asc(loanInstalments.period));
  }

  /**
   * Loans on a changed schedule (版本 > 1: 展期 or 重新安排) that are overdue today — anything still
   * owed on an instalment due before `today` — with their version, the oldest such due date and
   * what they owe, oldest first; one institution's or all. And how many changes were accepted
   * since `since` (an instant), by kind.
   */
  async rescheduledOverdue(scope: { institutionId?: string }, today: string, since: Date, limit = 200) {
    const mine = scope.institutionId ? sql`and l.institution_id = ${scope.institutionId}` : sql``;
    const [loansRows, counts] = await Promise.all([
      queryRows<{ loan_id: string; institution_name: string; product_name: string; schedule_version: number; schedule_change: 'extension' | 'restructure'; oldest_due: string; overdue_fen: string | number }>(
        this.db,
        sql`select l.id as loan_id, ins.short_name as institution_name, p.name as product_name, l.schedule_version, l.schedule_change,
            to_char(min(li.due_date), 'YYYY-MM-DD') as oldest_due,
            sum(li.fee_fen - li.waived_fee_fen - li.paid_fee_fen + li.interest_fen - li.waived_interest_fen - li.paid_interest_fen + li.principal_fen - li.paid_principal_fen)::bigint as overdue_fen
          from loans l join loan_instalments li on li.loan_id = l.id
            join products p on p.id = l.product_id join institutions ins on ins.id = l.institution_id
          where l.status = 'active' and l.schedule_version > 1 ${mine} and li.status <> 'paid' and li.due_date < ${today}::date
            and li.fee_fen - li.waived_fee_fen - li.paid_fee_fen + li.interest_fen - li.waived_interest_fen - li.paid_interest_fen + li.principal_fen - li.paid_principal_fen > 0
          group by l.id, ins.short_name, p.name, l.schedule_version, l.schedule_change
          order by min(li.due_date), l.id
          limit ${limit}`,
      ),
      queryRows<{ kind: 'extension' | 'restructure'; n: number }>(
        this.db,
        sql`select c.kind, count(*)::int as n from loan_schedule_changes c
          where c.status = 'accepted' and c.decided_at >= ${since.toISOString()}::timestamptz ${scope.institutionId ? sql`and c.institution_id = ${scope.institutionId}` : sql``}
          group by c.kind`,
      ),
    ]);
    return {
      loans: loansRows.map((r) => ({ loanId: r.loan_id, institutionName: r.institution_name, productName: r.product_name, version: Number(r.schedule_version), kind: r.schedule_change, oldestDue: r.oldest_due, overdueFen: Number(r.overdue_fen) })),
      accepted: { extension: counts.find((c) => c.kind === 'extension')?.n ?? 0, restructure: counts.find((c) => c.kind === 'restructure')?.n ?? 0 },
    };
  }

  /**
   * The overdue report's figures, aggregated by PostgreSQL: instalments due in [from, to), grouped
   * by institution, by product, by the applicant's city ('未知' when none) and by month of the due
   * date; of them, those overdue (still owing anything — every one fell due before `to`, today — or
   * paid off after the Asia/Shanghai due date), and what the unpaid ones still owe.
   */
  async overdueReportGroups(from: string, to: string): Promise<{ dim: 'institution' | 'product' | 'region' | 'month'; key: string; label: string; due: number; overdue: number; overdueFen: number }[]> {
    const rows = await queryRows<{ dim: 'institution' | 'product' | 'region' | 'month'; key: string; label: string; due: number; overdue: number; overdue_fen: string | number }>(
      this.db,
      sql`with i as (
          select l.institution_id, ins.short_name as institution_name, l.product_id, ins.short_name || ' · ' || p.name as product_label,
            coalesce(nullif(a.applicant_city, ''), '未知') as region, to_char(li.due_date, 'YYYY-MM') as month,
            greatest(0, li.fee_fen - li.waived_fee_fen - li.paid_fee_fen + li.interest_fen - li.waived_interest_fen - li.paid_interest_fen + li.principal_fen - li.paid_principal_fen) as owed,
            li.fee_fen - li.waived_fee_fen - li.paid_fee_fen + li.interest_fen - li.waived_interest_fen - li.paid_interest_fen + li.principal_fen - li.paid_principal_fen > 0 as unpaid,
            li.paid_off_at is not null and (li.paid_off_at at time zone 'Asia/Shanghai')::date > li.due_date as late
          from loan_instalments li join loans l on l.id = li.loan_id join products p on p.id = l.product_id
            join institutions ins on ins.id = l.institution_id join applications a on a.id = l.application_id
          where li.due_date >= ${from}::date and li.due_date < ${to}::date
        )
        select case when grouping(institution_id, institution_name) = 0 then 'institution' when grouping(product_id, product_label) = 0 then 'product' when grouping(region) = 0 then 'region' else 'month' end as dim,
          coalesce(institution_id, product_id, region, month) as key, coalesce(institution_name, product_label, region, month) as label,
          count(*)::int as due, count(*) filter (where unpaid or late)::int as overdue, coalesce(sum(owed) filter (where unpaid), 0)::bigint as overdue_fen
        from i group by grouping sets ((institution_id, institution_name), (product_id, product_label), (region), (month))`,
    );
    return rows.map((r) => ({ dim: r.dim, key: r.key, label: r.label, due: Number(r.due), overdue: Number(r.overdue), overdueFen: Number(r.overdue_fen) }));
  }
}
