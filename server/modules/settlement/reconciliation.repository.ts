import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { institutions } from '../institutions/institutions.schema';
import type { ReportRow } from './reconciliation-file';
import { commissionAccruals, commissionReversals, reconciliationDifferences, reconciliationImports, reconciliationRows } from './settlement.schema';

export type ImportRow = typeof reconciliationImports.$inferSelect;
export type ImportInsert = typeof reconciliationImports.$inferInsert;
export type DifferenceRow = typeof reconciliationDifferences.$inferSelect;
export type DifferenceInsert = typeof reconciliationDifferences.$inferInsert;

/** Rows are written this many to a statement. */
const BATCH = 1000;

/** SQL for reconciliation: imports of institutions' reports, their rows and the differences found. */
export class ReconciliationRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the import unless the institution has sent the same file; the row when inserted. */
  async insertImportOnce(tx: Tx, row: ImportInsert): Promise<ImportRow | undefined> {
    const [created] = await tx.insert(reconciliationImports).values(row).onConflictDoNothing().returning();
    return created;
  }

  async importByHash(institutionId: string, fileHash: string, db: Database = this.db): Promise<ImportRow | undefined> {
    const [row] = await db
      .select()
      .from(reconciliationImports)
      .where(and(eq(reconciliationImports.institutionId, institutionId), eq(reconciliationImports.fileHash, fileHash)));
    return row;
  }

  /**
   * Our side of a report: the institution's CPS accruals (not reversed) of the months
   * `fromMonth`..`toMonth`, and any of the named applications.
   */
  disbursementsFor(
    institutionId: string,
    range: { fromMonth: string; toMonth: string; applicationIds: string[] },
    db: Database = this.db,
  ): Promise<{ applicationId: string; amountFen: number | null; disbursedAt: Date }[]> {
    return db
      .select({ applicationId: commissionAccruals.applicationId, amountFen: commissionAccruals.baseAmountFen, disbursedAt: commissionAccruals.eventAt })
      .from(commissionAccruals)
      .where(
        and(
          eq(commissionAccruals.institutionId, institutionId),
          eq(commissionAccruals.rule, 'cps'),
          or(
            and(sql`${commissionAccruals.month} >= ${range.fromMonth}`, sql`${commissionAccruals.month} <= ${range.toMonth}`),
            inArray(commissionAccruals.applicationId, range.applicationIds),
          ),
          sql`not exists (select 1 from ${commissionReversals} r where r.source_key = ${commissionAccruals.sourceKey})`,
        ),
      );
  }

  async insertRows(tx: Tx, importId: string, rows: ReportRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      await tx
        .insert(reconciliationRows)
        .values(rows.slice(i, i + BATCH).map((r) => ({ importId, lineNo: r.line, applicationId: r.applicationId, disbursedAt: r.disbursedAt, amountFen: r.amountFen })));
    }
  }

  async insertDifferences(tx: Tx, differences: DifferenceInsert[]): Promise<void> {
    for (let i = 0; i < differences.length; i += BATCH) {
      await tx.insert(reconciliationDifferences).values(differences.slice(i, i + BATCH));
    }
  }

  async setMatched(tx: Tx, importId: string, matched: number): Promise<ImportRow> {
    const [updated] = await tx.update(reconciliationImports).set({ matched }).where(eq(reconciliationImports.id, importId)).returning();
    return updated!;
  }

  /** The latest 200 imports (of one institution when given), with its name and how many differences are open. */
  list(institutionId?: string): Promise<{ imp: ImportRow; institutionName: string; open: number }[]> {
    return this.db
      .select({
        imp: reconciliationImports,
        institutionName: institutions.shortName,
        open: sql<number>`(select count(*)::int from ${reconciliationDifferences} d where d.import_id = ${reconciliationImports.id} and d.status = 'open')`,
      })
      .from(reconciliationImports)
      .innerJoin(institutions, eq(institutions.id, reconciliationImports.institutionId))
      .where(institutionId ? eq(reconciliationImports.institutionId, institutionId) : undefined)
      .orderBy(desc(reconciliationImports.createdAt))
      .limit(200);
  }

  async findWithInstitution(importId: string): Promise<{ imp: ImportRow; institutionName: string } | undefined> {
    const [row] = await this.db
      .select({ imp: reconciliationImports, institutionName: institutions.shortName })
      .from(reconciliationImports)
      .innerJoin(institutions, eq(institutions.id, reconciliationImports.institutionId))
      .where(eq(reconciliationImports.id, importId));
    return row;
  }

  differencesOf(importId: string): Promise<DifferenceRow[]> {
    return this.db
      .select()
      .from(reconciliationDifferences)
      .where(eq(reconciliationDifferences.importId, importId))
      .orderBy(asc(reconciliationDifferences.kind), asc(reconciliationDifferences.applicationId));
  }

  openDifferences(limit: number): Promise<{ d: DifferenceRow; institutionName: string }[]> {
    return this.db
      .select({ d: reconciliationDifferences, institutionName: institutions.shortName })
      .from(reconciliationDifferences)
      .innerJoin(institutions, eq(institutions.id, reconciliationDifferences.institutionId))
      .where(eq(reconciliationDifferences.status, 'open'))
      .orderBy(asc(reconciliationDifferences.importId))
      .limit(limit);
  }

  /** The difference locked for the transaction. */
  async lockDifference(tx: Tx, id: string): Promise<DifferenceRow | undefined> {
    const [row] = await tx.select().from(reconciliationDifferences).where(eq(reconciliationDifferences.id, id)).for('update');
    return row;
  }

  async resolveDifference(
    tx: Tx,
    id: string,
    resolution: Pick<DifferenceInsert, 'status' | 'resolutionNote' | 'adjustmentId' | 'resolvedBy' | 'resolvedAt'>,
  ): Promise<DifferenceRow> {
    const [updated] = await tx.update(reconciliationDifferences).set(resolution).where(eq(reconciliationDifferences.id, id)).returning();
    return updated!;
  }
}
