import { and, asc, count, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { products } from '../catalogue/catalogue.schema';
import { institutions } from '../institutions/institutions.schema';
import { loanInstalments, loanRepayments, loans, repaymentChannels } from './loans.schema';

export type LoanRow = typeof loans.$inferSelect;
export type LoanInsert = typeof loans.$inferInsert;
export type InstalmentRow = typeof loanInstalments.$inferSelect;
export type InstalmentInsert = typeof loanInstalments.$inferInsert;
export type RepaymentRow = typeof loanRepayments.$inferSelect;
export type RepaymentInsert = typeof loanRepayments.$inferInsert;
export type ProductRow = typeof products.$inferSelect;

/** Whose loan it is: a lookup scoped to a consumer or an institution finds only theirs. */
export interface LoanOwner {
  consumerId?: string;
  institutionId?: string;
}

export interface LoanWithNames {
  loan: LoanRow;
  productName: string;
  institutionName: string;
}

function ownedBy(owner: LoanOwner) {
  return [
    owner.consumerId !== undefined ? eq(loans.consumerId, owner.consumerId) : undefined,
    owner.institutionId !== undefined ? eq(loans.institutionId, owner.institutionId) : undefined,
  ];
}

/** SQL for loans: the loan rows, their instalments, repayments and the institutions' repayment channels. */
export class LoansRepository {
  constructor(private readonly db: Database) {}

  async findByApplication(applicationId: string, db: Database = this.db): Promise<LoanRow | undefined> {
    const [row] = await db.select().from(loans).where(eq(loans.applicationId, applicationId));
    return row;
  }

  /** The loan of an application, if disbursed: for its owner only. */
  async idForApplication(applicationId: string, owner: LoanOwner): Promise<string | undefined> {
    const [row] = await this.db
      .select({ id: loans.id })
      .from(loans)
      .where(and(eq(loans.applicationId, applicationId), ...ownedBy(owner)));
    return row?.id;
  }

  async consumerIdOf(loanId: string): Promise<string | undefined> {
    const [row] = await this.db.select({ consumerId: loans.consumerId }).from(loans).where(eq(loans.id, loanId));
    return row?.consumerId;
  }

  /** The product a loan is priced from. */
  async product(productId: string, db: Database = this.db): Promise<ProductRow | undefined> {
    const [row] = await db.select().from(products).where(eq(products.id, productId));
    return row;
  }

  async productName(productId: string, db: Database = this.db): Promise<string | undefined> {
    const [row] = await db.select({ name: products.name }).from(products).where(eq(products.id, productId));
    return row?.name;
  }

  /** Inserts the loan unless its application has one; the row when inserted. */
  async insertOnce(tx: Tx, row: LoanInsert): Promise<LoanRow | undefined> {
    const [inserted] = await tx.insert(loans).values(row).onConflictDoNothing({ target: loans.applicationId }).returning();
    return inserted;
  }

  async update(tx: Tx, id: string, patch: Partial<LoanInsert>): Promise<void> {
    await tx.update(loans).set(patch).where(eq(loans.id, id));
  }

  /** The loan row locked for the transaction (scoped to its owner when given). */
  async lock(tx: Tx, id: string, owner: LoanOwner = {}): Promise<LoanRow | undefined> {
    const [row] = await tx
      .select()
      .from(loans)
      .where(and(eq(loans.id, id), ...ownedBy(owner)))
      .for('update');
    return row;
  }

  /** Loans of an owner (and status), newest disbursement first, with their product's and institution's names. */
  listWithNames(filter: LoanOwner & { status?: LoanRow['status'] }, limit: number): Promise<LoanWithNames[]> {
    return this.db
      .select({ loan: loans, productName: products.name, institutionName: institutions.shortName })
      .from(loans)
      .innerJoin(products, eq(products.id, loans.productId))
      .innerJoin(institutions, eq(institutions.id, loans.institutionId))
      .where(and(...ownedBy(filter), filter.status ? eq(loans.status, filter.status) : undefined))
      .orderBy(desc(loans.disbursedAt))
      .limit(limit);
  }

  /** The products a consumer has borrowed from (any loan status). */
  async productIdsOf(consumerId: string): Promise<string[]> {
    const rows = await this.db.selectDistinct({ productId: loans.productId }).from(loans).where(eq(loans.consumerId, consumerId));
    return rows.map((r) => r.productId);
  }

  /** One loan (for its owner only) with the names it is shown with and its institution's description. */
  async findWithNames(id: string, owner: LoanOwner, db: Database = this.db): Promise<(LoanWithNames & { description: string }) | undefined> {
    const [row] = await db
      .select({ loan: loans, productName: products.name, institutionName: institutions.shortName, description: institutions.description })
      .from(loans)
      .innerJoin(products, eq(products.id, loans.productId))
      .innerJoin(institutions, eq(institutions.id, loans.institutionId))
      .where(and(eq(loans.id, id), ...ownedBy(owner)));
    return row;
  }

  // ---- instalments -------------------------------------------------------------------------

  /** The instalments of a loan, in period order. */
  instalmentsOf(loanId: string, db: Database = this.db): Promise<InstalmentRow[]> {
    return db.select().from(loanInstalments).where(eq(loanInstalments.loanId, loanId)).orderBy(asc(loanInstalments.period));
  }

  /** The instalments of several loans, in period order. */
  instalmentsOfLoans(loanIds: string[]): Promise<InstalmentRow[]> {
    return this.db.select().from(loanInstalments).where(inArray(loanInstalments.loanId, loanIds)).orderBy(asc(loanInstalments.period));
  }

  async insertInstalments(tx: Tx, rows: InstalmentInsert[]): Promise<void> {
    await tx.insert(loanInstalments).values(rows);
  }

  async deleteInstalments(tx: Tx, loanId: string): Promise<void> {
    await tx.delete(loanInstalments).where(eq(loanInstalments.loanId, loanId));
  }

  async updateInstalment(tx: Tx, id: number, patch: Partial<InstalmentInsert>): Promise<void> {
    await tx.update(loanInstalments).set(patch).where(eq(loanInstalments.id, id));
  }

  // ---- repayments --------------------------------------------------------------------------

  /** A loan's repayments, latest first. */
  repaymentsOf(loanId: string, db: Database = this.db): Promise<RepaymentRow[]> {
    return db.select().from(loanRepayments).where(eq(loanRepayments.loanId, loanId)).orderBy(desc(loanRepayments.paidAt), desc(loanRepayments.createdAt));
  }

  async repaymentCount(loanId: string, db: Database = this.db): Promise<number> {
    const [row] = await db.select({ n: count() }).from(loanRepayments).where(eq(loanRepayments.loanId, loanId));
    return row?.n ?? 0;
  }

  async repaymentByTransaction(loanId: string, transactionId: string, db: Database = this.db): Promise<RepaymentRow | undefined> {
    const [row] = await db
      .select()
      .from(loanRepayments)
      .where(and(eq(loanRepayments.loanId, loanId), eq(loanRepayments.transactionId, transactionId)));
    return row;
  }

  /** Repayments of the loan recorded since `since` and paid before `paidBefore`, as the database's exact sum. */
  async repaidSince(loanId: string, since: Date, paidBefore: Date): Promise<string> {
    const [row] = await this.db
      .select({ paid: sql<string>`coalesce(sum(${loanRepayments.amountFen}), 0)` })
      .from(loanRepayments)
      .where(and(eq(loanRepayments.loanId, loanId), gte(loanRepayments.createdAt, since), lt(loanRepayments.paidAt, paidBefore)));
    return row?.paid ?? '0';
  }

  async insertRepayment(tx: Tx, row: RepaymentInsert): Promise<RepaymentRow> {
    const [inserted] = await tx.insert(loanRepayments).values(row).returning();
    return inserted!;
  }

  // ---- repayment channels ------------------------------------------------------------------

  async repaymentChannel(institutionId: string, db: Database = this.db): Promise<{ text: string; url: string | null } | undefined> {
    const [row] = await db.select().from(repaymentChannels).where(eq(repaymentChannels.institutionId, institutionId));
    return row;
  }

  async saveRepaymentChannel(tx: Tx, institutionId: string, channel: { text: string; url: string | null }, updatedAt: Date): Promise<void> {
    await tx
      .insert(repaymentChannels)
      .values({ institutionId, ...channel, updatedAt })
      .onConflictDoUpdate({ target: repaymentChannels.institutionId, set: { ...channel, updatedAt } });
  }
}
