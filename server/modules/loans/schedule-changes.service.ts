import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { formatRate, formatYuan } from '../../lib/money';
import { shanghaiDate } from '../../lib/shanghai-date';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import type { NotificationsService } from '../notifications';
import { InvalidLoanTermsError, type RepaymentMethod } from '../pricing';
import { statusOf, type InstalmentState } from './allocation';
import { CollectionsRepository } from './collections.repository';
import { LoansRepository, type InstalmentRow, type LoanRow } from './loans.repository';
import { toState } from './loans.service';
import { periodsRemaining, reschedule, type Rescheduled } from './reschedule';
import { ScheduleChangesRepository, type ScheduleChangeRow, type ScheduleVersionRow } from './schedule-changes.repository';
import type { ScheduleChangeKind, ScheduleChangeStatus, ScheduleVersionLine } from './schedule-changes.schema';

export const scheduleChangeKindLabels: Record<ScheduleChangeKind, string> = { extension: '展期', restructure: '重新安排还款计划' };
export const scheduleChangeStatusLabels: Record<ScheduleChangeStatus, string> = {
  requested: '待机构处理',
  offered: '机构已提出新计划，待你确认',
  accepted: '已生效',
  declined: '机构已拒绝',
  withdrawn: '已撤回',
  expired: '新计划未在有效期内确认，已失效',
};
/**
 * How long an offered schedule waits for the borrower: after this many days unanswered it expires
 * (the loan-schedule-offers job, and an acceptance after it is refused), the loan keeps its
 * schedule and the borrower may ask again.
 */
export const SCHEDULE_OFFER_VALID_DAYS = 7;
const offerExpiry = (offeredAt: Date) => new Date(offeredAt.getTime() + SCHEDULE_OFFER_VALID_DAYS * 86_400_000);

/** The highest all-in APR a new schedule may cost, as for any offer on the platform. */
export const RESCHEDULE_APR_CAP = 0.36;

export type ScheduleChangeRequest = { kind: 'extension'; extraPeriods: number; reason: string } | { kind: 'restructure'; termMonths: number; reason: string };

export interface ScheduleChangeOffer {
  /** periods over which the outstanding principal is spread */
  termMonths: number;
  /** nominal annual rate, fraction as a decimal string */
  annualRate: string;
  /** one-off fee for the change, fen */
  feeFen: number;
}

export interface ScheduleChangeView {
  id: string;
  loanId: string;
  productName?: string;
  kind: ScheduleChangeKind;
  kindLabel: string;
  extraPeriods: number | null;
  requestedTermMonths: number | null;
  reason: string;
  status: ScheduleChangeStatus;
  statusLabel: string;
  offer: {
    termMonths: number;
    annualRate: string;
    feeFen: number;
    apr: string;
    lines: ScheduleVersionLine[];
    totalFen: number;
    offeredAt: Date;
    /** the borrower must accept before this; then the offer expires */
    expiresAt: Date;
  } | null;
  declineReason: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

export interface ScheduleVersionView {
  version: number;
  kind: ScheduleVersionRow['kind'];
  kindLabel: string;
  annualRate: string;
  lines: ScheduleVersionLine[];
  createdAt: Date;
  supersededAt: Date | null;
  current: boolean;
}

export interface ScheduleChangesServiceDeps {
  clock: Clock;
  db: Database;
  notifications: NotificationsService;
  audit: AuditService;
}


const lineOf = (i: InstalmentState): ScheduleVersionLine => ({
  period: i.period,
  dueDate: i.dueDate,
  principalFen: i.principalFen,
  interestFen: i.interestFen,
  feeFen: i.feeFen,
  paidFen: i.paidPrincipalFen + i.paidInterestFen + i.paidFeeFen,
});

/** Field by field: jsonb keeps keys in its own order. */
const sameLines = (a: ScheduleVersionLine[], b: ScheduleVersionLine[]) =>
  a.length === b.length &&
  a.every((l, i) => {
    const o = b[i]!;
    return l.period === o.period && l.dueDate === o.dueDate && l.principalFen === o.principalFen && l.interestFen === o.interestFen && l.feeFen === o.feeFen && l.paidFen === o.paidFen;
  });

/**
 * 展期 and restructuring (重新安排还款计划): the borrower asks with a reason (one open request per
 * loan); the institution offers a new schedule for the outstanding balance (term, rate, any fee,
 * its all-in APR) or declines with a reason; the borrower accepts the offer, and the new schedule
 * becomes the loan's current version, the old one kept as read-only history. Repayments already
 * made stay on their instalments; overdue staging, reminders and collections read the loan's
 * instalments, which are always the current version.
 */
export class ScheduleChangesService {
  private readonly changes: ScheduleChangesRepository;
  private readonly loans: LoansRepository;
  private readonly cases: CollectionsRepository;

  constructor(private readonly deps: ScheduleChangesServiceDeps) {
    this.changes = new ScheduleChangesRepository(deps.db);
    this.loans = new LoansRepository(deps.db);
    this.cases = new CollectionsRepository(deps.db);
  }

  private view(row: ScheduleChangeRow, productName?: string): ScheduleChangeView {
    const lines = row.offeredLines ?? [];
    return {
      id: row.id,
      loanId: row.loanId,
      productName,
      kind: row.kind,
      kindLabel: scheduleChangeKindLabels[row.kind],
      extraPeriods: row.extraPeriods,
      requestedTermMonths: row.requestedTermMonths,
      reason: row.reason,
      status: row.status,
      statusLabel: scheduleChangeStatusLabels[row.status],
      offer:
        row.offeredAt && row.offeredTermMonths && row.offeredAnnualRate && row.offeredApr
          ? {
              termMonths: row.offeredTermMonths,
              annualRate: row.offeredAnnualRate,
              feeFen: row.offeredFeeFen ?? 0,
              apr: row.offeredApr,
              lines,
              totalFen: lines.reduce((s, l) => s + l.principalFen + l.interestFen + l.feeFen - l.paidFen, 0),
              offeredAt: row.offeredAt,
              expiresAt: offerExpiry(row.offeredAt),
            }
          : null,
      declineReason: row.declineReason,
      decidedAt: row.decidedAt,
      createdAt: row.createdAt,
    };
  }

  /** A loan's requests (newest first) and schedule versions (current first). The loan must be the owner's (checked by the caller's read). */
  async historyOf(loanId: string): Promise<{ changes: ScheduleChangeView[]; versions: ScheduleVersionView[] }> {
    const [changes, versions] = await Promise.all([this.changes.ofLoan(loanId), this.changes.versionsOf(loanId)]);
    return {
      changes: changes.map((c) => this.view(c)),
      versions: versions.map((v) => ({
        version: v.version,
        kind: v.kind,
        kindLabel: v.kind === 'original' ? '放款时的计划' : scheduleChangeKindLabels[v.kind],
        annualRate: v.annualRate,
        lines: v.lines,
        createdAt: v.createdAt,
        supersededAt: v.supersededAt,
        current: v.supersededAt === null,
      })),
    };
  }

  /** An institution's requests waiting for it (requested) and offers waiting for the borrower, or the decided ones. */
  async listForInstitution(institutionId: string, open = true): Promise<ScheduleChangeView[]> {
    const rows = await this.changes.listForInstitution(institutionId, open ? ['requested', 'offered'] : ['accepted', 'declined', 'withdrawn', 'expired']);
    return rows.map((r) => this.view(r.change, r.productName));
  }

  // ── the borrower ─────────────────────────────────────────────────────────────────────────

  /** The borrower asks for 展期 or a new schedule on their own active loan; one open request per loan (409). */
  async request(consumerId: string, loanId: string, input: ScheduleChangeRequest, actor: AuditActor): Promise<ScheduleChangeView> {
    const reason = input.reason.trim();
    if (reason.length < 2 || reason.length > 500) throw new ValidationError('申请原因有误', { reason: '请说明原因（2–500 字）' });
    const periods = input.kind === 'extension' ? input.extraPeriods : input.termMonths;
    if (!Number.isInteger(periods) || periods < 1 || periods > (input.kind === 'extension' ? 36 : 360)) {
      throw new ValidationError('期数有误', { [input.kind === 'extension' ? 'extraPeriods' : 'termMonths']: input.kind === 'extension' ? '展期期数须为 1–36' : '期数须为 1–360' });
    }
    const now = this.deps.clock.now();
    const row = await withTransaction(this.deps.db, async (tx) => {
      const loan = await this.loans.lock(tx, loanId, { consumerId });
      if (!loan) throw new NotFoundError('贷款');
      if (loan.status !== 'active') throw new ConflictError('loan_settled', '贷款已结清，无需展期');
      await this.refuseOpen(tx, loanId);
      const states = (await this.loans.instalmentsOf(loanId, tx)).map(toState);
      if (periodsRemaining(states) === 0 || states.every((s) => s.principalFen - s.paidPrincipalFen === 0)) throw new ConflictError('nothing_to_reschedule', '本金已还清，没有可展期的部分');
      const inserted = await this.changes.insert(tx, {
        id: newId('sch'),
        loanId,
        consumerId,
        institutionId: loan.institutionId,
        kind: input.kind,
        extraPeriods: input.kind === 'extension' ? input.extraPeriods : null,
        requestedTermMonths: input.kind === 'restructure' ? input.termMonths : null,
        reason,
        createdAt: now,
      });
      await this.deps.audit.record(actor, { action: 'loan.schedule_change_requested', objectType: 'loan', objectId: loanId, detail: { changeId: inserted.id, kind: input.kind, periods } }, tx);
      return inserted;
    });
    return this.view(row);
  }

  private async refuseOpen(tx: Tx, loanId: string): Promise<void> {
    const open = await this.changes.open(loanId, tx);
    if (open) throw new ConflictError('schedule_change_open', '这笔贷款已有一个处理中的展期或重新安排申请', { kind: `已有申请：${scheduleChangeStatusLabels[open.status]}` });
  }

  /**
   * The borrower accepts the institution's offered schedule: it becomes the loan's current
   * version in one transaction (loan row locked). The offer is recomputed from the loan as it is
   * now; if a repayment since the offer changed it, nothing is applied (409) and the institution
   * offers again.
   */
  async accept(consumerId: string, changeId: string, actor: AuditActor): Promise<ScheduleChangeView> {
    const now = this.deps.clock.now();
    const row = await withTransaction(this.deps.db, async (tx) => {
      const change = await this.lockChange(tx, changeId, { consumerId }, ['offered']);
      if (offerExpiry(change.offeredAt!).getTime() <= now.getTime()) {
        throw new ConflictError('schedule_offer_expired', `新的还款计划须在 ${SCHEDULE_OFFER_VALID_DAYS} 天内确认，已过期；如仍需${scheduleChangeKindLabels[change.kind]}，请重新申请`);
      }
      const loan = await this.loans.lock(tx, change.loanId, { consumerId });
      if (!loan) throw new NotFoundError('贷款');
      if (loan.status !== 'active') throw new ConflictError('loan_settled', '贷款已结清，无需展期');
      const rows = await this.loans.instalmentsOf(loan.id, tx);
      const offer = { termMonths: change.offeredTermMonths!, annualRate: change.offeredAnnualRate!, feeFen: change.offeredFeeFen ?? 0 };
      const result = this.compute(loan, rows.map(toState), offer, change.offeredAt!);
      const lines = [...result.kept, ...result.added].map(lineOf);
      if (!sameLines(lines, change.offeredLines ?? [])) {
        throw new ConflictError('schedule_changed', '报价后还款情况有变化，新的还款计划需要机构重新计算，请等待机构重新报价');
      }
      await this.applyVersion(tx, loan, rows, result, change, now);
      await this.changes.update(tx, change.id, { status: 'accepted', decidedBy: actor.id ?? null, decidedAt: now });
      await this.deps.audit.record(actor, { action: 'loan.schedule_change_accepted', objectType: 'loan', objectId: loan.id, detail: { changeId, version: loan.scheduleVersion + 1, apr: change.offeredApr } }, tx);
      await this.deps.notifications.notify(
        consumerId,
        { kind: 'loan.schedule_changed', title: `${scheduleChangeKindLabels[change.kind]}已生效`, body: `新的还款计划已生效，共 ${result.added.length} 期待还，首期 ${result.added[0]!.dueDate} 到期。`, link: `/account/loans/${loan.id}` },
        tx,
      );
      return { ...change, status: 'accepted' as const, decidedAt: now };
    });
    return this.view(row);
  }

  /** The borrower withdraws their request, or turns the offered schedule down; the loan keeps its schedule. */
  async withdraw(consumerId: string, changeId: string, actor: AuditActor): Promise<ScheduleChangeView> {
    const now = this.deps.clock.now();
    const row = await withTransaction(this.deps.db, async (tx) => {
      const change = await this.lockChange(tx, changeId, { consumerId }, ['requested', 'offered']);
      await this.changes.update(tx, change.id, { status: 'withdrawn', decidedBy: actor.id ?? null, decidedAt: now });
      await this.deps.audit.record(actor, { action: 'loan.schedule_change_withdrawn', objectType: 'loan', objectId: change.loanId, detail: { changeId } }, tx);
      return { ...change, status: 'withdrawn' as const, decidedAt: now };
    });
    return this.view(row);
  }

  // ── the institution ──────────────────────────────────────────────────────────────────────

  /**
   * The institution offers a new schedule for a request (or offers again): computed from the
   * outstanding principal with the pricing module's schedule, its all-in APR stated (at most 36%).
   * The borrower is told and decides.
   */
  async offer(institutionId: string, changeId: string, offer: ScheduleChangeOffer, actor: AuditActor): Promise<ScheduleChangeView> {
    const now = this.deps.clock.now();
    const row = await withTransaction(this.deps.db, async (tx) => {
      const change = await this.lockChange(tx, changeId, { institutionId }, ['requested', 'offered']);
      const loan = await this.loans.lock(tx, change.loanId, { institutionId });
      if (!loan) throw new NotFoundError('贷款');
      if (loan.status !== 'active') throw new ConflictError('loan_settled', '贷款已结清，无需展期');
      const result = this.compute(loan, (await this.loans.instalmentsOf(loan.id, tx)).map(toState), offer, now);
      const apr = result.apr.toFixed(6);
      const patch = {
        status: 'offered' as const,
        offeredTermMonths: offer.termMonths,
        offeredAnnualRate: offer.annualRate,
        offeredFeeFen: offer.feeFen,
        offeredApr: apr,
        offeredLines: [...result.kept, ...result.added].map(lineOf),
        offeredAt: now,
        offeredBy: actor.id ?? null,
      };
      await this.changes.update(tx, change.id, patch);
      await this.deps.audit.record(actor, { action: 'loan.schedule_change_offered', objectType: 'loan', objectId: loan.id, detail: { changeId, termMonths: offer.termMonths, annualRate: offer.annualRate, feeFen: offer.feeFen, apr } }, tx);
      await this.deps.notifications.notify(
        change.consumerId,
        {
          kind: 'loan.schedule_change_offered',
          title: `${scheduleChangeKindLabels[change.kind]}：机构已提出新的还款计划`,
          body: `剩余本金 ${formatYuan(result.outstandingPrincipalFen)} 分 ${offer.termMonths} 期，综合年化 ${formatRate(apr)}${offer.feeFen > 0 ? `，手续费 ${formatYuan(offer.feeFen)}` : ''}。确认后生效。`,
          link: `/account/loans/${loan.id}#schedule-change`,
        },
        tx,
      );
      return { ...change, ...patch };
    });
    return this.view(row);
  }

  /** The institution declines a request with a reason; the borrower is told. */
  async decline(institutionId: string, changeId: string, reason: string, actor: AuditActor): Promise<ScheduleChangeView> {
    const text = reason.trim();
    if (text.length < 2 || text.length > 500) throw new ValidationError('拒绝原因有误', { reason: '请填写拒绝原因（2–500 字）' });
    const now = this.deps.clock.now();
    const row = await withTransaction(this.deps.db, async (tx) => {
      const change = await this.lockChange(tx, changeId, { institutionId }, ['requested', 'offered']);
      await this.changes.update(tx, change.id, { status: 'declined', declineReason: text, decidedBy: actor.id ?? null, decidedAt: now });
      await this.deps.audit.record(actor, { action: 'loan.schedule_change_declined', objectType: 'loan', objectId: change.loanId, detail: { changeId, reason: text } }, tx);
      await this.deps.notifications.notify(
        change.consumerId,
        { kind: 'loan.schedule_change_declined', title: `${scheduleChangeKindLabels[change.kind]}申请未获同意`, body: `机构的答复：${text}。原还款计划不变。`, link: `/account/loans/${change.loanId}#schedule-change` },
        tx,
      );
      return { ...change, status: 'declined' as const, declineReason: text, decidedAt: now };
    });
    return this.view(row);
  }

  // ── the expiry job ───────────────────────────────────────────────────────────────────────

  /**
   * Offers left unanswered for SCHEDULE_OFFER_VALID_DAYS expire: each in its own transaction
   * (row locked, still offered and still old), audited, the borrower told they may ask again.
   * Idempotent: a second run at the same instant finds nothing. Returns how many expired.
   */
  async expireOffers(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - SCHEDULE_OFFER_VALID_DAYS * 86_400_000);
    let expired = 0;
    for (const id of await this.changes.offeredBefore(cutoff)) {
      const done = await withTransaction(this.deps.db, async (tx) => {
        const change = await this.changes.lock(tx, id, {});
        if (!change || change.status !== 'offered' || change.offeredAt!.getTime() > cutoff.getTime()) return false;
        await this.changes.update(tx, id, { status: 'expired', decidedAt: now });
        await this.deps.audit.record({ kind: 'system' }, { action: 'loan.schedule_change_expired', objectType: 'loan', objectId: change.loanId, detail: { changeId: id, offeredAt: change.offeredAt!.toISOString() } }, tx);
        await this.deps.notifications.notify(
          change.consumerId,
          {
            kind: 'loan.schedule_change_expired',
            title: `${scheduleChangeKindLabels[change.kind]}：新的还款计划已失效`,
            body: `机构提出的新还款计划未在 ${SCHEDULE_OFFER_VALID_DAYS} 天内确认，已失效，原还款计划不变。如仍需要，可以重新申请。`,
            link: `/account/loans/${change.loanId}#schedule-change`,
          },
          tx,
        );
        return true;
      });
      if (done) expired += 1;
    }
    return expired;
  }

  // ── shared ───────────────────────────────────────────────────────────────────────────────

  private async lockChange(tx: Tx, id: string, owner: { consumerId?: string; institutionId?: string }, allowed: ScheduleChangeStatus[]): Promise<ScheduleChangeRow> {
    const change = await this.changes.lock(tx, id, owner);
    if (!change) throw new NotFoundError('展期申请');
    if (!allowed.includes(change.status)) throw new ConflictError('schedule_change_decided', `该申请${scheduleChangeStatusLabels[change.status]}，不能再操作`);
    return change;
  }

  /** The new schedule for the loan's instalments under the offered terms, from the offer day; refused when it cannot be made or costs more than 36%. */
  private compute(loan: LoanRow, states: InstalmentState[], offer: ScheduleChangeOffer, startDate: Date): Rescheduled {
    if (!Number.isSafeInteger(offer.feeFen) || offer.feeFen < 0) throw new ValidationError('手续费有误', { fee: '手续费不能为负' });
    let result: Rescheduled;
    try {
      result = reschedule(states, { termMonths: offer.termMonths, annualRate: offer.annualRate, method: loan.method as RepaymentMethod, monthlyFeeFen: loan.monthlyFeeFen, changeFeeFen: offer.feeFen, startDate, today: shanghaiDate(startDate) });
    } catch (err) {
      if (err instanceof InvalidLoanTermsError) throw new ValidationError('无法按这些条件生成还款计划', err.fields);
      if (err instanceof RangeError) throw new ConflictError('nothing_to_reschedule', '本金已还清，没有可展期的部分');
      throw err;
    }
    if (result.apr > RESCHEDULE_APR_CAP) {
      throw new ValidationError('新还款计划的综合年化超过 36%', { annualRate: `按这些条件综合年化为 ${(result.apr * 100).toFixed(2)}%，不得超过 36%（含手续费）` });
    }
    return result;
  }

  /** The version swap: the old lines kept, unpaid instalments replaced, the loan's terms and overdue state follow the new version. */
  private async applyVersion(tx: Tx, loan: LoanRow, rows: InstalmentRow[], result: Rescheduled, change: ScheduleChangeRow, now: Date): Promise<void> {
    const version = loan.scheduleVersion + 1;
    await this.changes.replaceVersion(
      tx,
      { loanId: loan.id, version: loan.scheduleVersion, kind: loan.scheduleChange ?? 'original', annualRate: loan.annualRate, lines: rows.map((r) => lineOf(toState(r))), createdAt: loan.disbursedAt, supersededAt: now },
      { loanId: loan.id, version, kind: change.kind, changeId: change.id, annualRate: change.offeredAnnualRate!, lines: [...result.kept, ...result.added].map(lineOf), createdAt: now },
    );
    const keptPeriods = result.kept.map((k) => k.period);
    await this.changes.deleteInstalmentsExcept(tx, loan.id, keptPeriods);
    const today = shanghaiDate(now);
    for (const k of result.kept) {
      const row = rows.find((r) => r.period === k.period)!;
      await this.loans.updateInstalment(tx, row.id, { principalFen: k.principalFen, interestFen: k.interestFen, feeFen: k.feeFen, status: 'paid', paidOffAt: row.paidOffAt ?? now });
    }
    await this.loans.insertInstalments(
      tx,
      result.added.map((a) => ({ loanId: loan.id, period: a.period, dueDate: a.dueDate, principalFen: a.principalFen, interestFen: a.interestFen, feeFen: a.feeFen, status: statusOf(a, today) })),
    );
    await this.loans.update(tx, loan.id, {
      termMonths: result.kept.length + result.added.length,
      annualRate: change.offeredAnnualRate!,
      scheduleVersion: version,
      scheduleChange: change.kind,
      overdueStage: null,
      updatedAt: now,
    });
    await this.cases.closeOpenCasesOf(tx, loan.id, { closedAt: now, outcome: `已${scheduleChangeKindLabels[change.kind]}` });
  }
}
