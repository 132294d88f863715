import type { Tx } from '../../lib/tx';
import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ConflictError, ValidationError } from '../../lib/errors';
import { withTransaction } from '../../lib/tx';
import type { AccountsService } from '../accounts';
import { isTerminal, type ApplicationsService } from '../applications';
import type { AuditActor, AuditService } from '../audit';
import type { ConsentsService } from '../consents';
import type { CreditService } from '../credit';
import type { IdentityService } from '../identity';
import type { NotificationsService } from '../notifications';
import type { ComplaintsService, FeedbackService, ReviewsService } from '../feedback';
import type { DeskService } from '../desk';
import type { LoansService } from '../loans';
import { approveErasure, eraseWhatTheyWrote, erasureRequestsList, rejectErasure, requestErasure } from './erasure';

export interface DataRightsDeps {
  db: Database;
  clock: Clock;
  accounts: AccountsService;
  identity: IdentityService;
  credit: CreditService;
  consents: ConsentsService;
  applications: ApplicationsService;
  notifications: NotificationsService;
  audit: AuditService;
  /** the facts the odds model recorded at each application go with the profile */
  odds?: { eraseFacts(tx: Tx, consumerId: string): Promise<void> };
  /** the loans taken through the platform, with their schedules and repayments (exported, never erased: the institution's record) */
  loans: Pick<LoansService, 'listForConsumer' | 'getForConsumer'>;
  /** what the borrower wrote to the platform: feedback, complaints, reviews, desk conversations (exported, then erased or anonymised) */
  feedback: Pick<FeedbackService, 'eraseConsumer' | 'listForConsumer'>;
  complaints: Pick<ComplaintsService, 'anonymiseConsumer' | 'listForConsumer' | 'getForConsumer'>;
  reviews: Pick<ReviewsService, 'anonymiseAuthor' | 'listForConsumer'>;
  desk: Pick<DeskService, 'eraseParty' | 'listForParty' | 'getForParty'>;
}

/** Everything the platform holds about a consumer, in their own hands (data portability). Audited. */
export async function exportConsumerData(deps: DataRightsDeps, accountId: string, actor: AuditActor) {
  const identitySummary = await deps.identity.summary(accountId);
  const identity = identitySummary.verified ? await deps.identity.reveal(accountId, actor, 'data export') : null;
  const party = { kind: 'consumer', consumerId: accountId } as const;
  const [phone, profile, contact, applications, consents, notifications, creditAssessments, loans, complaints, reviews, feedback, conversations] = await Promise.all([
    deps.accounts.phoneOf(accountId),
    deps.accounts.profile(accountId),
    deps.accounts.contactPreferences(accountId),
    deps.applications.listForConsumer(accountId),
    deps.consents.forConsumer(accountId),
    deps.notifications.list(accountId, 500),
    deps.credit.exportFor(accountId),
    deps.loans.listForConsumer(accountId),
    deps.complaints.listForConsumer(accountId),
    deps.reviews.listForConsumer(accountId),
    deps.feedback.listForConsumer(accountId),
    deps.desk.listForParty(party),
  ]);
  const [detailed, loanDetails, complaintDetails, threads] = await Promise.all([
    Promise.all(applications.map((a) => deps.applications.getForConsumer(accountId, a.id))),
    Promise.all(loans.map((l) => deps.loans.getForConsumer(accountId, l.id))),
    Promise.all(complaints.map((c) => deps.complaints.getForConsumer(accountId, c.id))),
    Promise.all(conversations.map((c) => deps.desk.getForParty(party, c.id))),
  ]);
  await deps.audit.recordNow(actor, { action: 'account.exported', objectType: 'account', objectId: accountId });
  return {
    exportedAt: deps.clock.now().toISOString(),
    account: { id: accountId, phone },
    identity: identity ? { ...identity, verifiedAt: identitySummary.verifiedAt } : null,
    profile: {
      age: profile.age,
      city: profile.city,
      employment: profile.employment,
      monthlyIncome: profile.monthlyIncomeFen === null ? null : profile.monthlyIncomeFen / 100,
      housing: profile.housing,
      monthlyDebt: profile.monthlyDebtFen === null ? null : profile.monthlyDebtFen / 100,
      creditSelfAssessment: profile.creditSelfAssessment,
    },
    contactPreferences: contact,
    creditAssessments: creditAssessments.map(({ answers: { monthlyIncomeFen, monthlyDebtFen, ...answers }, ...c }) => ({
      score: c.score,
      band: c.band,
      source: c.source,
      at: c.at,
      answers: { ...answers, monthlyIncome: monthlyIncomeFen / 100, monthlyDebt: monthlyDebtFen / 100 },
    })),
    applications: detailed.map((a) => ({
      id: a.id,
      product: a.productName,
      institution: a.institutionName,
      amount: a.amountFen / 100,
      termMonths: a.termMonths,
      purpose: a.purpose,
      status: a.status,
      createdAt: a.createdAt,
      timeline: a.events.map((e) => ({ status: e.toStatus, at: e.createdAt, note: e.note })),
    })),
    consents: consents.map((c) => ({
      institution: c.institutionName,
      purpose: c.purpose,
      fields: c.fields,
      grantedAt: c.grantedAt,
      withdrawnAt: c.withdrawnAt,
      releases: c.releases.map((r) => ({ fields: r.fields, channel: r.channel, at: r.releasedAt })),
    })),
    loans: loanDetails.map((l) => ({
      id: l.id,
      applicationId: l.applicationId,
      product: l.productName,
      institution: l.institutionName,
      principal: l.principalFen / 100,
      annualRate: l.annualRate,
      termMonths: l.termMonths,
      method: l.methodLabel,
      status: l.statusLabel,
      disbursedAt: l.disbursedAt,
      scheduleVersion: l.scheduleVersion,
      instalments: l.instalments.map((i) => ({
        period: i.period,
        dueDate: i.dueDate,
        amount: i.amountFen / 100,
        paid: i.paidFen / 100,
        status: i.statusLabel,
      })),
      repayments: l.repayments.map((r) => ({ transactionId: r.transactionId, amount: r.amountFen / 100, paidAt: r.paidAt })),
    })),
    complaints: complaintDetails.map((c) => ({
      id: c.id,
      category: c.categoryLabel,
      subject: c.subject,
      description: c.description,
      institution: c.institutionName,
      status: c.statusLabel,
      createdAt: c.createdAt,
      timeline: c.events.map((e) => ({ by: e.actorLabel, status: e.toLabel, body: e.body, at: e.createdAt })),
    })),
    reviews: reviews.map((r) => ({ product: r.productName, institution: r.institutionName, rating: r.rating, body: r.body, status: r.statusLabel, at: r.createdAt })),
    feedback: feedback.map((f) => ({ category: f.categoryLabel, body: f.body, page: f.pagePath, status: f.statusLabel, answer: f.answer, answeredAt: f.answeredAt, at: f.createdAt })),
    conversations: threads.map((c) => ({
      number: c.number,
      group: c.groupName,
      status: c.statusLabel,
      createdAt: c.createdAt,
      closedAt: c.closedAt,
      rating: c.rating,
      messages: c.messages.map((m) => ({ by: m.authorLabel, body: m.body, at: m.createdAt })),
    })),
    notifications: notifications.map((n) => ({ title: n.title, body: n.body, at: n.createdAt })),
  };
}

/**
 * Closes a consumer's account: needs the password and no application still in progress.
 * Every consent is withdrawn (institutions see nothing more), identity, profile and credit assessments are erased,
 * what they wrote to the platform is erased or anonymised (`eraseWhatTheyWrote`), the login is
 * freed and every session ends, in one transaction.
 */
export async function closeConsumerAccount(deps: DataRightsDeps, accountId: string, password: string, actor: AuditActor): Promise<void> {
  if (!(await deps.accounts.checkPassword(accountId, password))) {
    throw new ValidationError('密码不正确', { password: '密码不正确' });
  }
  const open = (await deps.applications.listForConsumer(accountId)).filter((a) => !isTerminal(a.status));
  if (open.length) {
    throw new ConflictError('applications_open', '还有进行中的申请', { applications: `还有 ${open.length} 份申请正在审核，请先撤回或等待结果` });
  }
  const erased = await withTransaction(deps.db, async (tx) => {
    await deps.consents.withdrawAll(tx, accountId);
    await deps.identity.erase(tx, accountId);
    await deps.credit.erase(tx, accountId);
    const written = await eraseWhatTheyWrote(deps, tx, accountId);
    await deps.accounts.close(tx, accountId);
    await deps.audit.record(actor, { action: 'account.closed', objectType: 'account', objectId: accountId, detail: written.counts }, tx);
    return written;
  });
  await erased.deleteFiles();
}

/** Data rights of a consumer: export everything, close the account; erasure on an operator's request, approved by a second operator. */
export class DataRightsService {
  constructor(private readonly deps: DataRightsDeps) {}
  requestErasure(accountId: string, reason: string, actor: AuditActor) {
    return requestErasure(this.deps, accountId, reason, actor);
  }
  approveErasure(id: string, actor: AuditActor) {
    return approveErasure(this.deps, id, actor);
  }
  rejectErasure(id: string, note: string, actor: AuditActor) {
    return rejectErasure(this.deps, id, note, actor);
  }
  erasureRequests(limit?: number) {
    return erasureRequestsList(this.deps, limit);
  }
  export(accountId: string, actor: AuditActor) {
    return exportConsumerData(this.deps, accountId, actor);
  }
  close(accountId: string, password: string, actor: AuditActor) {
    return closeConsumerAccount(this.deps, accountId, password, actor);
  }
}
