import type { Database } from '../../db/client';
import { sqlState, UNIQUE_VIOLATION } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { formatYuan, type Fen } from '../../lib/money';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { shanghaiDate, shanghaiMonth } from './commission';
import { accountNames, postJournal } from './ledger';
import { drainAccruals } from './commission-outbox';
import { laterStatus, statusOfEvent, type PaymentEvent, type PaymentGateway, type PaymentIntentInfo } from './payments';
import { LedgerRepository } from './ledger.repository';
import { StatementsRepository, type LineReviewRow, type StatementLineRow, type StatementPaymentRow, type StatementRow } from './statements.repository';
import {
  ageingBucket,
  ageingBuckets,
  dueDateFor,
  isPeriod,
  overpaymentOf,
  paymentReferenceKey,
  periodAfter,
  periodToClose,
  shownStatus,
  type AgeingBucket,
  type ShownStatus,
  type StatementStatus,
} from './statements';
import type { Clock } from '../../lib/clock';

/** Institutions closed at once by `closeMonth` (each in its own transaction and connection). */
export const CLOSE_CONCURRENCY = 2;

export type Statement = StatementRow;
export type StatementLine = StatementLineRow;
export type StatementPayment = StatementPaymentRow;
export type LineReview = LineReviewRow;

export interface StatementSummary extends Statement {
  institutionName: string;
  paidFen: Fen;
  outstandingFen: Fen;
  /** paid beyond the total (recorded overpayments, and any from before they had to be declared) */
  overpaidFen: Fen;
  shown: ShownStatus;
  openDisputes: number;
}

export interface StatementDetail extends StatementSummary {
  lines: (StatementLine & { review: LineReview | null })[];
  payments: StatementPayment[];
}

/** Commission accrued but not on an issued statement yet, for one institution. */
export interface UnbilledCommission {
  /** the current Asia/Shanghai month, "2026-03" */
  period: string;
  /** accrued this month (net of reversals and adjustments): billed by the next monthly close */
  currentFen: Fen;
  currentItems: number;
  /** from earlier months, not yet on an issued statement */
  earlierFen: Fen;
  earlierItems: number;
  totalFen: Fen;
  /** the day this month is closed ("2026-04-01") */
  nextCloseOn: string;
}

export interface CloseResult {
  period: string;
  created: string[];
  existing: string[];
  empty: number;
}

const systemActor: AuditActor = { kind: 'system', id: 'settlement' };

export interface StatementsServiceDeps {
  clock: Clock;
  db: Database;
  audit: AuditService;
  gateway?: PaymentGateway | null;
}

/**
 * Statements: the monthly close per institution, issuing, the institution's review of lines,
 * disputes resolved by an adjustment or a rejection, and payments (bank transfer recorded by
 * finance, or Stripe when configured). Every movement of money is a balanced ledger journal.
 */
export class StatementsService {
  private readonly statements: StatementsRepository;
  private readonly ledger: LedgerRepository;

  private readonly db: Database;
  private readonly audit: AuditService;
  readonly gateway: PaymentGateway | null;
  private readonly clock: Clock;

  constructor({ db, audit, gateway = null, clock }: StatementsServiceDeps) {
    this.clock = clock;
    this.db = db;
    this.audit = audit;
    this.gateway = gateway;
    this.statements = new StatementsRepository(db);
    this.ledger = new LedgerRepository(db);
  }

  /**
   * Closes `period` for every institution: one transaction per institution, each building its
   * whole statement or nothing, `CLOSE_CONCURRENCY` institutions at a time (their locks and rows
   * are disjoint, so a server runs them on separate cores). A statement that exists is left as it
   * is (the rerun is a no-op). Results in institution order.
   */
  async closeMonth(period: string, options: { now?: Date; signal?: AbortSignal; institutionIds?: string[] } = {}): Promise<CloseResult> {
    if (!isPeriod(period)) throw new ValidationError('账期格式应为 YYYY-MM', { period: '账期格式应为 YYYY-MM' });
    const now = options.now ?? this.clock.now();
    if (period >= shanghaiMonth(now)) throw new ValidationError('只能关闭已结束的月份', { period: '只能关闭已结束的月份' });
    const ids = options.institutionIds ?? (await this.statements.institutionIds());
    const outcomes: Awaited<ReturnType<StatementsService['closeFor']>>[] = [];
    let next = 0;
    let failed = false;
    const closer = async () => {
      while (next < ids.length && !failed && !options.signal?.aborted) {
        const i = next++;
        try {
          outcomes[i] = await this.closeFor(ids[i]!, period, now);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: CLOSE_CONCURRENCY }, closer));
    const result: CloseResult = { period, created: [], existing: [], empty: 0 };
    for (const outcome of outcomes) {
      if (!outcome) continue;
      if (outcome.kind === 'created') result.created.push(outcome.statementId);
      else if (outcome.kind === 'existing') result.existing.push(outcome.statementId);
      else result.empty += 1;
    }
    return result;
  }

  /** The scheduled close: the month before `now` (Asia/Shanghai). */
  closePrevious(now: Date, signal?: AbortSignal): Promise<CloseResult> {
    return this.closeMonth(periodToClose(now), { now, signal });
  }

  /**
   * One institution's statement for a period, in ONE transaction under a per-institution lock:
   * every unbilled accrual, reversal and adjustment whose month is the period or earlier becomes
   * a line (earlier months marked late), then the subtotals and total. Unique (institution, period).
   */
  async closeFor(institutionId: string, period: string, now: Date): Promise<{ kind: 'created' | 'existing'; statementId: string } | { kind: 'empty' }> {
    // every commission event queued so far accrues first, so the statement misses none
    await drainAccruals(this.db, { wait: true });
    return withTransaction(this.db, async (tx) => {
      await this.statements.lockInstitutionStatements(tx, institutionId);
      const existing = await this.statements.idFor(institutionId, period, tx);
      if (existing) return { kind: 'existing' as const, statementId: existing };
      const statementId = newId('stm');
      await this.statements.insert(tx, {
        id: statementId,
        institutionId,
        period,
        status: 'draft',
        totalFen: 0,
        lineCount: 0,
        dueDate: dueDateFor(period),
        closedAt: now,
      });
      const totals = await this.statements.insertUnbilledLines(tx, statementId, institutionId, period);
      const lineCount = totals.reduce((n, t) => n + Number(t.count), 0);
      if (lineCount === 0) {
        await this.statements.delete(tx, statementId);
        return { kind: 'empty' as const };
      }
      const subtotals = (['cpl', 'cpa', 'cps'] as const)
        .map((rule) => {
          const rows = totals.filter((t) => t.kind !== 'adjustment' && t.rule === rule);
          return { rule, count: rows.reduce((n, t) => n + (t.kind === 'accrual' ? Number(t.count) : 0), 0), amountFen: rows.reduce((n, t) => n + Number(t.amount), 0) };
        })
        .filter((s) => s.count > 0 || s.amountFen !== 0);
      const adjustmentsFen = totals.filter((t) => t.kind === 'adjustment').reduce((n, t) => n + Number(t.amount), 0);
      const lateFen = totals.filter((t) => t.late).reduce((n, t) => n + Number(t.amount), 0);
      const totalFen = totals.reduce((n, t) => n + Number(t.amount), 0);
      await this.statements.update(tx, statementId, { subtotals, adjustmentsFen, lateFen, totalFen, lineCount });
      await this.audit.record(systemActor, { action: 'statement.closed', objectType: 'statement', objectId: statementId, detail: { institutionId, period, totalFen, lineCount } }, tx);
      return { kind: 'created' as const, statementId };
    });
  }

  /** Finance sends a draft to the institution. */
  async issue(statementId: string, actor: AuditActor, now = this.clock.now()): Promise<void> {
    await withTransaction(this.db, async (tx) => {
      const statement = await this.lockStatement(tx, statementId);
      if (statement.status !== 'draft') throw new ConflictError('statement_not_draft', '只有草稿状态的结算单可以出具');
      const status: StatementStatus = statement.totalFen <= 0 ? 'paid' : 'issued';
      await this.statements.update(tx, statementId, { status, issuedAt: now, paidAt: status === 'paid' ? now : null });
      await this.audit.record(actor, { action: 'statement.issued', objectType: 'statement', objectId: statementId, detail: { totalFen: statement.totalFen } }, tx);
    });
  }

  private async lockStatement(tx: Tx, statementId: string, institutionId?: string): Promise<Statement> {
    const row = await this.statements.lock(tx, statementId);
    if (!row || (institutionId !== undefined && (row.institutionId !== institutionId || row.status === 'draft'))) throw new NotFoundError('结算单');
    return row;
  }

  /** Statements with what has been paid; an institution sees its own, never drafts. */
  async list(filter: { institutionId?: string; status?: ShownStatus; period?: string } = {}, now = this.clock.now()): Promise<StatementSummary[]> {
    const rows = await this.statements.listWithInstitution(filter);
    const summaries = await this.summarize(rows.map((r) => ({ ...r.statement, institutionName: r.institutionName })), now);
    return filter.status ? summaries.filter((s) => s.shown === filter.status) : summaries;
  }

  private async summarize(rows: (Statement & { institutionName: string })[], now: Date): Promise<StatementSummary[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [paid, disputes] = await Promise.all([this.statements.paidTotals(ids), this.statements.openDisputeCounts(ids)]);
    return rows.map((s) => {
      const paidFen = Number(paid.find((p) => p.statementId === s.id)?.total ?? 0);
      return {
        ...s,
        paidFen,
        outstandingFen: Math.max(0, s.totalFen - paidFen),
        overpaidFen: Math.max(0, paidFen - Math.max(0, s.totalFen)),
        shown: shownStatus(s, now),
        openDisputes: disputes.find((d) => d.statementId === s.id)?.count ?? 0,
      };
    });
  }

  /** One statement with its lines, reviews and payments; 404 for another institution's or (for an institution) a draft. */
  async detail(statementId: string, options: { institutionId?: string; now?: Date } = {}): Promise<StatementDetail> {
    const row = await this.statements.findWithInstitution(statementId);
    if (!row || (options.institutionId !== undefined && (row.statement.institutionId !== options.institutionId || row.statement.status === 'draft'))) {
      throw new NotFoundError('结算单');
    }
    const [summary] = await this.summarize([{ ...row.statement, institutionName: row.institutionName }], options.now ?? this.clock.now());
    const [lines, reviews, payments] = await Promise.all([
      this.statements.linesOf(statementId),
      this.statements.reviewsOf(statementId),
      this.statements.paymentsOf(statementId),
    ]);
    return { ...summary!, lines: lines.map((l) => ({ ...l, review: reviews.find((r) => r.lineId === l.id) ?? null })), payments };
  }

  /**
   * The institution confirms or disputes one line (with a reason). A line already decided by an
   * operator stays as it is. An open dispute makes the statement `disputed`.
   */
  async review(
    institutionId: string,
    statementId: string,
    lineId: number,
    input: { decision: 'confirmed' | 'disputed'; reason: string },
    actor: AuditActor,
    now = this.clock.now(),
  ): Promise<void> {
    const reason = input.reason.trim();
    if (input.decision === 'disputed' && reason.length < 2) throw new ValidationError('请填写异议原因', { reason: '请填写异议原因（至少 2 个字）' });
    if (reason.length > 500) throw new ValidationError('原因最多 500 字', { reason: '原因最多 500 字' });
    await withTransaction(this.db, async (tx) => {
      const statement = await this.lockStatement(tx, statementId, institutionId);
      if (statement.status === 'paid') throw new ConflictError('statement_paid', '结算单已付清，不能再确认或提出异议');
      const line = await this.statements.lineOfStatement(statementId, lineId, tx);
      if (!line) throw new NotFoundError('结算明细');
      const current = await this.statements.reviewOfLine(lineId, tx);
      if (current?.resolution) throw new ConflictError('line_resolved', '该明细的异议已处理');
      await this.statements.saveReview(tx, { lineId, statementId, decision: input.decision, reason, reviewedBy: actor.id ?? null, reviewedAt: now });
      await this.refreshDisputeStatus(tx, statementId);
      await this.audit.record(actor, { action: `statement.line_${input.decision}`, objectType: 'statement', objectId: statementId, detail: { lineId, reason } }, tx);
    });
  }

  private async refreshDisputeStatus(tx: Tx, statementId: string): Promise<void> {
    const open = await this.statements.openDisputeCount(statementId, tx);
    await this.statements.setDisputeStatus(tx, statementId, open > 0 ? 'disputed' : 'issued');
  }

  /** Open disputes across institutions, oldest first, for finance. */
  async openDisputes(): Promise<{ statementId: string; period: string; institutionName: string; line: StatementLine; review: LineReview }[]> {
    const rows = await this.statements.openDisputes();
    return rows.map((r) => ({ statementId: r.line.statementId, period: r.period, institutionName: r.institutionName, line: r.line, review: r.review }));
  }

  /**
   * An operator resolves a disputed line: by an adjustment (a balanced journal on the
   * institution's receivable, billed on the next statement) or by rejecting the claim. Audited.
   */
  async resolveDispute(
    lineId: number,
    input: { action: 'adjust'; amountFen: Fen; reason: string } | { action: 'reject'; reason: string },
    actor: AuditActor,
    now = this.clock.now(),
  ): Promise<{ adjustmentId: string | null }> {
    const reason = input.reason.trim();
    if (reason.length < 2) throw new ValidationError('请填写处理说明', { reason: '请填写处理说明（至少 2 个字）' });
    return withTransaction(this.db, async (tx) => {
      const line = await this.statements.line(lineId, tx);
      if (!line) throw new NotFoundError('结算明细');
      const statement = await this.lockStatement(tx, line.statementId);
      const review = await this.statements.reviewOfLine(lineId, tx);
      if (!review || review.decision !== 'disputed') throw new NotFoundError('异议');
      if (review.resolution) throw new ConflictError('dispute_resolved', '该异议已处理');
      let adjustmentId: string | null = null;
      if (input.action === 'adjust') {
        adjustmentId = await this.postAdjustment(tx, {
          institutionId: statement.institutionId,
          amountFen: input.amountFen,
          reason,
          origin: 'dispute',
          originId: String(lineId),
          applicationId: line.applicationId,
          actorId: actor.id ?? null,
          now,
        });
      }
      await this.statements.resolveReview(tx, lineId, {
        resolution: input.action === 'adjust' ? 'adjusted' : 'rejected',
        resolutionNote: reason,
        adjustmentId,
        resolvedBy: actor.id ?? null,
        resolvedAt: now,
      });
      await this.refreshDisputeStatus(tx, statement.id);
      await this.audit.record(
        actor,
        {
          action: input.action === 'adjust' ? 'statement.dispute_adjusted' : 'statement.dispute_rejected',
          objectType: 'statement',
          objectId: statement.id,
          detail: { lineId, reason, adjustmentId, amountFen: input.action === 'adjust' ? input.amountFen : null },
        },
        tx,
      );
      return { adjustmentId };
    });
  }

  /** A correction posted to the ledger once per origin (`adj:<id>`), billed on the next statement. */
  async postAdjustment(
    tx: Tx,
    input: { institutionId: string; amountFen: Fen; reason: string; origin: 'dispute' | 'reconciliation'; originId: string; applicationId: string | null; actorId: string | null; now: Date },
  ): Promise<string> {
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen === 0) throw new ValidationError('调整金额不能为 0', { amount: '调整金额不能为 0' });
    const id = newId('adj');
    const journal = await postJournal(tx, {
      sourceKey: `adj:${id}`,
      kind: 'settlement_adjustment',
      institutionId: input.institutionId,
      applicationId: input.applicationId ?? undefined,
      memo: `调整：${input.reason}`,
      entries: [
        { account: accountNames.institutionReceivable(input.institutionId), amountFen: input.amountFen },
        { account: accountNames.adjustments, amountFen: -input.amountFen },
      ],
    });
    await this.statements.insertAdjustment(tx, {
      id,
      institutionId: input.institutionId,
      amountFen: input.amountFen,
      reason: input.reason,
      origin: input.origin,
      originId: input.originId,
      applicationId: input.applicationId,
      journalId: journal.journalId,
      month: shanghaiMonth(input.now),
      createdBy: input.actorId,
      createdAt: input.now,
    });
    return id;
  }

  /**
   * Finance records a bank transfer received for an issued statement (amount, date, reference), in
   * one transaction under the statement's lock. A reference already recorded on the statement is a
   * 409 (a second tab, a double entry); more than is outstanding is a 400 naming the amount, unless
   * finance declares an overpayment with a reason, which is posted to the institution's credit and
   * shown with the statement. Audited.
   */
  async recordBankTransfer(
    statementId: string,
    input: { amountFen: Fen; paidAt: Date; reference: string; overpayment?: boolean; overpaymentReason?: string },
    actor: AuditActor,
    now = this.clock.now(),
  ): Promise<StatementPayment> {
    const reference = input.reference.trim();
    const fields: Record<string, string> = {};
    if (Number.isNaN(input.paidAt.getTime()) || input.paidAt.getTime() > now.getTime()) fields.paidOn = '请填写到账日期（YYYY-MM-DD），不能晚于今天';
    if (!reference) fields.reference = '请填写银行流水号';
    else if (reference.length > 100) fields.reference = '流水号最多 100 字';
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) fields.amount = '金额须大于 0';
    const overpaymentReason = input.overpayment ? (input.overpaymentReason ?? '').trim() : '';
    if (input.overpayment && (overpaymentReason.length < 2 || overpaymentReason.length > 200)) fields.overpaymentReason = '请说明多付的原因（2–200 字）';
    if (Object.keys(fields).length) throw new ValidationError('付款信息有误', fields);
    return withTransaction(this.db, async (tx) => {
      const { statement, outstandingFen, payments } = await this.lockForPayment(tx, statementId);
      const referenceKey = paymentReferenceKey(reference);
      const same = payments.find((p) => (p.referenceKey ?? paymentReferenceKey(p.reference)) === referenceKey);
      if (same) throw duplicateReference(same);
      const overpaymentFen = overpaymentOf(input.amountFen, outstandingFen);
      if (overpaymentFen > 0 && !input.overpayment) {
        throw new ValidationError(`付款金额超出待付金额 ${formatYuan(outstandingFen)}`, {
          amount: `超出待付金额 ${formatYuan(outstandingFen)}；如确实多付，请勾选「登记为多付」并说明原因`,
        });
      }
      if (overpaymentFen === 0 && input.overpayment) {
        throw new ValidationError('金额未超出待付金额，不是多付', { overpayment: `金额未超出待付金额 ${formatYuan(outstandingFen)}，请取消「登记为多付」` });
      }
      const id = newId('pay');
      const payment = await this.postPayment(tx, statement, {
        id,
        method: 'bank_transfer',
        amountFen: input.amountFen,
        paidAt: input.paidAt,
        reference,
        sourceKey: `payment:bank:${id}`,
        recordedBy: actor.id ?? null,
        overpaymentFen,
        overpaymentReason: overpaymentFen > 0 ? overpaymentReason : null,
      });
      if (!payment) throw new ConflictError('payment_duplicate', '该付款已记录');
      await this.audit.record(
        actor,
        {
          action: 'statement.payment_recorded',
          objectType: 'statement',
          objectId: statementId,
          detail: { method: 'bank_transfer', amountFen: input.amountFen, reference, paidAt: input.paidAt, outstandingFen, overpaymentFen, overpaymentReason: payment.overpaymentReason },
        },
        tx,
      );
      return payment;
    });
  }

  /** Locks an issued statement for a payment and tells what has been paid on it so far. */
  private async lockForPayment(tx: Tx, statementId: string): Promise<{ statement: Statement; outstandingFen: Fen; payments: StatementPayment[] }> {
    const statement = await this.lockStatement(tx, statementId);
    if (statement.status === 'draft') throw new ConflictError('statement_not_issued', '结算单尚未出具');
    const payments = await this.statements.paymentsOf(statementId, tx);
    const paidFen = payments.reduce((n, p) => n + p.amountFen, 0);
    return { statement, outstandingFen: Math.max(0, statement.totalFen - paidFen), payments };
  }

  /**
   * Posts a payment once per source key (cash debit; receivable credit up to what was outstanding,
   * the institution's credit for any overpayment) and marks the statement paid when its total is
   * covered. Returns null when the source key had already been posted. Runs under `lockForPayment`.
   */
  private async postPayment(
    tx: Tx,
    statement: Statement,
    input: {
      id?: string;
      method: 'stripe' | 'bank_transfer';
      amountFen: Fen;
      paidAt: Date;
      reference: string;
      sourceKey: string;
      recordedBy: string | null;
      overpaymentFen: Fen;
      overpaymentReason: string | null;
    },
  ): Promise<StatementPayment | null> {
    const towardsStatement = input.amountFen - input.overpaymentFen;
    const journal = await postJournal(tx, {
      sourceKey: input.sourceKey,
      kind: 'statement_payment',
      institutionId: statement.institutionId,
      memo: `${statement.period} 结算单付款（${input.method === 'stripe' ? 'Stripe' : '银行转账'} ${input.reference}）${input.overpaymentFen > 0 ? `，多付 ${formatYuan(input.overpaymentFen)}` : ''}`,
      entries: [
        { account: accountNames.cash(input.method), amountFen: input.amountFen },
        ...(towardsStatement > 0 ? [{ account: accountNames.institutionReceivable(statement.institutionId), amountFen: -towardsStatement }] : []),
        ...(input.overpaymentFen > 0 ? [{ account: accountNames.institutionCredit(statement.institutionId), amountFen: -input.overpaymentFen }] : []),
      ],
    });
    if (!journal.posted) return null;
    let payment: StatementPayment;
    try {
      payment = await this.statements.insertPayment(tx, {
        id: input.id ?? newId('pay'),
        statementId: statement.id,
        institutionId: statement.institutionId,
        method: input.method,
        amountFen: input.amountFen,
        paidAt: input.paidAt,
        reference: input.reference,
        referenceKey: paymentReferenceKey(input.reference),
        sourceKey: input.sourceKey,
        journalId: journal.journalId,
        overpaymentFen: input.overpaymentFen,
        overpaymentReason: input.overpaymentReason,
        recordedBy: input.recordedBy,
      });
    } catch (err) {
      // the statement's lock makes this the rare path; the unique index is the last word
      if (sqlState(err) === UNIQUE_VIOLATION) throw duplicateReference({ reference: input.reference });
      throw err;
    }
    const paid = await this.statements.paidTotal(statement.id, tx);
    if (Number(paid) >= statement.totalFen && statement.status !== 'paid') {
      await this.statements.update(tx, statement.id, { status: 'paid', paidAt: input.paidAt });
    }
    return payment;
  }

  // ---- Stripe -------------------------------------------------------------------------------

  /** An operator runs the month close by hand: the run and its outcome are recorded. */
  async closeMonthBy(actor: AuditActor, period: string): Promise<CloseResult> {
    const result = await this.closeMonth(period);
    await this.audit.recordNow(actor, { action: 'statement.close_run', objectType: 'period', objectId: period, detail: { created: result.created.length, existing: result.existing.length } });
    return result;
  }

  /** An institution's staff open one of its statements (the partner API): the view is recorded. */
  async viewForInstitution(actor: AuditActor, institutionId: string, statementId: string): Promise<StatementDetail> {
    const statement = await this.detail(statementId, { institutionId });
    await this.audit.recordNow(actor, { action: 'statement.viewed', objectType: 'statement', objectId: statement.id });
    return statement;
  }

  /** An institution's staff download one of its statements: the download is recorded. */
  async downloadForInstitution(actor: AuditActor, institutionId: string, statementId: string): Promise<StatementDetail> {
    const statement = await this.detail(statementId, { institutionId });
    await this.audit.recordNow(actor, { action: 'statement.downloaded', objectType: 'statement', objectId: statement.id, detail: { period: statement.period } });
    return statement;
  }

  /** An operator exports receivables (finance overview) or the statement list: the export is recorded. */
  async exportReceivables(actor: AuditActor): Promise<Awaited<ReturnType<StatementsService['financeOverview']>>> {
    const overview = await this.financeOverview();
    await this.audit.recordNow(actor, { action: 'finance.exported', objectType: 'finance', objectId: 'receivables' });
    return overview;
  }

  async exportStatements(actor: AuditActor): Promise<StatementSummary[]> {
    const all = await this.list();
    await this.audit.recordNow(actor, { action: 'finance.exported', objectType: 'finance', objectId: 'statements' });
    return all;
  }

  /** Starts a Stripe Checkout for what is outstanding on an issued statement (CNY, fen); the start is recorded. */
  async startCheckout(institutionId: string, statementId: string, urls: { successUrl: string; cancelUrl: string }, actor: AuditActor): Promise<{ url: string }> {
    if (!this.gateway) throw new ConflictError('stripe_not_configured', '在线支付未开通，请通过银行转账付款');
    const statement = await this.detail(statementId, { institutionId });
    if (statement.status === 'paid') throw new ConflictError('statement_paid', '结算单已付清');
    if (statement.outstandingFen <= 0) throw new ConflictError('nothing_due', '没有应付金额');
    const session = await this.gateway.createCheckout({
      statementId,
      amountFen: statement.outstandingFen,
      description: `${statement.institutionName} ${statement.period} 佣金结算单`,
      successUrl: urls.successUrl,
      cancelUrl: urls.cancelUrl,
      // one Checkout per statement and amount: a double click or a retry gets the same session
      idempotencyKey: `statement:${statementId}:${statement.outstandingFen}`,
    });
    await this.audit.recordNow(actor, { action: 'statement.checkout_started', objectType: 'statement', objectId: statementId });
    return { url: session.url };
  }

  /**
   * One verified Stripe event, in one transaction: the event id is recorded under a unique
   * constraint (a redelivery is acknowledged without effect), the PaymentIntent's state only moves
   * forward, and a success posts the payment once (`payment:<paymentIntentId>`). Throws on failure
   * so the caller answers 5xx and Stripe retries.
   */
  async handlePaymentEvent(event: PaymentEvent): Promise<'processed' | 'duplicate' | 'ignored'> {
    return withTransaction(this.db, async (tx) => {
      const first = await this.statements.recordStripeEventOnce(tx, { id: event.id, type: event.type, objectId: event.paymentIntent?.id ?? null });
      if (!first) return 'duplicate' as const;
      const intent = event.paymentIntent;
      if (!intent || !event.type.startsWith('payment_intent.') || !intent.statementId) return 'ignored' as const;
      await this.applyIntent(tx, { ...intent, status: statusOfEvent(event.type, intent.status) });
      return 'processed' as const;
    });
  }

  private async applyIntent(tx: Tx, intent: PaymentIntentInfo): Promise<boolean> {
    const statementId = intent.statementId!;
    if (!(await this.statements.exists(statementId, tx))) return false;
    const current = await this.statements.lockPaymentIntent(tx, intent.id);
    const status = laterStatus(current?.status, intent.status);
    await this.statements.savePaymentIntent(tx, { id: intent.id, statementId, status, amountFen: intent.amountFen, updatedAt: this.clock.now() });
    if (status !== 'succeeded' || intent.currency.toLowerCase() !== 'cny') return false;
    const { statement: locked, outstandingFen } = await this.lockForPayment(tx, statementId);
    const amountFen = intent.amountReceivedFen || intent.amountFen;
    // the money has arrived: what exceeds the statement (paid meanwhile by bank transfer) is kept as the institution's credit, visibly
    const overpaymentFen = overpaymentOf(amountFen, outstandingFen);
    const payment = await this.postPayment(tx, locked, {
      method: 'stripe',
      amountFen,
      paidAt: this.clock.now(),
      reference: intent.id,
      sourceKey: `payment:${intent.id}`,
      recordedBy: null,
      overpaymentFen,
      overpaymentReason: overpaymentFen > 0 ? `在线支付到账时只剩 ${formatYuan(outstandingFen)} 待付（其余已另行付款）` : null,
    });
    return payment !== null;
  }

  /** The `stripe-reconcile` job: PaymentIntents of the last `days` that succeeded but were never posted (a lost webhook). */
  async reconcileStripe(now: Date, days = 3): Promise<{ checked: number; fixed: string[] }> {
    if (!this.gateway) return { checked: 0, fixed: [] };
    const intents = await this.gateway.recentPaymentIntents(new Date(now.getTime() - days * 86_400_000));
    const fixed: string[] = [];
    for (const intent of intents) {
      if (intent.status !== 'succeeded' || !intent.statementId) continue;
      const posted = await withTransaction(this.db, (tx) => this.applyIntent(tx, intent));
      if (posted) fixed.push(intent.id);
    }
    return { checked: intents.length, fixed };
  }

  // ---- accrued, not yet billed ---------------------------------------------------------------

  /**
   * What an institution owes that no statement it can see carries yet: accruals, reversals and
   * adjustments not on a line of an issued statement (a draft is not shown to the institution,
   * so its lines still count here). Split into the current Asia/Shanghai month, which the next
   * close bills, and earlier months still waiting for finance to issue or close them.
   */
  async unbilled(institutionId: string, now = this.clock.now()): Promise<UnbilledCommission> {
    await drainAccruals(this.db, { wait: true });
    const rows = await this.statements.unbilledByMonth(institutionId);
    const period = shanghaiMonth(now);
    const sum = (pick: (month: string) => boolean, field: 'amount' | 'items') => rows.filter((r) => pick(r.month)).reduce((n, r) => n + Number(r[field]), 0);
    return {
      period,
      currentFen: sum((m) => m === period, 'amount'),
      currentItems: sum((m) => m === period, 'items'),
      earlierFen: sum((m) => m < period, 'amount'),
      earlierItems: sum((m) => m < period, 'items'),
      totalFen: sum(() => true, 'amount'),
      nextCloseOn: `${periodAfter(period)}-01`,
    };
  }

  // ---- finance overview ---------------------------------------------------------------------

  /** Receivables per institution, ageing of what is outstanding, status counts, collected this month. */
  async financeOverview(now = this.clock.now()) {
    await drainAccruals(this.db, { wait: true });
    const all = await this.list({}, now);
    const balances = await this.ledger.institutionBalances();
    const names = await this.statements.institutionNames();
    const emptyAgeing = () => Object.fromEntries(ageingBuckets.map((b) => [b, 0])) as Record<AgeingBucket, Fen>;
    const byInstitution = names.map((i) => {
      const open = all.filter((s) => s.institutionId === i.id && s.status !== 'draft' && s.outstandingFen > 0);
      const ageing = emptyAgeing();
      for (const s of open) ageing[ageingBucket(s.dueDate, now)] += s.outstandingFen;
      const billed = open.reduce((n, s) => n + s.outstandingFen, 0);
      const balance = Number(balances.find((b) => b.account === accountNames.institutionReceivable(i.id))?.total ?? 0);
      // overpayments: a credit balance the platform owes the institution back (or sets against a later statement)
      const creditFen = -Number(balances.find((b) => b.account === accountNames.institutionCredit(i.id))?.total ?? 0);
      return { institutionId: i.id, institutionName: i.name, balanceFen: balance, billedOutstandingFen: billed, unbilledFen: balance - billed, creditFen, ageing };
    });
    const ageing = emptyAgeing();
    for (const row of byInstitution) for (const b of ageingBuckets) ageing[b] += row.ageing[b];
    const statusCounts: Record<ShownStatus, number> = { draft: 0, issued: 0, disputed: 0, paid: 0, overdue: 0 };
    for (const s of all) statusCounts[s.shown] += 1;
    const month = shanghaiMonth(now);
    const payments = await this.statements.collectedByMonth();
    const collectedThisMonthFen = Number(payments.find((p) => p.month === month)?.total ?? 0);
    return {
      byInstitution: byInstitution.filter((r) => r.balanceFen !== 0 || r.billedOutstandingFen !== 0 || r.creditFen !== 0),
      overpaid: all.filter((s) => s.overpaidFen > 0),
      ageing,
      statusCounts,
      collectedThisMonthFen,
      collectedByMonth: payments.slice(-12).map((p) => ({ month: p.month, amountFen: Number(p.total) })),
      statements: all,
      today: shanghaiDate(now),
    };
  }
}

function duplicateReference(payment: { reference: string; amountFen?: Fen; paidAt?: Date }): ConflictError {
  const what = payment.amountFen !== undefined ? `（${formatYuan(payment.amountFen)}）` : '';
  return new ConflictError('payment_reference_duplicate', `该结算单已登记过流水号 ${payment.reference}${what}`, {
    reference: `流水号 ${payment.reference} 已登记在这张结算单上${what}，同一笔转账不能登记两次`,
  });
}
