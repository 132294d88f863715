import type { Database } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Fen } from '../../lib/money';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { shanghaiMonth } from './commission';
import { fileHash, matchReport, parseReportCsv, validateRows, type ReportRow, type RowProblem } from './reconciliation-file';
import { ReconciliationRepository, type DifferenceRow, type ImportRow } from './reconciliation.repository';
import type { StatementsService } from './statements.service';
import type { Clock } from '../../lib/clock';

export type ReconciliationImport = ImportRow;
export type ReconciliationDifference = DifferenceRow;

export const differenceLabels = { missing_ours: '平台无记录', missing_theirs: '机构报告缺失', amount: '金额不一致' } as const;

/** A file with bad rows: nothing was imported; every problem with its line number. */
export class ReportRejectedError extends ValidationError {
  constructor(readonly problems: RowProblem[]) {
    super(`对账文件有 ${problems.length} 处错误，未导入任何数据`, Object.fromEntries(problems.slice(0, 50).map((p) => [`line ${p.line}`, p.message])));
  }
}

export interface ReconciliationServiceDeps {
  clock: Clock;
  db: Database;
  audit: AuditService;
  statements: StatementsService;
}

/**
 * Reconciliation: an institution's own disbursement report (CSV upload or API) matched against
 * our CPS accruals; differences resolved by an operator with an adjustment or a rejection.
 * An identical report (same bytes, per institution) imports once, however often it is sent.
 */
export class ReconciliationService {
  private readonly reconciliation: ReconciliationRepository;

  constructor(private readonly deps: ReconciliationServiceDeps) {
    this.reconciliation = new ReconciliationRepository(deps.db);
  }

  async submitCsv(institutionId: string, bytes: Buffer, actor: AuditActor): Promise<{ import: ReconciliationImport; duplicate: boolean }> {
    const { rows, problems } = parseReportCsv(bytes, this.deps.clock.now());
    if (problems.length) throw new ReportRejectedError(problems);
    return this.importRows(institutionId, rows, fileHash(bytes), 'upload', actor);
  }

  async submitRows(institutionId: string, input: { applicationId: string; disbursedAt: string; amountYuan: string }[], actor: AuditActor) {
    const { rows, problems } = validateRows(input.map((r, i) => ({ ...r, line: i + 1 })), this.deps.clock.now());
    if (input.length === 0) problems.push({ line: 0, message: '没有数据行' });
    if (problems.length) throw new ReportRejectedError(problems);
    return this.importRows(institutionId, rows, fileHash(JSON.stringify(input)), 'api', actor);
  }

  private async importRows(institutionId: string, rows: ReportRow[], hash: string, source: 'upload' | 'api', actor: AuditActor) {
    return withTransaction(this.deps.db, async (tx) => {
      const months = rows.map((r) => shanghaiMonth(r.disbursedAt)).sort();
      const [fromMonth, toMonth] = [months[0]!, months[months.length - 1]!];
      const id = newId('rec');
      const created = await this.reconciliation.insertImportOnce(tx, {
        id,
        institutionId,
        fileHash: hash,
        source,
        rowCount: rows.length,
        matched: 0,
        fromMonth,
        toMonth,
        createdBy: actor.id ?? null,
      });
      if (!created) {
        const existing = await this.reconciliation.importByHash(institutionId, hash, tx);
        return { import: existing!, duplicate: true };
      }
      // ours: CPS accruals (not reversed) of the months the report covers, and any of the applications it names
      const ours = await this.reconciliation.disbursementsFor(institutionId, { fromMonth, toMonth, applicationIds: rows.map((r) => r.applicationId) }, tx);
      const { matched, differences } = matchReport(
        rows,
        ours.map((o) => ({ applicationId: o.applicationId, amountFen: o.amountFen ?? 0, disbursedAt: o.disbursedAt })),
      );
      await this.reconciliation.insertRows(tx, id, rows);
      await this.reconciliation.insertDifferences(tx, differences.map((d) => ({ id: newId('rdf'), importId: id, institutionId, ...d })));
      const updated = await this.reconciliation.setMatched(tx, id, matched);
      await this.deps.audit.record(actor, { action: 'reconciliation.imported', objectType: 'reconciliation', objectId: id, detail: { institutionId, source, rows: rows.length, matched, differences: differences.length } }, tx);
      return { import: updated, duplicate: false };
    });
  }

  async list(institutionId?: string): Promise<(ReconciliationImport & { institutionName: string; open: number })[]> {
    const rows = await this.reconciliation.list(institutionId);
    return rows.map((r) => ({ ...r.imp, institutionName: r.institutionName, open: r.open }));
  }

  /** One import with its differences; 404 for another institution's. */
  async detail(importId: string, institutionId?: string) {
    const row = await this.reconciliation.findWithInstitution(importId);
    if (!row || (institutionId !== undefined && row.imp.institutionId !== institutionId)) throw new NotFoundError('对账记录');
    const differences = await this.reconciliation.differencesOf(importId);
    return {
      ...row.imp,
      institutionName: row.institutionName,
      open: differences.filter((d) => d.status === 'open').length,
      differences: differences.map((d) => ({ ...d, kindLabel: differenceLabels[d.kind] })),
    };
  }

  async openDifferences(limit = 100) {
    const rows = await this.reconciliation.openDifferences(limit);
    return rows.map((r) => ({ ...r.d, institutionName: r.institutionName, kindLabel: differenceLabels[r.d.kind] }));
  }

  /** An operator settles one difference: an adjustment (ledger journal with the reason) or a rejection. Audited. */
  async resolve(
    differenceId: string,
    input: { action: 'adjust'; amountFen: Fen; reason: string } | { action: 'reject'; reason: string },
    actor: AuditActor,
    now = this.deps.clock.now(),
  ): Promise<ReconciliationDifference> {
    const reason = input.reason.trim();
    if (reason.length < 2) throw new ValidationError('请填写处理说明', { reason: '请填写处理说明（至少 2 个字）' });
    return withTransaction(this.deps.db, async (tx) => {
      const d = await this.reconciliation.lockDifference(tx, differenceId);
      if (!d) throw new NotFoundError('对账差异');
      if (d.status !== 'open') throw new ConflictError('difference_resolved', '该差异已处理');
      let adjustmentId: string | null = null;
      if (input.action === 'adjust') {
        adjustmentId = await this.deps.statements.postAdjustment(tx, {
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
      const updated = await this.reconciliation.resolveDifference(tx, d.id, {
        status: input.action === 'adjust' ? 'adjusted' : 'rejected',
        resolutionNote: reason,
        adjustmentId,
        resolvedBy: actor.id ?? null,
        resolvedAt: now,
      });
      await this.deps.audit.record(
        actor,
        {
          action: input.action === 'adjust' ? 'reconciliation.adjusted' : 'reconciliation.rejected',
          objectType: 'reconciliation',
          objectId: d.importId,
          detail: { differenceId: d.id, applicationId: d.applicationId, kind: d.kind, reason, adjustmentId, amountFen: input.action === 'adjust' ? input.amountFen : null },
        },
        tx,
      );
      return updated;
    });
  }
}
