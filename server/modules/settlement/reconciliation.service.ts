import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Fen } from '../../lib/money';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { institutions } from '../institutions/institutions.schema';
import { shanghaiMonth } from './commission';
import { fileHash, matchReport, parseReportCsv, validateRows, type ReportRow, type RowProblem } from './reconciliation-file';
import { commissionAccruals, commissionReversals, reconciliationDifferences, reconciliationImports, reconciliationRows } from './settlement.schema';
import type { StatementsService } from './statements.service';

export type ReconciliationImport = typeof reconciliationImports.$inferSelect;
export type ReconciliationDifference = typeof reconciliationDifferences.$inferSelect;

export const differenceLabels = { missing_ours: '平台无记录', missing_theirs: '机构报告缺失', amount: '金额不一致' } as const;

/** A file with bad rows: nothing was imported; every problem with its line number. */
export class ReportRejectedError extends ValidationError {
  constructor(readonly problems: RowProblem[]) {
    super(`对账文件有 ${problems.length} 处错误，未导入任何数据`, Object.fromEntries(problems.slice(0, 50).map((p) => [`line ${p.line}`, p.message])));
  }
}

/**
 * Reconciliation: an institution's own disbursement report (CSV upload or API) matched against
 * our CPS accruals; differences resolved by an operator with an adjustment or a rejection.
 * An identical report (same bytes, per institution) imports once, however often it is sent.
 */
export class ReconciliationService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly statements: StatementsService,
  ) {}

  async submitCsv(institutionId: string, bytes: Buffer, actor: AuditActor): Promise<{ import: ReconciliationImport; duplicate: boolean }> {
    const { rows, problems } = parseReportCsv(bytes);
    if (problems.length) throw new ReportRejectedError(problems);
    return this.importRows(institutionId, rows, fileHash(bytes), 'upload', actor);
  }

  async submitRows(institutionId: string, input: { applicationId: string; disbursedAt: string; amountYuan: string }[], actor: AuditActor) {
    const { rows, problems } = validateRows(input.map((r, i) => ({ ...r, line: i + 1 })));
    if (input.length === 0) problems.push({ line: 0, message: '没有数据行' });
    if (problems.length) throw new ReportRejectedError(problems);
    return this.importRows(institutionId, rows, fileHash(JSON.stringify(input)), 'api', actor);
  }

  private async importRows(institutionId: string, rows: ReportRow[], hash: string, source: 'upload' | 'api', actor: AuditActor) {
    return withTransaction(this.db, async (tx) => {
      const months = rows.map((r) => shanghaiMonth(r.disbursedAt)).sort();
      const [fromMonth, toMonth] = [months[0]!, months[months.length - 1]!];
      const id = newId('rec');
      const [created] = await tx
        .insert(reconciliationImports)
        .values({ id, institutionId, fileHash: hash, source, rowCount: rows.length, matched: 0, fromMonth, toMonth, createdBy: actor.id ?? null })
        .onConflictDoNothing()
        .returning();
      if (!created) {
        const [existing] = await tx
          .select()
          .from(reconciliationImports)
          .where(and(eq(reconciliationImports.institutionId, institutionId), eq(reconciliationImports.fileHash, hash)));
        return { import: existing!, duplicate: true };
      }
      // ours: CPS accruals (not reversed) of the months the report covers, and any of the applications it names
      const ids = rows.map((r) => r.applicationId);
      const ours = await tx
        .select({ applicationId: commissionAccruals.applicationId, amountFen: commissionAccruals.baseAmountFen, disbursedAt: commissionAccruals.eventAt })
        .from(commissionAccruals)
        .where(
          and(
            eq(commissionAccruals.institutionId, institutionId),
            eq(commissionAccruals.rule, 'cps'),
            or(and(sql`${commissionAccruals.month} >= ${fromMonth}`, sql`${commissionAccruals.month} <= ${toMonth}`), inArray(commissionAccruals.applicationId, ids)),
            sql`not exists (select 1 from ${commissionReversals} r where r.source_key = ${commissionAccruals.sourceKey})`,
          ),
        );
      const { matched, differences } = matchReport(
        rows,
        ours.map((o) => ({ applicationId: o.applicationId, amountFen: o.amountFen ?? 0, disbursedAt: o.disbursedAt })),
      );
      for (let i = 0; i < rows.length; i += 1000) {
        await tx.insert(reconciliationRows).values(rows.slice(i, i + 1000).map((r) => ({ importId: id, lineNo: r.line, applicationId: r.applicationId, disbursedAt: r.disbursedAt, amountFen: r.amountFen })));
      }
      for (let i = 0; i < differences.length; i += 1000) {
        await tx.insert(reconciliationDifferences).values(differences.slice(i, i + 1000).map((d) => ({ id: newId('rdf'), importId: id, institutionId, ...d })));
      }
      const [updated] = await tx.update(reconciliationImports).set({ matched }).where(eq(reconciliationImports.id, id)).returning();
      await this.audit.record(actor, { action: 'reconciliation.imported', objectType: 'reconciliation', objectId: id, detail: { institutionId, source, rows: rows.length, matched, differences: differences.length } }, tx);
      return { import: updated!, duplicate: false };
    });
  }

  async list(institutionId?: string): Promise<(ReconciliationImport & { institutionName: string; open: number })[]> {
    const rows = await this.db
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
    return rows.map((r) => ({ ...r.imp, institutionName: r.institutionName, open: r.open }));
  }

  /** One import with its differences; 404 for another institution's. */
  async detail(importId: string, institutionId?: string) {
    const [row] = await this.db
      .select({ imp: reconciliationImports, institutionName: institutions.shortName })
      .from(reconciliationImports)
      .innerJoin(institutions, eq(institutions.id, reconciliationImports.institutionId))
      .where(eq(reconciliationImports.id, importId));
    if (!row || (institutionId !== undefined && row.imp.institutionId !== institutionId)) throw new NotFoundError('对账记录');
    const differences = await this.db
      .select()
      .from(reconciliationDifferences)
      .where(eq(reconciliationDifferences.importId, importId))
      .orderBy(asc(reconciliationDifferences.kind), asc(reconciliationDifferences.applicationId));
    return {
      ...row.imp,
      institutionName: row.institutionName,
      open: differences.filter((d) => d.status === 'open').length,
      differences: differences.map((d) => ({ ...d, kindLabel: differenceLabels[d.kind] })),
    };
  }

  async openDifferences(limit = 100) {
    const rows = await this.db
      .select({ d: reconciliationDifferences, institutionName: institutions.shortName })
      .from(reconciliationDifferences)
      .innerJoin(institutions, eq(institutions.id, reconciliationDifferences.institutionId))
      .where(eq(reconciliationDifferences.status, 'open'))
      .orderBy(asc(reconciliationDifferences.importId))
      .limit(limit);
    return rows.map((r) => ({ ...r.d, institutionName: r.institutionName, kindLabel: differenceLabels[r.d.kind] }));
  }

  /** An operator settles one difference: an adjustment (ledger journal with the reason) or a rejection. Audited. */
  async resolve(
    differenceId: string,
    input: { action: 'adjust'; amountFen: Fen; reason: string } | { action: 'reject'; reason: string },
    actor: AuditActor,
    now = new Date(),
  ): Promise<ReconciliationDifference> {
    const reason = input.reason.trim();
    if (reason.length < 2) throw new ValidationError('请填写处理说明', { reason: '请填写处理说明（至少 2 个字）' });
    return withTransaction(this.db, async (tx) => {
      const [d] = await tx.select().from(reconciliationDifferences).where(eq(reconciliationDifferences.id, differenceId)).for('update');
      if (!d) throw new NotFoundError('对账差异');
      if (d.status !== 'open') throw new ConflictError('difference_resolved', '该差异已处理');
      let adjustmentId: string | null = null;
      if (input.action === 'adjust') {
        adjustmentId = await this.statements.postAdjustment(tx, {
          institutionId: d.institutionId,
          amountFen: input.amountFen,
          reason: `对账 ${d.applicationId}：${reason}`,
          origin: 'reconciliation',
          originId: d.id,
          applicationId: d.applicationId,
          actorId: actor.id ?? null,
          now,
        });
      }
      const [updated] = await tx
        .update(reconciliationDifferences)
        .set({ status: input.action === 'adjust' ? 'adjusted' : 'rejected', resolutionNote: reason, adjustmentId, resolvedBy: actor.id ?? null, resolvedAt: now })
        .where(eq(reconciliationDifferences.id, d.id))
        .returning();
      await this.audit.record(
        actor,
        {
          action: input.action === 'adjust' ? 'reconciliation.adjusted' : 'reconciliation.rejected',
          objectType: 'reconciliation',
          objectId: d.importId,
          detail: { differenceId: d.id, applicationId: d.applicationId, kind: d.kind, reason, adjustmentId, amountFen: input.action === 'adjust' ? input.amountFen : null },
        },
        tx,
      );
      return updated!;
    });
  }
}
