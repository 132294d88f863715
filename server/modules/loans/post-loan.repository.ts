import { and, asc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { applications } from '../applications/applications.schema';
import { products } from '../catalogue/catalogue.schema';
import { institutions } from '../institutions/institutions.schema';
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

  /** Instalments due in [from, to) with what an overdue report groups them by. */
  dueBetweenForReport(from: string, to: string) {
    return this.db
      .select({
        i: loanInstalments,
        institutionId: loans.institutionId,
        institutionName: institutions.shortName,
        productId: loans.productId,
        productName: products.name,
        city: applications.applicantCity,
      })
      .from(loanInstalments)
      .innerJoin(loans, eq(loans.id, loanInstalments.loanId))
      .innerJoin(products, eq(products.id, loans.productId))
      .innerJoin(institutions, eq(institutions.id, loans.institutionId))
      .innerJoin(applications, eq(applications.id, loans.applicationId))
      .where(and(gte(loanInstalments.dueDate, from), lt(loanInstalments.dueDate, to)));
  }
}
