import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import type { Fen } from '../../lib/money';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AccountsService } from '../accounts';
import type { AuditActor, RequestOrigin } from '../audit';
import type { ContractsService } from '../contracts';
import type { IdentityService } from '../identity';
import { formatRate, formatYuan } from '../../lib/money';
import { shanghaiDate } from '../../lib/shanghai-date';
import { methodLabels, type RepaymentMethod } from '../pricing';
import type { WebhooksService } from '../webhooks';
import type { ApplicationStatus } from './applications.schema';
import type { ApplicationsService } from './applications.service';
import { OFFER_LABEL_APR, pricingReasons, type PricingReason } from './offer-terms';
import { OffersRepository, type OfferRow } from './offers.repository';

/** An institution's share of offers above the advertised range counts (for ranking and labels) from this many offers. */
export const MIN_OFFERS_FOR_SHARE = 5;

/** Where an offer stands, read from its application's status (never stored twice). */
export type OfferState = 'pending' | 'accepted' | 'declined' | 'expired' | 'withdrawn' | 'disbursed';

const stateOf = (status: ApplicationStatus): OfferState =>
  status === 'approved' ? 'pending' : status === 'accepted' ? 'accepted' : status === 'declined' ? 'declined' : status === 'disbursed' ? 'disbursed' : status === 'withdrawn' ? 'withdrawn' : 'expired';

export const offerStateLabels: Record<OfferState, string> = {
  pending: '待你确认',
  accepted: '已接受，待放款',
  declined: '已谢绝',
  expired: '已过期',
  withdrawn: '已撤回',
  disbursed: '已放款',
};

/** Why a borrower declines, to choose from (optional). */
export const declineReasons = {
  too_expensive: '利率或费用太高',
  better_offer: '有更合适的报价',
  amount: '金额或期限不合适',
  no_need: '暂时不需要了',
  other: '其他',
} as const;
export type DeclineReason = keyof typeof declineReasons;

/** Recorded when accepting one offer closes the others of the same 一键申请 (not offered in the form). */
const ACCEPTED_OTHER = '已接受同一次申请的其他报价';

/** One offer as its borrower sees it. */
export interface OfferView {
  applicationId: string;
  productId: string;
  productName: string;
  institutionId: string;
  institutionName: string;
  state: OfferState;
  stateLabel: string;
  amountFen: Fen;
  termMonths: number;
  method: RepaymentMethod;
  methodName: string;
  apr: number;
  firstPaymentFen: Fen;
  totalRepaymentFen: Fen;
  totalCostFen: Fen;
  advertisedAprLow: number;
  advertisedAprHigh: number;
  /** above what the product advertised for this amount and term: shown in red with the range beside it */
  aboveAdvertised: boolean;
  pricingReason: string | null;
  /** above the platform's warning line (24%) */
  highCost: boolean;
  expiresAt: Date;
  decidedAt: Date | null;
  declineReason: string | null;
  createdAt: Date;
  /** the lowest total cost among the borrower's offers still waiting (more than one) */
  cheapest: boolean;
}

export interface OffersServiceDeps {
  db: Database;
  clock: Clock;
  applications: ApplicationsService;
  accounts: Pick<AccountsService, 'phoneOf' | 'requestCode' | 'verifyCode'>;
  webhooks: Pick<WebhooksService, 'enqueue'>;
  /** the loan contract signed with the acceptance, in its transaction */
  contracts: Pick<ContractsService, 'sign'>;
  identity: Pick<IdentityService, 'reveal'>;
}

/**
 * The borrower's side of an approval: an offer waits for them to accept (confirmed by an SMS code)
 * or decline it, until it expires. Each decision locks the application, so accepting twice,
 * accepting after expiry, and an accept racing the expiry job settle to one outcome. The
 * institution hears of each by webhook (offer.accepted, offer.declined, offer.expired) and sees
 * the status in its inbox.
 */
export class OffersService {
  private readonly offers = new OffersRepository();

  constructor(private readonly deps: OffersServiceDeps) {}

  private view(row: OfferRow & {}, extra: { status: ApplicationStatus; productId: string; productName: string; institutionId: string; institutionName: string }): OfferView {
    const state = stateOf(extra.status);
    const apr = Number(row.apr);
    return {
      applicationId: row.applicationId,
      productId: extra.productId,
      productName: extra.productName,
      institutionId: extra.institutionId,
      institutionName: extra.institutionName,
      state,
      stateLabel: offerStateLabels[state],
      amountFen: row.amountFen,
      termMonths: row.termMonths,
      method: row.repaymentMethod as RepaymentMethod,
      methodName: methodLabels[row.repaymentMethod as RepaymentMethod] ?? row.repaymentMethod,
      apr,
      firstPaymentFen: row.firstPaymentFen,
      totalRepaymentFen: row.totalRepaymentFen,
      totalCostFen: row.totalCostFen,
      advertisedAprLow: Number(row.advertisedAprLow),
      advertisedAprHigh: Number(row.advertisedAprHigh),
      aboveAdvertised: row.aboveAdvertised,
      pricingReason: row.pricingReason ? (pricingReasons[row.pricingReason as PricingReason] ?? row.pricingReason) : null,
      highCost: apr > OFFER_LABEL_APR,
      expiresAt: row.expiresAt,
      decidedAt: row.decidedAt,
      declineReason: row.declineReason ? (declineReasons[row.declineReason as DeclineReason] ?? row.declineReason) : null,
      createdAt: row.createdAt,
      cheapest: false,
    };
  }

  /**
   * A borrower's offers: those waiting first, sorted by total cost (the cheapest marked when
   * there are several to choose from), then the decided ones, newest first.
   */
  async listForConsumer(consumerId: string): Promise<OfferView[]> {
    const rows = await this.offers.forConsumer(this.deps.db, consumerId);
    const now = this.deps.clock.now();
    const views = rows.map((r) => this.view(r.offer, r));
    // an offer past its time that the job has not reached yet is shown as expired
    for (const v of views) if (v.state === 'pending' && v.expiresAt <= now) Object.assign(v, { state: 'expired', stateLabel: offerStateLabels.expired });
    const pending = views.filter((v) => v.state === 'pending').sort((a, b) => a.totalCostFen - b.totalCostFen || a.apr - b.apr);
    if (pending.length > 1) pending[0]!.cheapest = true;
    return [...pending, ...views.filter((v) => v.state !== 'pending')];
  }

  /** One of the borrower's offers; anyone else's is "not found". */
  async getForConsumer(consumerId: string, applicationId: string): Promise<OfferView> {
    const found = (await this.listForConsumer(consumerId)).find((o) => o.applicationId === applicationId);
    if (!found) throw new NotFoundError('报价');
    return found;
  }

  /** The offer of one of the institution's own leads (null before approval); anyone else's is "not found". */
  async forLead(lead: { id: string; status: ApplicationStatus; productId: string; productName: string; institutionId: string; institutionName: string }): Promise<OfferView | null> {
    const row = await this.offers.find(this.deps.db, lead.id);
    return row ? this.view(row, lead) : null;
  }

  /** Sends the SMS code that confirms signing, to the borrower's own phone (the usual OTP limits apply). */
  async requestSigningCode(consumerId: string, applicationId: string): Promise<void> {
    const offer = await this.getForConsumer(consumerId, applicationId);
    if (offer.state !== 'pending') throw this.decided(offer.state);
    await this.deps.accounts.requestCode(await this.deps.accounts.phoneOf(consumerId), 'sign');
  }

  private decided(state: OfferState): ConflictError {
    return state === 'expired'
      ? new ConflictError('offer_expired', '报价已过有效期，不能再接受', { offer: '报价已过期' })
      : new ConflictError('offer_decided', `报价${offerStateLabels[state]}，不能再次操作`, { offer: offerStateLabels[state] });
  }

  /**
   * Locks the application and checks the offer is still waiting: not the borrower's → 404; decided,
   * withdrawn or past its time → 409.
   */
  private async lockPending(tx: Tx, consumerId: string, applicationId: string) {
    const current = await this.deps.applications.lockForChange(tx, applicationId, { consumerId });
    if (!current) throw new NotFoundError('报价');
    const offer = await this.offers.find(tx, applicationId);
    if (!offer) throw new NotFoundError('报价');
    if (current.status !== 'approved') throw this.decided(stateOf(current.status));
    if (offer.expiresAt <= this.deps.clock.now()) throw this.decided('expired');
    return { current, offer };
  }

  /**
   * The borrower accepts and signs: the SMS code sent by `requestSigningCode` confirms it (checked
   * first, and used up), then, under the application's lock, the offer must still be waiting. The
   * loan contract (the institution's approved 借款合同 filled with the offer's exact terms, rendered
   * to PDF with its evidence: who, when, IP, device, SHA-256, template version), the status, the
   * event, the audit row and the webhook commit together: no acceptance without its contract.
   */
  async accept(consumerId: string, applicationId: string, code: string, origin: RequestOrigin): Promise<OfferView & { contractId: string }> {
    if (!/^\d{6}$/.test(code ?? '')) throw new ValidationError('验证码有误', { code: '请输入 6 位短信验证码' });
    // refuse before using up a code when the offer cannot be accepted anyway
    const before = await this.getForConsumer(consumerId, applicationId);
    if (before.state !== 'pending') throw this.decided(before.state);
    await this.deps.accounts.verifyCode(await this.deps.accounts.phoneOf(consumerId), 'sign', code);
    // the borrower's own name for the contract (an audited read of their identity), before the transaction
    const borrowerName = await this.deps.identity
      .reveal(consumerId, origin.actor, '签署借款合同')
      .then((i) => i.realName)
      .catch(() => `账号 ${consumerId}`);
    const contractId = await withTransaction(this.deps.db, async (tx) => {
      // one need, one loan: the offers of the same 一键申请 are locked together, in id order (no
      // deadlock with a sibling accepted at the same moment), and the others close with this one
      const together = await this.offers.submittedTogether(tx, consumerId, applicationId);
      const siblings = [];
      for (const id of together) {
        if (id === applicationId) continue;
        const row = await this.deps.applications.lockForChange(tx, id, { consumerId });
        if (row) siblings.push(row);
      }
      const { current, offer } = await this.lockPending(tx, consumerId, applicationId);
      const now = this.deps.clock.now();
      const signed = await this.deps.contracts.sign(
        {
          kind: 'loan_contract',
          institutionId: current.institutionId,
          consumerId,
          signerAccountId: consumerId,
          subjectId: applicationId,
          smsConfirmed: true,
          origin,
          variables: {
            borrowerName,
            institutionName: before.institutionName,
            productName: before.productName,
            amount: formatYuan(offer.amountFen),
            term: `${offer.termMonths} 个月`,
            repaymentMethod: methodLabels[offer.repaymentMethod as RepaymentMethod] ?? offer.repaymentMethod,
            apr: formatRate(offer.apr),
            firstRepayment: formatYuan(offer.firstPaymentFen),
            totalRepayment: formatYuan(offer.totalRepaymentFen),
            date: shanghaiDate(now),
          },
        },
        tx,
      );
      await this.deps.applications.transition(tx, current, { status: 'accepted', note: '借款人接受报价并签署借款合同' }, 'consumer', origin.actor);
      await this.deps.webhooks.enqueue(tx, current.institutionId, 'offer.accepted', { applicationId, acceptedAt: now.toISOString(), contractId: signed.id, contractSha256: signed.sha256 });
      for (const sibling of siblings.filter((s) => s.status === 'approved')) {
        await this.deps.applications.transition(tx, sibling, { status: 'declined', reason: ACCEPTED_OTHER, note: ACCEPTED_OTHER }, 'consumer', origin.actor);
        await this.deps.webhooks.enqueue(tx, sibling.institutionId, 'offer.declined', { applicationId: sibling.id, declinedAt: now.toISOString(), reason: 'accepted_other' });
      }
      return signed.id;
    });
    return { ...(await this.getForConsumer(consumerId, applicationId)), contractId };
  }

  /** The borrower declines, with an optional reason from `declineReasons`. */
  async decline(consumerId: string, applicationId: string, reason: DeclineReason | undefined, actor: AuditActor): Promise<OfferView> {
    if (reason !== undefined && !(reason in declineReasons)) throw new ValidationError('谢绝原因有误', { reason: '请从列表中选择原因' });
    await withTransaction(this.deps.db, async (tx) => {
      const { current } = await this.lockPending(tx, consumerId, applicationId);
      await this.deps.applications.transition(tx, current, { status: 'declined', reason, note: reason ? `借款人谢绝：${declineReasons[reason]}` : '借款人谢绝报价' }, 'consumer', actor);
      await this.deps.webhooks.enqueue(tx, current.institutionId, 'offer.declined', { applicationId, declinedAt: this.deps.clock.now().toISOString(), reason: reason ?? null });
    });
    return this.getForConsumer(consumerId, applicationId);
  }

  /** Offers whose time is up become expired (by the system), each in its own transaction. Idempotent. */
  async expireDue(now = this.deps.clock.now(), limit = 500): Promise<number> {
    let expired = 0;
    for (const id of await this.offers.dueToExpire(this.deps.db, now, limit)) {
      await withTransaction(this.deps.db, async (tx) => {
        const current = await this.deps.applications.lockForChange(tx, id);
        const offer = current && (await this.offers.find(tx, id));
        // decided (accepted a moment ago) or moved on since it was listed: nothing to do
        if (!current || !offer || current.status !== 'approved' || offer.expiresAt > now) return;
        await this.deps.applications.transition(tx, current, { status: 'expired', note: '报价超过有效期未确认，自动过期' }, 'system', { kind: 'system', id: null });
        await this.deps.webhooks.enqueue(tx, current.institutionId, 'offer.expired', { applicationId: id, expiredAt: now.toISOString() });
        expired += 1;
      });
    }
    return expired;
  }

  /**
   * For a monthly statement: the institution's offers of that Shanghai month (YYYY-MM) that ended
   * without a loan, each with why it earned no CPS (the borrower declined, with the reason; or it
   * expired).
   */
  async closedWithoutLoan(institutionId: string, period: string) {
    const [y, m] = period.split('-').map(Number) as [number, number];
    const from = new Date(Date.UTC(y, m - 1, 1) - 8 * 3600_000);
    const to = new Date(Date.UTC(y, m, 1) - 8 * 3600_000);
    const rows = await this.offers.closedWithoutLoan(this.deps.db, institutionId, from, to);
    return rows.map((r) => ({
      ...r,
      why: r.status === 'declined' ? `借款人谢绝${r.declineReason ? `：${declineReasons[r.declineReason as DeclineReason] ?? r.declineReason}` : ''}，未放款` : '报价过期未确认，未放款',
    }));
  }

  /** Operators: offers of the last `days` per institution and product, and how many were above what was advertised. */
  async aboveAdvertisedReport(days = 90) {
    const since = new Date(this.deps.clock.now().getTime() - days * 86_400_000);
    const rows = await this.offers.aboveAdvertisedReport(this.deps.db, since);
    return rows.map((r) => ({
      ...r,
      share: r.offers ? r.above / r.offers : 0,
      maxExcess: r.maxExcess === null ? null : Number(r.maxExcess),
      reasons: (r.reasons ?? []).filter((x): x is string => x !== null).map((x) => pricingReasons[x as PricingReason] ?? x),
    }));
  }

  private shares: { at: number; value: ReadonlyMap<string, number> } | undefined;

  /**
   * Per institution, the share of its offers of the last 90 days above the advertised range, for
   * ranking; an institution with fewer than MIN_OFFERS_FOR_SHARE offers counts as 0. Read at most
   * once a minute.
   */
  async aboveAdvertisedShares(): Promise<ReadonlyMap<string, number>> {
    const now = this.deps.clock.now().getTime();
    if (this.shares && now - this.shares.at < 60_000) return this.shares.value;
    const counts = await this.offers.aboveAdvertisedShare(this.deps.db, new Date(now - 90 * 86_400_000));
    const value = new Map([...counts].filter(([, c]) => c.offers >= MIN_OFFERS_FOR_SHARE).map(([id, c]) => [id, c.above / c.offers]));
    this.shares = { at: now, value };
    return value;
  }
}
