import { and, asc, desc, eq, inArray, lte, notInArray } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { products } from '../catalogue/catalogue.schema';
import { loanInstalments, loans } from './loans.schema';
import { loanScheduleChanges, loanScheduleVersions, type ScheduleChangeStatus } from './schedule-changes.schema';

export type ScheduleChangeRow = typeof loanScheduleChanges.$inferSelect;
export type ScheduleChangeInsert = typeof loanScheduleChanges.$inferInsert;
export type ScheduleVersionRow = typeof loanScheduleVersions.$inferSelect;
export type ScheduleVersionInsert = typeof loanScheduleVersions.$inferInsert;

/** SQL for 展期 and restructuring: the requests, the schedule versions, and swapping a loan's unpaid instalments. */
export class ScheduleChangesRepository {
  constructor(private readonly db: Database) {}

  async insert(tx: Tx, row: ScheduleChangeInsert): Promise<ScheduleChangeRow> {
    const [inserted] = await tx.insert(loanScheduleChanges).values(row).returning();
    return inserted!;
  }

  async open(loanId: string, db: Database = this.db): Promise<ScheduleChangeRow | undefined> {
    const [row] = await db
      .select()
      .from(loanScheduleChanges)
      .where(and(eq(loanScheduleChanges.loanId, loanId), inArray(loanScheduleChanges.status, ['requested', 'offered'])));
    return row;
  }

  /** One change, locked, for its borrower or its institution only. */
  async lock(tx: Tx, id: string, owner: { consumerId?: string; institutionId?: string }): Promise<ScheduleChangeRow | undefined> {
    const [row] = await tx
      .select()
      .from(loanScheduleChanges)
      .where(
        and(
          eq(loanScheduleChanges.id, id),
          owner.consumerId !== undefined ? eq(loanScheduleChanges.consumerId, owner.consumerId) : undefined,
          owner.institutionId !== undefined ? eq(loanScheduleChanges.institutionId, owner.institutionId) : undefined,
        ),
      )
      .for('update');
    return row;
  }

  /** Ids of offers still waiting for the borrower that were made before `cutoff`, oldest first. */
  async offeredBefore(cutoff: Date, limit = 1000): Promise<string[]> {
    const rows = await this.db
      .select({ id: loanScheduleChanges.id })
      .from(loanScheduleChanges)
      .where(and(eq(loanScheduleChanges.status, 'offered'), lte(loanScheduleChanges.offeredAt, cutoff)))
      .orderBy(asc(loanScheduleChanges.offeredAt))
      .limit(limit);
    return rows.map((r) => r.id);
  }

  async update(tx: Tx, id: string, patch: Partial<ScheduleChangeInsert>): Promise<void> {
    await tx.update(loanScheduleChanges).set(patch).where(eq(loanScheduleChanges.id, id));
  }

  ofLoan(loanId: string): Promise<ScheduleChangeRow[]> {
    return this.db.select().from(loanScheduleChanges).where(eq(loanScheduleChanges.loanId, loanId)).orderBy(desc(loanScheduleChanges.createdAt));
  }

  /** An institution's changes (open ones when no status is given), oldest first, with the product's name. */
  listForInstitution(institutionId: string, statuses: ScheduleChangeStatus[]) {
    return this.db
      .select({ change: loanScheduleChanges, productName: products.name })
      .from(loanScheduleChanges)
      .innerJoin(loans, eq(loans.id, loanScheduleChanges.loanId))
      .innerJoin(products, eq(products.id, loans.productId))
      .where(and(eq(loanScheduleChanges.institutionId, institutionId), inArray(loanScheduleChanges.status, statuses)))
      .orderBy(asc(loanScheduleChanges.createdAt))
      .limit(500);
  }

  versionsOf(loanId: string): Promise<ScheduleVersionRow[]> {
    return this.db.select().from(loanScheduleVersions).where(eq(loanScheduleVersions.loanId, loanId)).orderBy(desc(loanScheduleVersions.version));
  }

  /** Keeps the version being replaced (read-only from now on, as it stood) and records the new current one. */
  async replaceVersion(tx: Tx, previous: ScheduleVersionInsert & { supersededAt: Date }, next: ScheduleVersionInsert): Promise<void> {
    await tx
      .insert(loanScheduleVersions)
      .values(previous)
      .onConflictDoUpdate({ target: [loanScheduleVersions.loanId, loanScheduleVersions.version], set: { lines: previous.lines, supersededAt: previous.supersededAt } });
    await tx.insert(loanScheduleVersions).values(next);
  }

  /** Removes the instalments of a loan other than the periods kept (those with payments). */
  async deleteInstalmentsExcept(tx: Tx, loanId: string, keptPeriods: number[]): Promise<void> {
    await tx.delete(loanInstalments).where(and(eq(loanInstalments.loanId, loanId), keptPeriods.length ? notInArray(loanInstalments.period, keptPeriods) : undefined));
  }
}
