import { and, asc, count, desc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { accounts } from '../accounts/accounts.schema';
import { products } from '../catalogue/catalogue.schema';
import { collectionCases, collectionNotes, contactAttempts, loans, promisesToPay } from './loans.schema';

export type CollectionCaseRow = typeof collectionCases.$inferSelect;
export type CollectionCaseInsert = typeof collectionCases.$inferInsert;
export type CollectionNoteRow = typeof collectionNotes.$inferSelect;
export type PromiseRow = typeof promisesToPay.$inferSelect;
export type PromiseInsert = typeof promisesToPay.$inferInsert;
export type ContactAttemptRow = typeof contactAttempts.$inferSelect;
export type ContactAttemptInsert = typeof contactAttempts.$inferInsert;

/** A case as listed: with its loan's product and principal and the encrypted name of its assignee. */
export interface CaseWithLoan {
  c: CollectionCaseRow;
  productName: string;
  assigneeNameEnc: string | null;
  principalFen: number;
}

/** SQL for collection cases: their notes, promises to pay, contact attempts, and the staff they are assigned to. */
export class CollectionsRepository {
  constructor(private readonly db: Database) {}

  private selectWithLoan() {
    return this.db
      .select({ c: collectionCases, productName: products.name, assigneeNameEnc: accounts.displayNameEnc, principalFen: loans.principalFen })
      .from(collectionCases)
      .innerJoin(loans, eq(loans.id, collectionCases.loanId))
      .innerJoin(products, eq(products.id, loans.productId))
      .leftJoin(accounts, eq(accounts.id, collectionCases.assigneeId));
  }

  /** An institution's cases, latest opened first (at most 500). */
  list(institutionId: string, status?: CollectionCaseRow['status']): Promise<CaseWithLoan[]> {
    return this.selectWithLoan()
      .where(and(eq(collectionCases.institutionId, institutionId), status ? eq(collectionCases.status, status) : undefined))
      .orderBy(desc(collectionCases.openedAt))
      .limit(500);
  }

  async find(institutionId: string, id: string): Promise<CaseWithLoan | undefined> {
    const [row] = await this.selectWithLoan().where(and(eq(collectionCases.id, id), eq(collectionCases.institutionId, institutionId)));
    return row;
  }

  async loanIdOf(institutionId: string, id: string): Promise<string | undefined> {
    const [row] = await this.db
      .select({ loanId: collectionCases.loanId })
      .from(collectionCases)
      .where(and(eq(collectionCases.id, id), eq(collectionCases.institutionId, institutionId)));
    return row?.loanId;
  }

  /** The institution's case locked for the transaction. */
  async lock(tx: Tx, institutionId: string, id: string): Promise<CollectionCaseRow | undefined> {
    const [row] = await tx
      .select()
      .from(collectionCases)
      .where(and(eq(collectionCases.id, id), eq(collectionCases.institutionId, institutionId)))
      .for('update');
    return row;
  }

  async update(tx: Tx, id: string, patch: Partial<CollectionCaseInsert>): Promise<void> {
    await tx.update(collectionCases).set(patch).where(eq(collectionCases.id, id));
  }

  async openCaseIdOf(loanId: string, db: Database = this.db): Promise<string | undefined> {
    const [row] = await db
      .select({ id: collectionCases.id })
      .from(collectionCases)
      .where(and(eq(collectionCases.loanId, loanId), eq(collectionCases.status, 'open')));
    return row?.id;
  }

  /** Opens a case unless one with its id exists (one per overdue episode). */
  async openOnce(tx: Tx, row: CollectionCaseInsert): Promise<void> {
    await tx.insert(collectionCases).values(row).onConflictDoNothing();
  }

  async closeOpenCasesOf(tx: Tx, loanId: string, closing: { closedAt: Date; outcome: string }): Promise<void> {
    await tx
      .update(collectionCases)
      .set({ status: 'closed', ...closing })
      .where(and(eq(collectionCases.loanId, loanId), eq(collectionCases.status, 'open')));
  }

  // ---- notes, promises, contact attempts ---------------------------------------------------

  notesOf(caseId: string): Promise<{ n: CollectionNoteRow; authorNameEnc: string | null }[]> {
    return this.db
      .select({ n: collectionNotes, authorNameEnc: accounts.displayNameEnc })
      .from(collectionNotes)
      .leftJoin(accounts, eq(accounts.id, collectionNotes.authorId))
      .where(eq(collectionNotes.caseId, caseId))
      .orderBy(asc(collectionNotes.id));
  }

  async insertNote(tx: Tx, note: { caseId: string; authorId: string | null; body: string }): Promise<void> {
    await tx.insert(collectionNotes).values(note);
  }

  promisesOf(caseId: string): Promise<PromiseRow[]> {
    return this.db.select().from(promisesToPay).where(eq(promisesToPay.caseId, caseId)).orderBy(desc(promisesToPay.id));
  }

  pendingPromises(): Promise<PromiseRow[]> {
    return this.db.select().from(promisesToPay).where(eq(promisesToPay.status, 'pending'));
  }

  async insertPromise(tx: Tx, row: PromiseInsert): Promise<void> {
    await tx.insert(promisesToPay).values(row);
  }

  /** Judges a promise still pending; one judged meanwhile is left as it is. */
  async judgePromise(tx: Tx, id: number, status: 'kept' | 'broken', evaluatedAt: Date): Promise<void> {
    await tx
      .update(promisesToPay)
      .set({ status, evaluatedAt })
      .where(and(eq(promisesToPay.id, id), eq(promisesToPay.status, 'pending')));
  }

  attemptsOf(caseId: string): Promise<ContactAttemptRow[]> {
    return this.db.select().from(contactAttempts).where(eq(contactAttempts.caseId, caseId)).orderBy(desc(contactAttempts.id));
  }

  async attemptsOn(loanId: string, day: string, db: Database = this.db): Promise<number> {
    const [row] = await db.select({ n: count() }).from(contactAttempts).where(and(eq(contactAttempts.loanId, loanId), eq(contactAttempts.day, day)));
    return row?.n ?? 0;
  }

  async insertAttempt(tx: Tx, row: ContactAttemptInsert): Promise<void> {
    await tx.insert(contactAttempts).values(row);
  }

  // ---- staff -------------------------------------------------------------------------------

  /** The institution's active staff, with their encrypted display names. */
  staffOf(institutionId: string): Promise<{ id: string; displayNameEnc: string | null }[]> {
    return this.db
      .select({ id: accounts.id, displayNameEnc: accounts.displayNameEnc })
      .from(accounts)
      .where(and(eq(accounts.institutionId, institutionId), eq(accounts.status, 'active')));
  }

  async isActiveStaff(accountId: string, institutionId: string, db: Database = this.db): Promise<boolean> {
    const [row] = await db
      .select({ id: accounts.id })
      .from(accounts)
      .where(and(eq(accounts.id, accountId), eq(accounts.institutionId, institutionId), eq(accounts.status, 'active')));
    return row !== undefined;
  }
}
