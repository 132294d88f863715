import { and, asc, desc, eq, gt, inArray, isNull, lte, or } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { accounts } from '../accounts/accounts.schema';
import { institutionNames } from '../institutions';
import { institutions } from '../institutions/institutions.schema';
import { agreements } from './settlement.schema';

export type Agreement = typeof agreements.$inferSelect;
export type AgreementInsert = typeof agreements.$inferInsert;

/** SQL for institutions' agreement versions. */
export class AgreementsRepository {
  constructor(private readonly db: Database) {}

  /** The latest version of the institution's agreement in force at `at`. */
  async inForce(institutionId: string, at: Date, db: Database = this.db): Promise<Agreement | undefined> {
    const [row] = await db
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

  /** Every version of these institutions' agreements, newest version first. */
  ofInstitutions(institutionIds: string[], db: Database = this.db): Promise<Agreement[]> {
    return db.select().from(agreements).where(inArray(agreements.institutionId, institutionIds)).orderBy(desc(agreements.version));
  }

  async byId(id: string, db: Database = this.db): Promise<Agreement | undefined> {
    const [row] = await db.select().from(agreements).where(eq(agreements.id, id));
    return row;
  }

  /** Locks the institution's row for the transaction (versions of one institution are created one at a time); false when there is none. */
  async lockInstitution(tx: Tx, institutionId: string): Promise<boolean> {
    const [row] = await tx.select({ id: institutions.id }).from(institutions).where(eq(institutions.id, institutionId)).for('update');
    return row !== undefined;
  }

  ofInstitution(institutionId: string, db: Database = this.db): Promise<Agreement[]> {
    return db.select().from(agreements).where(eq(agreements.institutionId, institutionId));
  }

  async setEnd(tx: Tx, id: string, effectiveTo: Date): Promise<void> {
    await tx.update(agreements).set({ effectiveTo }).where(eq(agreements.id, id));
  }

  async insert(tx: Tx, row: AgreementInsert): Promise<Agreement> {
    const [created] = await tx.insert(agreements).values(row).returning();
    return created!;
  }

  /** An institution's versions, newest first, with the encrypted display name of who created each. */
  versionsWithCreator(institutionId: string): Promise<{ agreement: Agreement; createdByNameEnc: string | null }[]> {
    return this.db
      .select({ agreement: agreements, createdByNameEnc: accounts.displayNameEnc })
      .from(agreements)
      .leftJoin(accounts, eq(accounts.id, agreements.createdBy))
      .where(eq(agreements.institutionId, institutionId))
      .orderBy(desc(agreements.version));
  }

  /** Every version of every institution, by the start of its term. */
  all(): Promise<Agreement[]> {
    return this.db.select().from(agreements).orderBy(asc(agreements.effectiveFrom));
  }

  /** Every institution's id and short name, by name. */
  institutionNames(): Promise<{ id: string; name: string }[]> {
    return institutionNames(this.db);
  }
}
