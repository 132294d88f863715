import type { Database } from '../../db/client';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { formatRate, formatYuan, type Fen } from '../../lib/money';
import { maskName, type PiiCipher } from '../../lib/pii';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import type { NotificationsService, SmsTemplate } from '../notifications';
import type { ConsentsService } from '../consents';
import type { AccountsService, ContactPreferences } from '../accounts';
import type { RiskFlag, RiskService } from '../risk';
import type { LoansService } from '../loans';
import { quietUntil } from '../../lib/quiet-hours';
import type { ApplicantData } from './submission.service';
import { maskIdNumber, maskPhone } from '../../lib/pii';
import { pricingInput, type CatalogueService } from '../catalogue';
import { productSchedule, type ProductPricingInput, type RepaymentMethod } from '../pricing';
import { sourceKeyFor, type PostedCommission, type ReversalResult, type SettlementService } from '../settlement';
import type { ApplicationStatus } from './applications.schema';
import { ApplicationsRepository, type LeadQuery, type ApplicationEvent, type ApplicationInsert, type ApplicationOwner, type ApplicationRow, type ApplicationWithNames } from './applications.repository';
import { canTransition, isTerminal, nextStatuses, rejectReasons, statusLabels, type RejectReason } from './status-machine';
import { DUPLICATE_WINDOW_DAYS } from './precheck';
import { applicationView, withStatusLabel, type ApplicationView } from './application-view';
import { offerTerms, type PricingReason } from './offer-terms';
import { OffersRepository } from './offers.repository';
import { ApprovalReviewsRepository, type ApprovalReviewRow } from './approval-reviews.repository';
import { approvalFromReview, reviewView, storedApproval, type ApprovalReviewView, type StaffRef } from './approval-reviews';
import type { SettingsService } from '../settings';
import type { Clock } from '../../lib/clock';

export type { ApplicationRow, ApplicationEvent };

export type StatusChange =
  | { status: 'reviewing'; note?: string }
  | {
      status: 'approved';
      offeredAmountFen: Fen;
      offeredTermMonths: number;
      /** all-in APR (综合年化), fraction as a decimal string */
      offeredApr: string;
      /** the product's first method when not given */
      repaymentMethod?: RepaymentMethod;
      /** when the offer lapses; OFFER_DEFAULT_DAYS after approval when not given */
      expiresAt?: Date;
      /** required when the APR is above the product's advertised range for the amount and term */
      pricingReason?: PricingReason;
      note?: string;
    }
  | { status: 'rejected'; reason: RejectReason; note?: string }
  | { status: 'disbursed'; amountFen: Fen; note?: string }
  | { status: 'withdrawn'; note?: string }
  /** the borrower's decision on an offer (OffersService), and its lapse (system) */
  | { status: 'accepted'; note?: string }
  | { status: 'declined'; reason?: string; note?: string }
  | { status: 'expired'; note?: string };

export type { ApplicationView };

export const STALE_AFTER_MS = 24 * 3600_000;
export const EXPIRY_DAYS = 30;

/** An institution's lead filter; without a limit the page size applies. */
export type LeadFilter = Omit<LeadQuery, 'limit'> & { limit?: number };

export interface LeadListItem extends ApplicationView {
  consentWithdrawn: boolean;
  creditBand: string | null;
  firstResponseAt: Date | null;
  responseMinutes: number | null;
  /** still untouched 24 hours after it arrived */
  stale: boolean;
  /** 'fast' when a pre-screen rule sent it to the fast queue */
  queue: 'normal' | 'fast';
}

export interface ApplicationDetail extends ApplicationView {
  events: (ApplicationEvent & { toLabel: string })[];
}

/** The applicant as an institution sees them: consented fields only, identifiers masked. */
export type MaskedApplicant = ApplicantData;

export interface LeadDetail extends ApplicationDetail {
  nextStatuses: ApplicationStatus[];
  consent: { id: string; fields: string[]; grantedAt: Date; withdrawnAt: Date | null } | null;
  applicant: MaskedApplicant | null;
  /** how the consumer wants to be contacted; `blocked` = they asked this institution to stop */
  contact: (Omit<ContactPreferences, 'blockedInstitutionIds'> & { blocked: boolean; quietNow: boolean }) | null;
  /** anti-fraud flags on the applicant */
  riskFlags: Pick<RiskFlag, 'code' | 'label' | 'createdAt'>[];
}

function maskApplicant(data: ApplicantData): MaskedApplicant {
  return {
    ...data,
    realName: data.realName ? maskName(data.realName) : undefined,
    phone: data.phone ? maskPhone(data.phone) : undefined,
    idNumber: data.idNumber ? maskIdNumber(data.idNumber) : undefined,
  };
}

export interface ApplicationsServiceDeps {
  clock: Clock;
  db: Database;
  pii: PiiCipher;
  catalogue: CatalogueService;
  settlement: SettlementService;
  audit: AuditService;
  notifications: NotificationsService;
  consents: ConsentsService;
  accounts: AccountsService;
  risk: RiskService;
  settings: SettingsService;
  loans?: LoansService;
}

/** What an approval is priced against, read before its transaction. */
interface OfferPricing {
  productId: string;
  product: ProductPricingInput;
  cap: number;
}

/** An offer waits this long for the borrower when the institution does not say. */
export const OFFER_DEFAULT_DAYS = 7;
/** The longest an offer may wait; the shortest is OFFER_MIN_HOURS. */
export const OFFER_MAX_DAYS = 30;
export const OFFER_MIN_HOURS = 1;

export class ApplicationsService {
  private readonly applications: ApplicationsRepository;
  private readonly offers = new OffersRepository();
  private readonly reviews: ApprovalReviewsRepository;

  constructor(private readonly deps: ApplicationsServiceDeps) {
    this.applications = new ApplicationsRepository(deps.db);
    this.reviews = new ApprovalReviewsRepository(deps.db);
  }

  /**
   * The APR the consumer was quoted for this lead, in percent ("12.34"), to start the approval
   * form at: the product's all-in APR at its lowest rate for the amount and term applied for;
   * empty when the product cannot be priced.
   */
  async quotedAprPercent(lead: { productId: string; amountFen: number; termMonths: number }): Promise<string> {
    try {
      const product = await this.deps.catalogue.get(lead.productId);
      const method = product.repaymentMethods[0] as RepaymentMethod;
      const schedule = productSchedule(pricingInput(product), { principalFen: lead.amountFen, termMonths: lead.termMonths, method, annualRate: product.rateMin });
      return (schedule.apr * 100).toFixed(2);
    } catch {
      return '';
    }
  }

  private toView(row: ApplicationWithNames): ApplicationView {
    return applicationView(row.app, row, this.deps.pii.decrypt(row.app.applicantNameEnc));
  }

  private async detail(id: string, owner: ApplicationOwner, db: Database = this.deps.db): Promise<ApplicationDetail> {
    const row = await this.applications.findWithNames(id, owner, db);
    if (!row) throw new NotFoundError('申请');
    return this.withEvents(row, await this.applications.eventsOf(row.app.id, db));
  }

  private withEvents(row: ApplicationWithNames, events: ApplicationEvent[]): ApplicationDetail {
    return {
      ...this.toView(row),
      events: events.map(withStatusLabel),
    };
  }

  /** A consumer's own application; anyone else's is "not found". */
  getForConsumer(consumerId: string, id: string): Promise<ApplicationDetail> {
    return this.detail(id, { consumerId });
  }

  async listForConsumer(consumerId: string): Promise<ApplicationView[]> {
    const rows = await this.applications.listForConsumer(consumerId);
    return rows.map((r) => this.toView(r));
  }

  /** The products a consumer has an application to that is still in progress or younger than the duplicate window. */
  async productsAppliedFor(consumerId: string): Promise<Set<string>> {
    const since = this.deps.clock.now().getTime() - DUPLICATE_WINDOW_DAYS * 86_400_000;
    const mine = await this.listForConsumer(consumerId);
    return new Set(mine.filter((a) => !isTerminal(a.status) || a.createdAt.getTime() >= since).map((a) => a.productId));
  }

  /**
   * An institution's leads: only applications made to its own products, filtered; a withdrawn
   * consent shows no name. Each carries its time to first response and a stale flag (untouched
   * for 24 hours).
   */
  async listLeads(institutionId: string, filter: LeadFilter = {}): Promise<LeadListItem[]> {
    const { limit, ...query } = filter;
    const rows = await this.applications.listLeads(institutionId, { ...query, limit: limit ?? 500 });
    const consents = await this.deps.consents.forApplications(rows.map((r) => r.app.id));
    const now = Date.now();
    return rows.map((r) => {
      const view = this.toView(r);
      const consent = consents.get(r.app.id);
      const withdrawn = !consent || consent.withdrawnAt !== null;
      return {
        ...view,
        applicantNameMasked: withdrawn ? '（已撤回授权）' : view.applicantNameMasked,
        consentWithdrawn: withdrawn,
        creditBand: withdrawn ? null : r.app.applicantCreditBand,
        firstResponseAt: r.app.firstResponseAt,
        responseMinutes: r.app.firstResponseAt ? Math.round((r.app.firstResponseAt.getTime() - r.app.createdAt.getTime()) / 60_000) : null,
        stale: r.app.status === 'submitted' && r.app.firstResponseAt === null && now - r.app.createdAt.getTime() > STALE_AFTER_MS,
        queue: r.app.queue,
      };
    });
  }

  /**
   * Applications nobody will finish: an approval not disbursed within 30 days, or a lead with no
   * change for 30 days, becomes expired (by the system), with the consumer told. Idempotent.
   */
  async expireStale(now = this.deps.clock.now()): Promise<number> {
    const cutoff = new Date(now.getTime() - EXPIRY_DAYS * 24 * 3600_000);
    const due = await this.applications.idsUnchangedSince(cutoff, 500);
    let expired = 0;
    const toText: string[] = [];
    for (const id of due) {
      await withTransaction(this.deps.db, async (tx) => {
        const current = await this.applications.lock(tx, id);
        if (!current || !canTransition(current.status, 'expired', 'system') || current.updatedAt >= cutoff) return;
        await this.applications.update(tx, id, { status: 'expired', updatedAt: now });
        await this.applications.insertEvent(tx, { applicationId: id, fromStatus: current.status, toStatus: 'expired', actorKind: 'system', note: `${EXPIRY_DAYS} 天无进展，自动过期` });
        await this.deps.notifications.notify(current.consumerId, { kind: 'application.expired', title: '申请已过期', body: `你的申请 ${EXPIRY_DAYS} 天没有进展，已自动过期，可以重新申请。`, link: `/applications/${id}` }, tx);
        expired += 1;
        toText.push(current.consumerId);
      });
    }
    for (const consumerId of toText) await this.sms(consumerId, 'application.expired', `【贷超】你的一笔贷款申请 ${EXPIRY_DAYS} 天没有进展，已自动过期，可重新申请。`);
    return expired;
  }

  /** The inbox for a CSV export: each consented lead's export is recorded as a release, and audited. */
  async exportLeads(institutionId: string, filter: LeadFilter, actor: AuditActor): Promise<LeadListItem[]> {
    const leads = await this.listLeads(institutionId, { ...filter, limit: 5000 });
    const consents = await this.deps.consents.forApplications(leads.filter((l) => !l.consentWithdrawn).map((l) => l.id));
    await withTransaction(this.deps.db, async (tx) => {
      for (const consent of consents.values()) {
        const fields = (['realName', 'city', 'creditSelfAssessment', 'loanRequest'] as const).filter((f) => consent.fields.includes(f));
        await this.deps.consents.release(tx, { consentId: consent.id, channel: 'export', actorId: actor.id ?? null, fields: [...fields] });
      }
      await this.deps.audit.record(actor, { action: 'leads.exported', objectType: 'institution', objectId: institutionId, detail: { count: leads.length } }, tx);
    });
    return leads;
  }

  /** Average minutes to first response per institution, and how many leads are stale now. */
  /**
   * One lead of the institution's own, showing only the fields the consumer consented to, masked;
   * nothing at all once the consent is withdrawn. Reading it is audited.
   */
  async getLead(institutionId: string, id: string, actor: AuditActor): Promise<LeadDetail> {
    const lead = await this.detail(id, { institutionId });
    await this.deps.audit.recordNow(actor, { action: 'lead.viewed', objectType: 'application', objectId: id });
    const { consent, data } = await this.releasedData(id, institutionId);
    const withdrawn = !consent || consent.withdrawnAt !== null;
    const prefs = await this.deps.accounts.contactPreferences(lead.consumerId);
    const { blockedInstitutionIds, ...channels } = prefs;
    return {
      ...lead,
      applicantNameMasked: withdrawn ? '（已撤回授权）' : lead.applicantNameMasked,
      nextStatuses: nextStatuses(lead.status, 'institution'),
      consent: consent ? { id: consent.id, fields: consent.fields, grantedAt: consent.grantedAt, withdrawnAt: consent.withdrawnAt } : null,
      applicant: withdrawn || !data ? null : maskApplicant(data),
      riskFlags: (await this.deps.risk.flagsFor(lead.consumerId)).map((f) => ({ code: f.code, label: f.label, createdAt: f.createdAt })),
      contact: withdrawn
        ? null
        : { ...channels, blocked: blockedInstitutionIds.includes(institutionId), quietNow: quietUntil(this.deps.clock.now(), prefs.quietStart, prefs.quietEnd) !== null },
    };
  }

  /** The consented fields in clear, for the institution working the lead: recorded as a release and audited. */
  async revealLead(institutionId: string, id: string, actor: AuditActor, channel: 'portal' | 'api'): Promise<ApplicantData> {
    const { found, consent, data } = await this.releasedData(id, institutionId);
    if (!found) throw new NotFoundError('线索');
    if (!consent || !data) throw new NotFoundError('授权');
    await withTransaction(this.deps.db, async (tx) => {
      await this.deps.consents.release(tx, { consentId: consent.id, channel, actorId: actor.id ?? null });
      await this.deps.audit.record(actor, { action: 'lead.pii_revealed', objectType: 'application', objectId: id, detail: { fields: consent.fields } }, tx);
    });
    return data;
  }

  /** The consent and the released snapshot of one of the institution's leads. */
  private async releasedData(id: string, institutionId: string) {
    const row = await this.applications.releasedData(id, institutionId);
    const consent = row?.consentId ? await this.deps.consents.get(row.consentId) : undefined;
    const data = row?.enc ? (JSON.parse(this.deps.pii.decrypt(row.enc)) as ApplicantData) : undefined;
    return { found: row !== undefined, consent, data };
  }

  async listAll(filter: { status?: ApplicationStatus; institutionId?: string; limit?: number } = {}): Promise<ApplicationView[]> {
    const rows = await this.applications.listAll({ ...filter, limit: filter.limit ?? 200 });
    return rows.map((r) => this.toView(r));
  }

  async getForOperator(id: string, actor: AuditActor): Promise<ApplicationDetail & { riskFlags: RiskFlag[] }> {
    const detail = await this.detail(id, {});
    await this.deps.audit.recordNow(actor, { action: 'application.viewed', objectType: 'application', objectId: id });
    return { ...detail, riskFlags: await this.deps.risk.flagsFor(detail.consumerId) };
  }

  /**
   * Moves an institution's lead to a new status. The row is locked for the transaction, the
   * transition is checked against the status machine, and any commission it earns is posted in
   * the same transaction, so a repeated or concurrent call can never post twice.
   */
  async changeStatusByInstitution(
    institutionId: string,
    id: string,
    change: StatusChange,
    actor: AuditActor,
    /** who sends it, named on the lead's timeline when an approval waits for a second reviewer; the actor when not given */
    staff: StaffRef = { id: actor.id ?? 'system', name: '系统' },
  ): Promise<{ application: ApplicationDetail; commission: PostedCommission | null; review: ApprovalReviewView | null }> {
    // an approval is priced against the product and the platform's cap, read before the transaction
    // (one connection on PGlite: nothing outside the transaction may wait for it)
    const pricing = change.status === 'approved' ? await this.offerPricing(institutionId, id) : undefined;
    const result = await withTransaction(this.deps.db, async (tx) => {
      const current = await this.applications.lock(tx, id, { institutionId });
      if (!current) throw new NotFoundError('线索');
      const pending = await this.reviews.pendingFor(current.id, tx);
      if (pending) throw new ConflictError('review_pending', '该线索的批准正在等待复核，复核人确认或退回之前不能再变更', { status: '待复核' });
      if (change.status === 'approved') {
        const threshold = await this.reviews.threshold(institutionId, tx);
        if (threshold !== null && change.offeredAmountFen > threshold) return { review: await this.submitForReview(tx, current, change, staff, actor, pricing, threshold) };
      }
      return this.applyChange(tx, current, change, 'institution', actor, pricing);
    });
    if ('review' in result) return { application: await this.detail(id, { institutionId }), commission: null, review: result.review };
    await this.smsOnChange(result.application.consumerId, result.application, change);
    return { application: result.application, commission: result.commission, review: null };
  }

  // ── maker-checker (复核): approvals above the institution's threshold need a second staff member ──

  /** The amount above which this institution's approvals need a second reviewer; null when every approval takes effect at once. */
  approvalThreshold(institutionId: string): Promise<number | null> {
    return this.reviews.threshold(institutionId);
  }

  /** Sets (or, with null, turns off) the maker-checker threshold; audited. */
  async setApprovalThreshold(institutionId: string, thresholdFen: number | null, actor: AuditActor): Promise<void> {
    if (thresholdFen !== null && (!Number.isSafeInteger(thresholdFen) || thresholdFen <= 0)) throw new ValidationError('复核金额有误', { threshold: '复核金额须大于 0' });
    await withTransaction(this.deps.db, async (tx) => {
      const before = await this.reviews.threshold(institutionId, tx);
      await this.reviews.saveThreshold(tx, institutionId, thresholdFen, actor.id ?? null, this.deps.clock.now());
      await this.deps.audit.record(actor, { action: 'approval_policy.changed', objectType: 'institution', objectId: institutionId, detail: { fromFen: before, toFen: thresholdFen } }, tx);
    });
  }

  /** The approval waits (待复核): its terms are checked now, so the second reviewer confirms an approval that can take effect. */
  private async submitForReview(tx: Tx, current: ApplicationRow, change: Extract<StatusChange, { status: 'approved' }>, maker: StaffRef, actor: AuditActor, pricing: OfferPricing | undefined, thresholdFen: number): Promise<ApprovalReviewView> {
    this.assertTransition(current, change);
    const now = this.deps.clock.now();
    const { expiresAt } = this.approvalTerms(current, change, pricing, now);
    const row = await this.reviews.insert(tx, {
      id: newId('rvw'),
      applicationId: current.id,
      institutionId: current.institutionId,
      amountFen: change.offeredAmountFen,
      change: storedApproval(change, expiresAt.getTime() - now.getTime()),
      makerId: maker.id,
      makerName: maker.name,
      createdAt: now,
    });
    if (current.firstResponseAt === null) await this.applications.update(tx, current.id, { firstResponseAt: now });
    await this.deps.audit.record(actor, { action: 'lead.approval_submitted', objectType: 'application', objectId: current.id, detail: { reviewId: row.id, amountFen: change.offeredAmountFen, thresholdFen } }, tx);
    return reviewView(row);
  }

  /** An institution's approvals waiting for a second reviewer (only leads that can still be approved), or its decided ones. */
  async listApprovalReviews(institutionId: string, status: ApprovalReviewRow['status'] = 'pending'): Promise<(ApprovalReviewView & { productName: string; leadStatus: ApplicationStatus })[]> {
    const rows = await this.reviews.list(institutionId, status);
    return rows
      .filter((r) => status !== 'pending' || r.leadStatus === 'submitted' || r.leadStatus === 'reviewing')
      .map((r) => ({ ...reviewView(r.review), productName: r.productName, leadStatus: r.leadStatus }));
  }

  pendingReviewCount(institutionId: string): Promise<number> {
    return this.reviews.pendingCount(institutionId);
  }

  /** Every review of one of the institution's leads, oldest first: makers and checkers by name. */
  async reviewsOfLead(institutionId: string, applicationId: string): Promise<ApprovalReviewView[]> {
    const rows = await this.reviews.ofApplication(applicationId);
    return rows.filter((r) => r.institutionId === institutionId).map(reviewView);
  }

  /**
   * A second staff member confirms a waiting approval: it then takes effect exactly as a one-step
   * approval (offer, commission, notification, SMS), in one transaction with the review row
   * locked, so of two confirmations at once exactly one succeeds and the other is a 409. The
   * maker can never confirm their own approval (403).
   */
  async confirmApproval(institutionId: string, reviewId: string, checker: StaffRef, actor: AuditActor): Promise<{ application: ApplicationDetail; commission: PostedCommission | null; review: ApprovalReviewView }> {
    const found = await this.reviewNotOwn(institutionId, reviewId, checker, actor);
    const pricing = await this.offerPricing(institutionId, found.applicationId);
    const result = await withTransaction(this.deps.db, async (tx) => {
      const review = await this.lockPendingReview(tx, institutionId, reviewId);
      const current = await this.applications.lock(tx, review.applicationId, { institutionId });
      if (!current) throw new NotFoundError('线索');
      const now = this.deps.clock.now();
      const change = approvalFromReview(review, now);
      const applied = await this.applyChange(tx, current, change, 'institution', actor, pricing, { makerId: review.makerId, makerName: review.makerName, checkerId: checker.id, checkerName: checker.name, reviewId });
      await this.reviews.decide(tx, reviewId, { status: 'confirmed', checkerId: checker.id, checkerName: checker.name, decidedAt: now });
      await this.deps.audit.record(actor, { action: 'lead.approval_confirmed', objectType: 'application', objectId: current.id, detail: { reviewId, makerId: review.makerId } }, tx);
      return { ...applied, change, review: reviewView({ ...review, status: 'confirmed', checkerId: checker.id, checkerName: checker.name, decidedAt: now }) };
    });
    await this.smsOnChange(result.application.consumerId, result.application, result.change);
    return { application: result.application, commission: result.commission, review: result.review };
  }

  /** A second staff member sends a waiting approval back to the maker with a reason; the lead stays where it was. */
  async returnApproval(institutionId: string, reviewId: string, reason: string, checker: StaffRef, actor: AuditActor): Promise<ApprovalReviewView> {
    const text = reason.trim();
    if (text.length < 2 || text.length > 500) throw new ValidationError('退回原因有误', { reason: '请填写退回原因（2–500 字）' });
    await this.reviewNotOwn(institutionId, reviewId, checker, actor);
    return withTransaction(this.deps.db, async (tx) => {
      const review = await this.lockPendingReview(tx, institutionId, reviewId);
      const now = this.deps.clock.now();
      await this.reviews.decide(tx, reviewId, { status: 'returned', checkerId: checker.id, checkerName: checker.name, returnReason: text, decidedAt: now });
      await this.deps.audit.record(actor, { action: 'lead.approval_returned', objectType: 'application', objectId: review.applicationId, detail: { reviewId, makerId: review.makerId, reason: text } }, tx);
      return reviewView({ ...review, status: 'returned', checkerId: checker.id, checkerName: checker.name, returnReason: text, decidedAt: now });
    });
  }

  /** The review, if it is not the checker's own approval (a maker never checks; refused and audited). Its maker never changes, so this is read before the transaction. */
  private async reviewNotOwn(institutionId: string, reviewId: string, checker: StaffRef, actor: AuditActor): Promise<ApprovalReviewRow> {
    const review = await this.reviews.find(institutionId, reviewId);
    if (!review) throw new NotFoundError('复核');
    if (review.makerId === checker.id) {
      await this.deps.audit.recordNow(actor, { action: 'lead.approval_self_review_refused', objectType: 'application', objectId: review.applicationId, detail: { reviewId } });
      throw new ForbiddenError('不能复核自己提交的批准：须由另一位有复核权限的员工确认', 'two_person_rule');
    }
    return review;
  }

  /** The review locked and still pending: of two checkers at once, the second waits here and then finds it decided (409). */
  private async lockPendingReview(tx: Tx, institutionId: string, reviewId: string): Promise<ApprovalReviewRow> {
    const review = await this.reviews.lock(tx, institutionId, reviewId);
    if (!review) throw new NotFoundError('复核');
    if (review.status !== 'pending') throw new ConflictError('review_decided', '这笔批准已由其他复核人处理', { status: review.status === 'confirmed' ? '已复核通过' : '已退回' });
    return review;
  }

  /** What an approval of this lead is priced against: its product's terms and the platform's cap. */
  private async offerPricing(institutionId: string, id: string): Promise<OfferPricing | undefined> {
    const row = await this.applications.findWithNames(id, { institutionId });
    if (!row) return undefined;
    return { product: pricingInput(await this.deps.catalogue.get(row.app.productId)), productId: row.app.productId, cap: await this.deps.settings.get('rates.offerCap') };
  }

  /** An SMS about the change when the consumer allows SMS; held until their quiet hours end. */
  private async smsOnChange(consumerId: string, app: ApplicationDetail, change: StatusChange): Promise<void> {
    await this.sms(consumerId, `application.${change.status}`, `【贷超】你申请的${app.productName}${statusLabels[change.status]}。${statusMessage(change)}`);
  }

  /** A text to the consumer when they allow SMS; held until their quiet hours end. */
  private async sms(consumerId: string, template: SmsTemplate, body: string): Promise<void> {
    await this.deps.accounts.textConsumer(consumerId, template, body);
  }

  /** The consumer withdraws their own application. */
  async withdraw(consumerId: string, id: string, actor: AuditActor): Promise<ApplicationDetail> {
    return withTransaction(this.deps.db, async (tx) => {
      const current = await this.applications.lock(tx, id, { consumerId });
      if (!current) throw new NotFoundError('申请');
      const { application } = await this.applyChange(tx, current, { status: 'withdrawn', note: '用户撤回' }, 'consumer', actor);
      return application;
    });
  }

  /**
   * One status change inside the caller's transaction, on a row the caller has locked: the
   * checks, the event, the notification, the commission and the audit row of `applyChange`.
   * For use cases of this module that hold the lock themselves (OffersService).
   */
  transition(tx: Tx, current: ApplicationRow, change: StatusChange, actorKind: 'consumer' | 'institution' | 'system', actor: AuditActor) {
    return this.applyChange(tx, current, change, actorKind, actor);
  }

  /** Locks one application (optionally only the consumer's or the institution's own) for a transition. */
  lockForChange(tx: Tx, id: string, owner: ApplicationOwner = {}): Promise<ApplicationRow | undefined> {
    return this.applications.lock(tx, id, owner);
  }

  /** Refuses a change the status machine does not allow (and a disbursement before the borrower accepted). */
  private assertTransition(current: ApplicationRow, change: StatusChange, actorKind: 'consumer' | 'institution' | 'system' = 'institution'): void {
    if (change.status === 'disbursed' && current.status === 'approved') {
      throw new ConflictError('offer_not_accepted', '借款人尚未接受报价并签署借款合同，不能放款', { status: '待借款人接受报价并签署借款合同后才能放款' });
    }
    if (!canTransition(current.status, change.status, actorKind)) {
      throw new ConflictError(
        'illegal_transition',
        `申请当前状态为「${statusLabels[current.status]}」，不能变更为「${statusLabels[change.status]}」`,
        { status: `不允许从「${statusLabels[current.status]}」变更为「${statusLabels[change.status]}」` },
      );
    }
  }

  /** An approval's offer terms: within what the product advertised (or a stated reason), under the platform's cap, with a valid expiry. */
  private approvalTerms(current: ApplicationRow, change: Extract<StatusChange, { status: 'approved' }>, pricing: OfferPricing | undefined, now: Date) {
    if (!pricing || pricing.productId !== current.productId) throw new Error('an approval needs the product and cap read before its transaction');
    const input = pricing.product;
    const terms = offerTerms(
      input,
      {
        amountFen: change.offeredAmountFen,
        termMonths: change.offeredTermMonths,
        method: change.repaymentMethod ?? input.repaymentMethods[0]!,
        apr: change.offeredApr,
        pricingReason: change.pricingReason,
      },
      pricing.cap,
    );
    const expiresAt = change.expiresAt ?? new Date(now.getTime() + OFFER_DEFAULT_DAYS * 86_400_000);
    if (expiresAt.getTime() < now.getTime() + OFFER_MIN_HOURS * 3600_000 - 1000 || expiresAt.getTime() > now.getTime() + OFFER_MAX_DAYS * 86_400_000) {
      throw new ValidationError('报价有效期有误', { expiresAt: `有效期须在 ${OFFER_MIN_HOURS} 小时至 ${OFFER_MAX_DAYS} 天之间` });
    }
    return { terms, expiresAt };
  }

  private async applyChange(
    tx: Tx,
    current: ApplicationRow,
    change: StatusChange,
    actorKind: 'consumer' | 'institution' | 'system',
    actor: AuditActor,
    pricing?: OfferPricing,
    /** a confirmed maker-checker approval: both names, kept on the event */
    review?: Record<string, string>,
  ): Promise<{ application: ApplicationDetail; commission: PostedCommission | null }> {
    this.assertTransition(current, change, actorKind);
    const now = this.deps.clock.now();
    const update: Partial<ApplicationInsert> = { status: change.status, updatedAt: now };
    if (actorKind === 'institution' && current.firstResponseAt === null) update.firstResponseAt = now;
    const data: Record<string, unknown> = {};
    if (change.status === 'approved') {
      // an approval is an offer within what the product advertised (or a stated reason), under the platform's cap
      const { terms, expiresAt } = this.approvalTerms(current, change, pricing, now);
      Object.assign(update, { offeredAmountFen: terms.amountFen, offeredTermMonths: terms.termMonths, offeredApr: terms.apr });
      await this.offers.insert(tx, { applicationId: current.id, terms, expiresAt, createdAt: now });
      Object.assign(data, { offeredAmountFen: terms.amountFen, offeredTermMonths: terms.termMonths, offeredApr: terms.apr, repaymentMethod: terms.method, expiresAt: expiresAt.toISOString(), aboveAdvertised: terms.aboveAdvertised, pricingReason: terms.pricingReason });
      if (review) data.review = review;
    } else if (change.status === 'declined') {
      await this.offers.decide(tx, current.id, now, change.reason ?? null);
      data.reason = change.reason ?? null;
    } else if (change.status === 'accepted') {
      await this.offers.decide(tx, current.id, now, null);
    } else if (change.status === 'rejected') {
      update.rejectReason = change.reason;
      data.reason = change.reason;
    } else if (change.status === 'disbursed') {
      const ceiling = current.offeredAmountFen ?? current.amountFen;
      if (change.amountFen > ceiling) {
        throw new ValidationError('放款金额超过批准金额', { amount: `放款金额不能超过批准金额 ${formatYuan(ceiling)}` });
      }
      Object.assign(update, { disbursedAmountFen: change.amountFen, disbursedAt: now });
      data.amountFen = change.amountFen;
    }
    await this.applications.update(tx, current.id, update);
    await this.applications.insertEvent(tx, {
      applicationId: current.id,
      fromStatus: current.status,
      toStatus: change.status,
      actorKind,
      actorId: actor.id ?? null,
      note: change.note ?? '',
      data,
    });
    if (actorKind !== 'consumer') {
      const productName = await this.applications.productName(current.productId, tx);
      await this.deps.notifications.notify(
        current.consumerId,
        {
          kind: `application.${change.status}`,
          title: `${productName ?? '申请'}：${statusLabels[change.status]}`,
          body: statusMessage(change),
          link: `/applications/${current.id}`,
        },
        tx,
      );
    }
    // commission in the same transaction as the status change: exactly once per event
    let commission: PostedCommission | null = null;
    let reversal: ReversalResult | null = null;
    if (change.status === 'approved') {
      commission = await this.deps.settlement.accrue(tx, { rule: 'cpa', applicationId: current.id, institutionId: current.institutionId, at: now });
    } else if (change.status === 'disbursed') {
      commission = await this.deps.settlement.accrue(tx, {
        rule: 'cps',
        applicationId: current.id,
        institutionId: current.institutionId,
        baseAmountFen: change.amountFen,
        at: now,
      });
      // the loan and its schedule, in the same transaction as the disbursement (once per application)
      const offer = await this.offers.find(tx, current.id);
      await this.deps.loans?.createFromDisbursement(tx, { ...current, repaymentMethod: offer?.repaymentMethod ?? null }, change.amountFen, now);
    } else if (change.status === 'withdrawn' && current.status === 'approved') {
      // an approval withdrawn within the agreement's window takes its CPA back
      reversal = await this.deps.settlement.reverseIn(tx, sourceKeyFor('cpa', current.id), '已批准的申请被撤回', { at: now, actorId: actor.id ?? null });
    }
    await this.deps.audit.record(
      actor,
      {
        action: 'application.status_changed',
        objectType: 'application',
        objectId: current.id,
        detail: {
          from: current.status,
          to: change.status,
          commissionJournalId: commission?.journalId ?? null,
          ...(reversal ? { commissionReversal: reversal } : {}),
        },
      },
      tx,
    );
    return { application: await this.detail(current.id, {}, tx), commission };
  }

  /** What an institution's lead handlers have waiting: new leads not yet answered (and those past 24 hours), in review, offers waiting for the borrower, accepted offers to disburse. */
  async leadCounts(institutionId: string): Promise<{ unanswered: number; stale: number; reviewing: number; approved: number; accepted: number }> {
    const row = await this.applications.leadCounts(institutionId);
    return row ?? { unanswered: 0, stale: 0, reviewing: 0, approved: 0, accepted: 0 };
  }

  /** Per institution, how many of its leads wait unanswered for more than 24 hours. */
  async staleLeadCounts(): Promise<Map<string, number>> {
    return new Map((await this.applications.staleLeadCounts()).map((r) => [r.institutionId, r.stale]));
  }

  /** Folds the status counters (the `application-counts-fold` ticker); returns the rows folded. */
  foldStatusCounts(): Promise<number> {
    return this.applications.foldStatusCounts();
  }

  async countsByStatus(): Promise<Record<string, number>> {
    const rows = await this.applications.countsByStatus();
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}

/** What the consumer is told when their application moves. */
function statusMessage(change: StatusChange): string {
  switch (change.status) {
    case 'reviewing':
      return '机构已开始审核你的申请，请保持电话畅通。';
    case 'approved':
      return `已批准 ${formatYuan(change.offeredAmountFen)}，${change.offeredTermMonths} 个月，综合年化 ${formatRate(change.offeredApr)}。请在有效期内确认是否接受。`;
    case 'rejected':
      return `很遗憾，申请未通过：${rejectReasons[change.reason]}。`;
    case 'disbursed':
      return `${formatYuan(change.amountFen)} 已放款，请留意到账并按时还款。`;
    case 'accepted':
      return '你已接受报价并签署借款合同，等待机构放款。';
    case 'declined':
      return '你已谢绝该报价，机构不会放款。';
    case 'expired':
      return '报价已过有效期，机构不会放款；可以重新申请。';
    default:
      return '申请状态已更新。';
  }
}
