import type { Database } from '../../db/client';
import { formatYuan } from '../../lib/money';
import { shanghaiDate, shanghaiDayEnd } from '../../lib/shanghai-date';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import type { AccountsService } from '../accounts';
import type { NotificationsService, SmsTemplate } from '../notifications';
import type { RiskService } from '../risk';
import type { SettingsService } from '../settings';
import { addDays, daysBetween, owedOn, statusOf, type InstalmentState } from './allocation';
import { CollectionsRepository } from './collections.repository';
import { LoansRepository } from './loans.repository';
import { PostLoanRepository, type InstalmentRow, type LoanRow } from './post-loan.repository';
import { ageBucketOf, ageBuckets, ageBucketLabels, overdueStageLabels, reminderOffsetFor, stagesReached, type AgeBucket, type OverdueStage, type OverdueStageDays } from './stages';

const state = (i: InstalmentRow): InstalmentState => ({
  period: i.period,
  dueDate: i.dueDate,
  principalFen: i.principalFen,
  interestFen: i.interestFen,
  feeFen: i.feeFen,
  paidPrincipalFen: i.paidPrincipalFen,
  paidInterestFen: i.paidInterestFen,
  paidFeeFen: i.paidFeeFen,
  waivedInterestFen: i.waivedInterestFen,
  waivedFeeFen: i.waivedFeeFen,
});

export interface OverdueRates {
  /** instalments that fell due in the window, and how many went overdue (unpaid past due or paid late) */
  due: number;
  overdue: number;
  rate: number;
}

/**
 * 展期 / 重新安排 on the overdue pages: loans on a changed schedule that are overdue now (with
 * their schedule version), and how many changes borrowers accepted in the page's period.
 */
export interface RescheduledOverdue {
  loans: { loanId: string; institutionName: string; productName: string; version: number; kind: 'extension' | 'restructure'; kindLabel: string; daysOverdue: number; overdueFen: number }[];
  /** changes accepted since `since` (Asia/Shanghai date), by kind */
  extensions: number;
  restructures: number;
  since: string;
}

export interface MonitoringBoard {
  byProduct: { productId: string; productName: string; loans: number; overdueFen: number; buckets: Record<AgeBucket, number> }[];
  buckets: { bucket: AgeBucket; label: string; loans: number; overdueFen: number }[];
  totalOverdueFen: number;
  current: OverdueRates;
  previous: OverdueRates;
  /** the overdue rate of the last 30 days is above that of the 30 days before */
  alert: boolean;
  /** loans on a changed schedule overdue now; changes accepted in the last 30 days */
  rescheduled: RescheduledOverdue;
}

export interface OverdueReportRow {
  key: string;
  label: string;
  due: number;
  overdue: number;
  rate: number;
  overdueFen: number;
}

export interface OverdueReport {
  byInstitution: OverdueReportRow[];
  byProduct: OverdueReportRow[];
  byRegion: OverdueReportRow[];
  byMonth: OverdueReportRow[];
  /** loans on a changed schedule overdue now; changes accepted since the period's first day */
  rescheduled: RescheduledOverdue;
}

export interface PostLoanServiceDeps {
  audit: AuditService;
  db: Database;
  notifications: NotificationsService;
  accounts: AccountsService;
  settings: SettingsService;
  risk: RiskService;
}

/**
 * The scheduled post-loan work (reminders before due dates, overdue staging, promises to pay)
 * and the monitoring numbers institutions and operators see.
 */
export class PostLoanService {
  private readonly postLoan: PostLoanRepository;
  private readonly loans: LoansRepository;
  private readonly cases: CollectionsRepository;

  constructor(private readonly deps: PostLoanServiceDeps) {
    this.postLoan = new PostLoanRepository(deps.db);
    this.loans = new LoansRepository(deps.db);
    this.cases = new CollectionsRepository(deps.db);
  }

  /** An SMS when the consumer allows SMS, held until their quiet hours end. */
  private sms(consumerId: string, template: SmsTemplate, body: string, now: Date): Promise<boolean> {
    return this.deps.accounts.textConsumer(consumerId, template, body, now);
  }

  /**
   * Reminders 7, 3 and 1 days before each unpaid instalment falls due: in-app always, SMS where
   * allowed (never inside quiet hours: held until they end); each once per instalment and offset.
   */
  async sendReminders(now: Date): Promise<number> {
    const today = shanghaiDate(now);
    const rows = await this.postLoan.unpaidDueBetween(addDays(today, 1), addDays(today, 7));
    let sent = 0;
    for (const { i, consumerId, productName } of rows) {
      const offset = reminderOffsetFor(i.dueDate, today);
      if (offset === null) continue;
      const owed = owedOn(state(i)).totalFen;
      if (owed <= 0) continue;
      const first = await withTransaction(this.deps.db, (tx) => this.postLoan.recordNoticeOnce(tx, { key: `reminder:${i.id}:${offset}`, loanId: i.loanId, kind: `reminder_${offset}` }));
      if (!first) continue;
      const body = `你的${productName}第 ${i.period} 期将于 ${i.dueDate} 到期，应还 ${formatYuan(owed)}，请按时还款。`;
      await this.deps.notifications.notify(consumerId, { kind: 'loan.reminder', title: `${offset} 天后还款`, body, link: `/account/loans/${i.loanId}` });
      await this.sms(consumerId, `loan.reminder_${offset}`, `【贷超】${body}`, now);
      sent += 1;
    }
    return sent;
  }

  async stageDays(): Promise<OverdueStageDays> {
    return {
      reminder: await this.deps.settings.get('overdue.reminderDay'),
      call: await this.deps.settings.get('overdue.callTaskDay'),
      collection: await this.deps.settings.get('overdue.collectionDay'),
      escalated: await this.deps.settings.get('overdue.escalationDay'),
    };
  }

  /**
   * Overdue staging, as of `now`: unpaid past-due instalments become overdue; each loan moves
   * through the stages its oldest overdue instalment has reached (day 1 a reminder to the
   * consumer, day 3 a call task for the institution, day 7 a collection case, day 30
   * escalation; days set by operators), each action once per overdue episode; the consumer gets
   * a risk flag; promises to pay are judged kept or broken.
   */
  async stageOverdue(now: Date): Promise<{ marked: number; actions: number; promises: number }> {
    const today = shanghaiDate(now);
    const marked = await withTransaction(this.deps.db, (tx) => this.postLoan.markPastDueOverdue(tx, today));
    const thresholds = await this.stageDays();
    const rows = await this.postLoan.overdueOfActiveLoans();
    // the oldest overdue instalment of each loan names the episode
    const oldest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) if (!oldest.has(r.loan.id) && owedOn(state(r.i)).totalFen > 0) oldest.set(r.loan.id, r);
    let actions = 0;
    for (const { i, loan, productName } of oldest.values()) {
      const days = daysBetween(i.dueDate, today);
      const reached = stagesReached(days, thresholds);
      for (const stage of reached) {
        const done = await withTransaction(this.deps.db, async (tx) => {
          if (!(await this.postLoan.recordNoticeOnce(tx, { key: `overdue:${loan.id}:${i.id}:${stage}`, loanId: loan.id, kind: `overdue_${stage}` }))) return false;
          await this.act(tx, stage, loan, productName, i, days, now);
          await this.loans.update(tx, loan.id, { overdueStage: stage, updatedAt: now });
          return true;
        });
        if (!done) continue;
        actions += 1;
        if (stage === 'reminder') {
          await this.sms(loan.consumerId, 'loan.overdue', `【贷超】你的${productName}第 ${i.period} 期已逾期 ${days} 天，请尽快还款，以免影响信用。`, now);
        }
        await this.deps.risk.flagOverdue(loan.consumerId, { loanId: loan.id, days, stage });
      }
    }
    const promises = await this.evaluatePromises(now);
    return { marked, actions, promises };
  }

  private async act(tx: Tx, stage: OverdueStage, loan: LoanRow, productName: string, i: InstalmentRow, days: number, now: Date): Promise<void> {
    if (stage === 'reminder') {
      await this.deps.notifications.notify(
        loan.consumerId,
        { kind: 'loan.overdue', title: `${productName}已逾期`, body: `第 ${i.period} 期（${i.dueDate} 到期）已逾期 ${days} 天，请尽快还款。`, link: `/account/loans/${loan.id}` },
        tx,
      );
      return;
    }
    const caseStage = stage === 'call' ? 'call' : stage === 'collection' ? 'collection' : 'escalated';
    const open = await this.cases.openCaseIdOf(loan.id, tx);
    if (open) await this.cases.update(tx, open, { stage: caseStage });
    else await this.cases.openOnce(tx, { id: `col_${loan.id.slice(5)}_${i.id}`, loanId: loan.id, institutionId: loan.institutionId, stage: caseStage, openedAt: now });
  }

  /** Promises due before today are kept when repayments since the promise reach the amount by the promised day; otherwise broken. */
  async evaluatePromises(now: Date): Promise<number> {
    const today = shanghaiDate(now);
    const pending = await this.cases.pendingPromises();
    let judged = 0;
    for (const p of pending) {
      const paid = await this.loans.repaidSince(p.loanId, p.createdAt, shanghaiDayEnd(p.promisedDate));
      const kept = Number(paid) >= p.amountFen;
      if (!kept && p.promisedDate >= today) continue;
      await withTransaction(this.deps.db, (tx) => this.cases.judgePromise(tx, p.id, kept ? 'kept' : 'broken', now));
      judged += 1;
    }
    return judged;
  }

  // ── monitoring ───────────────────────────────────────────────────────────────────────────

  /** Instalments due in [from, to) and how many went overdue: unpaid after the due date, or paid after it. */
  private async rates(fromDate: string, toDate: string, institutionId?: string): Promise<OverdueRates> {
    const row = await this.postLoan.dueAndOverdue(fromDate, toDate, institutionId);
    const due = row?.due ?? 0;
    const overdue = row?.overdue ?? 0;
    return { due, overdue, rate: due === 0 ? 0 : overdue / due };
  }

  /** The institution's post-loan board: overdue by product and age bucket, and the 30-day overdue rate against the 30 days before. */
  async monitoring(institutionId: string, now: Date): Promise<MonitoringBoard> {
    const today = shanghaiDate(now);
    const rows = await this.postLoan.unpaidPastDue(institutionId, today);
    // one row per overdue loan: bucketed by its oldest overdue instalment, amount = everything overdue
    const perLoan = new Map<string, { productId: string; productName: string; days: number; fen: number }>();
    for (const r of rows) {
      const s = state(r.i);
      if (statusOf(s, today) !== 'overdue') continue;
      const entry = perLoan.get(r.i.loanId) ?? { productId: r.productId, productName: r.productName, days: daysBetween(r.i.dueDate, today), fen: 0 };
      entry.fen += owedOn(s).totalFen;
      perLoan.set(r.i.loanId, entry);
    }
    const empty = () => Object.fromEntries(ageBuckets.map((b) => [b, 0])) as Record<AgeBucket, number>;
    const byProduct = new Map<string, MonitoringBoard['byProduct'][number]>();
    const buckets = new Map(ageBuckets.map((b) => [b, { bucket: b, label: ageBucketLabels[b], loans: 0, overdueFen: 0 }]));
    for (const l of perLoan.values()) {
      const bucket = ageBucketOf(l.days)!;
      const p = byProduct.get(l.productId) ?? { productId: l.productId, productName: l.productName, loans: 0, overdueFen: 0, buckets: empty() };
      p.loans += 1;
      p.overdueFen += l.fen;
      p.buckets[bucket] += l.fen;
      byProduct.set(l.productId, p);
      const b = buckets.get(bucket)!;
      b.loans += 1;
      b.overdueFen += l.fen;
    }
    const current = await this.rates(addDays(today, -30), today, institutionId);
    const previous = await this.rates(addDays(today, -60), addDays(today, -30), institutionId);
    const rescheduled = await this.rescheduled({ institutionId }, today, addDays(today, -30));
    return {
      rescheduled,
      byProduct: [...byProduct.values()].sort((a, b) => b.overdueFen - a.overdueFen),
      buckets: [...buckets.values()],
      totalOverdueFen: [...perLoan.values()].reduce((s, l) => s + l.fen, 0),
      current,
      previous,
      alert: current.due > 0 && current.rate > previous.rate,
    };
  }

  /** Loans on a changed schedule overdue on `today`, and the changes accepted since the Asia/Shanghai day `since`. */
  private async rescheduled(scope: { institutionId?: string }, today: string, since: string): Promise<RescheduledOverdue> {
    const found = await this.postLoan.rescheduledOverdue(scope, today, new Date(`${since}T00:00:00+08:00`));
    return {
      loans: found.loans.map((l) => ({ ...l, kindLabel: l.kind === 'extension' ? '展期' : '重新安排', daysOverdue: daysBetween(l.oldestDue, today) })),
      extensions: found.accepted.extension,
      restructures: found.accepted.restructure,
      since,
    };
  }

  /** Operators: overdue rates of instalments that fell due in the last `months` months, by institution, product, region and month. */
  /** An operator looks at the overdue analysis: the look is recorded. */
  async overdueReportForOperator(actor: AuditActor, now: Date, months = 6): Promise<OverdueReport> {
    const report = await this.overdueReport(now, months);
    await this.deps.audit.recordNow(actor, { action: 'loans.overdue_report_viewed', objectType: 'report', objectId: 'loans.overdue', detail: { months } });
    return report;
  }

  async overdueReport(now: Date, months = 6): Promise<OverdueReport> {
    const today = shanghaiDate(now);
    const from = `${today.slice(0, 7)}-01`;
    const start = addDays(from, -31 * (months - 1)).slice(0, 7) + '-01';
    const groups = { institution: [] as OverdueReportRow[], product: [] as OverdueReportRow[], region: [] as OverdueReportRow[], month: [] as OverdueReportRow[] };
    for (const r of await this.postLoan.overdueReportGroups(start, today)) groups[r.dim].push({ key: r.key, label: r.label, due: r.due, overdue: r.overdue, rate: 0, overdueFen: r.overdueFen });
    const done = (rows: OverdueReportRow[]) => rows.map((r) => ({ ...r, rate: r.due === 0 ? 0 : r.overdue / r.due }));
    const rescheduled = await this.rescheduled({}, today, start);
    return {
      rescheduled,
      byInstitution: done(groups.institution).sort((a, b) => b.rate - a.rate),
      byProduct: done(groups.product).sort((a, b) => b.rate - a.rate),
      byRegion: done(groups.region).sort((a, b) => b.rate - a.rate),
      byMonth: done(groups.month).sort((a, b) => a.key.localeCompare(b.key)),
    };
  }
}

export { overdueStageLabels };
