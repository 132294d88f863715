import type { Database } from '../../db/client';
import { ForbiddenError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { formatWan, type Fen } from '../../lib/money';
import type { PiiCipher } from '../../lib/pii';
import { withLockedTransaction, WriteBatch, type Tx } from '../../lib/tx';
import { consumerProfileOf, type AccountsService, type SessionAccount } from '../accounts';
import type { AuditService, RequestOrigin } from '../audit';
import type { RiskService } from '../risk';
import { checkEligibility, eligibilityProfileOf, type CatalogueService, type ProductView } from '../catalogue';
import { standardApplicationFields, type ConsentsService, type ReleasableField } from '../consents';
import type { IdentityService } from '../identity';
import type { WebhooksService } from '../webhooks';
import type { PrescreenService } from '../prescreen';
import type { NotificationsService } from '../notifications';
import type { SettlementService } from '../settlement';
import { rejectReasons, type RejectReason } from './status-machine';
import { ApplicationsRepository, asStored, consumerSubmissionsLock, eventAsStored, type ApplicationEventInsert, type ApplicationInsert } from './applications.repository';
import { applicationView, withStatusLabel, type ApplicationWithTimeline } from './application-view';
import type { Clock } from '../../lib/clock';
import { betterAlternatives, type Alternative } from './rejection';
import { DUPLICATE_WINDOW_DAYS, precheck, recentDuplicates, type PrecheckDeps, type PrecheckResult } from './precheck';
import type { BorrowerFacts, OddsModel } from '../odds';

export { DUPLICATE_WINDOW_DAYS };

/** What an institution receives about an applicant: only the fields consented to. */
export interface ApplicantData {
  realName?: string;
  phone?: string;
  idNumber?: string;
  age?: number;
  city?: string;
  employment?: string;
  monthlyIncomeFen?: number;
  housing?: string;
  monthlyDebtFen?: number;
  creditSelfAssessment?: string;
  loan?: { amountFen: Fen; termMonths: number; purpose: string };
}

export interface ApplyItem {
  productId: string;
  amountFen: Fen;
  termMonths: number;
}

export interface ApplyRequest {
  items: ApplyItem[];
  purpose: string;
  /** one per institution the consumer ticked on the consent screen, with the fields shown there */
  consents: { institutionId: string; fields: ReleasableField[] }[];
}

/** A submission's outcome: the applications made (ids, and as the consumer is answered, in the same order) and the products refused. */
export interface SubmissionResult {
  created: string[];
  applications: ApplicationWithTimeline[];
  refused: Refusal[];
}

export type RefusalCode = 'no_consent' | 'ineligible' | 'duplicate' | 'invalid';

export interface Refusal {
  productId: string;
  productName?: string;
  institutionName?: string;
  code: RefusalCode;
  reasons: string[];
  existingApplicationId?: string;
}

/** The consent screen for a set of products: each institution, the purpose, the exact fields. */
export interface ConsentRequest {
  institutionId: string;
  institutionName: string;
  products: { id: string; name: string }[];
  purpose: string;
  fields: ReleasableField[];
}

export class IdentityRequiredError extends ForbiddenError {
  constructor() {
    super('申请前请先完成实名认证', 'identity_required');
  }
}

export interface SubmissionServiceDeps {
  /** the latest 信用评估's score, preferred over the self-assessed dropdown in eligibility */
  credit?: { latestScore(accountId: string): Promise<number | null> };
  /** 下款概率: the model in use and the institutions' records (the precheck); the facts it reads are recorded with each application */
  odds?: PrecheckDeps['odds'] & { recordFacts(tx: Tx | WriteBatch, applicationIds: string[], facts: BorrowerFacts): Promise<void> };
  risk: RiskService;
  clock: Clock;
  db: Database;
  pii: PiiCipher;
  catalogue: CatalogueService;
  accounts: AccountsService;
  identity: IdentityService;
  consents: ConsentsService;
  audit: AuditService;
  webhooks: WebhooksService;
  prescreen: PrescreenService;
  notifications: NotificationsService;
  settlement: SettlementService;
}

/**
 * One form to many institutions (一键申请多家). Each product's application is created only when
 * its institution has the consumer's own recorded consent, the consumer is eligible, and there
 * is no application to the same product in the last 30 days; the others are refused with the
 * reason, before any data leaves. All accepted applications, their consents and the record of
 * what was released commit together.
 */
export class SubmissionService {
  private readonly applications: ApplicationsRepository;

  constructor(private readonly deps: SubmissionServiceDeps) {
    this.applications = new ApplicationsRepository(deps.db);
  }

  consentRequests(productIds: string[], purpose?: string): ConsentRequest[] {
    const byInstitution = new Map<string, ConsentRequest>();
    for (const id of new Set(productIds)) {
      let p: ProductView;
      try {
        p = this.deps.catalogue.getListed(id);
      } catch {
        continue;
      }
      const entry = byInstitution.get(p.institutionId) ?? {
        institutionId: p.institutionId,
        institutionName: p.institutionName,
        products: [],
        purpose: '',
        fields: standardApplicationFields,
      };
      entry.products.push({ id: p.id, name: p.name });
      entry.purpose = `用于审核你申请的${entry.products.map((x) => `「${x.name}」`).join('')}贷款${purpose ? `（用途：${purpose}）` : ''}，并就该申请与你联系`;
      byInstitution.set(p.institutionId, entry);
    }
    return [...byInstitution.values()];
  }

  /** 预审 (precheck.ts): eligibility, the 30-day duplicate, odds and price per product, before any consent; writes nothing. */
  precheck(accountId: string, productIds: string[], choice: { amountFen?: Fen; termMonths?: number; method?: string }): Promise<PrecheckResult> {
    return this.withModel((model) => precheck(this.deps, this.applications, accountId, productIds, choice, model));
  }

  /**
   * After a rejection: products the borrower may apply for now at the amount they asked, with
   * better odds than the product that refused (`betterAlternatives`), from the same precheck the
   * apply page uses (eligibility, 30-day duplicates, odds). The caller has checked the application is theirs.
   */
  async alternativesAfterRejection(accountId: string, rejected: { productId: string; amountFen: Fen }): Promise<Alternative[]> {
    const ids = [rejected.productId, ...this.deps.catalogue.allListed().map((p) => p.id)];
    const result = await this.precheck(accountId, ids, { amountFen: rejected.amountFen });
    return betterAlternatives(result.items, rejected.productId);
  }

  /** The products applied for and their institutions, as this instance lists them (the database says which are still listed). */
  private applyingFor(items: ApplyItem[]): { productIds: string[]; institutionIds: string[] } {
    const productIds = [...new Set(items.map((i) => i.productId))];
    const institutionIds = new Set<string>();
    for (const id of productIds) {
      try {
        institutionIds.add(this.deps.catalogue.getListed(id).institutionId);
      } catch {
        // not listed here: refused below, before any read of it matters
      }
    }
    return { productIds, institutionIds: [...institutionIds] };
  }

  private async withModel<T>(work: (model: OddsModel | null) => Promise<T>): Promise<T> {
    return work((await this.deps.odds?.current()) ?? null);
  }

  /**
   * 申请 (one product or many), the whole use case for both doors: each accepted application with
   * its consent, release, webhook, audit row, pre-screen decision and CPL, and the submission's
   * device and address for anti-fraud, commit together; the catalogue's apply events follow.
   * `keepOutcome`, when given, adds the caller's answer to the same write batch (an Idempotency-Key's
   * outcome, http/idempotency.ts), with the result as it will be returned.
   */
  async apply(
    consumer: SessionAccount,
    req: ApplyRequest,
    origin: RequestOrigin,
    keepOutcome?: (batch: WriteBatch, result: SubmissionResult) => Promise<void>,
  ): Promise<SubmissionResult> {
    const { actor } = origin;
    if (req.items.length === 0) throw new ValidationError('请至少选择一款产品', { products: '请至少选择一款产品' });
    if (req.items.length > 10) throw new ValidationError('一次最多申请 10 款产品', { products: '一次最多申请 10 款产品' });
    const applyingFor = this.applyingFor(req.items);
    // before the transaction, not in it: on PGlite a read outside the open transaction waits for it to end
    const thresholds = await this.deps.risk.thresholds();
    const refused: Refusal[] = [];
    const created: string[] = [];
    const submitted: ApplicationWithTimeline[] = [];
    const delivered: { applicationId: string; institutionId: string; productId: string }[] = [];
    // one submission at a time per consumer, so the 30-day duplicate check cannot race; `now` is the transaction's
    await withLockedTransaction(this.deps.db, consumerSubmissionsLock(consumer.id), {
      // read after the lock, in the round trip that takes it: what the rules read about the
      // consumer, what a release sends, which products are still listed and their institutions'
      // pre-screen rules (one statement; each module opens its own rows), and the consumer's
      // applications of the last 30 days to these products
      read: (tx) =>
        Promise.all([
          this.applications.submissionFacts(consumer.id, applyingFor, tx),
          recentDuplicates(this.applications, tx, consumer.id, applyingFor.productIds, this.deps.clock.now()),
        ]),
      work: async ({ tx, now, read: [borrower, duplicates], commitWith }) => {
        if (!borrower) throw new Error(`no account ${consumer.id}`);
        const { summary: identity, reveal } = this.deps.identity.releaseFrom(consumer.id, borrower.identity);
        const profile = consumerProfileOf(borrower.profile);
        const { creditScore } = borrower;
        const phone = this.deps.accounts.phoneFromLogin(borrower.loginEnc);
        if (!identity.verified || !reveal) throw new IdentityRequiredError();
        const eligibility = { ...eligibilityProfileOf(profile, creditScore), age: identity.age };
        const consentFor = new Map(req.consents.map((c) => [c.institutionId, c]));
        for (const c of req.consents) {
          const missing = standardApplicationFields.filter((f) => !c.fields.includes(f));
          if (missing.length) {
            throw new ValidationError('授权的信息不完整', { consents: `机构审核申请需要：${standardApplicationFields.join('、')}` });
          }
        }

        const accepted: { item: ApplyItem; product: ProductView }[] = [];
        const seen = new Set<string>();
        for (const item of req.items) {
          if (seen.has(item.productId)) continue;
          seen.add(item.productId);
          let product: ProductView;
          try {
            product = this.deps.catalogue.getListed(item.productId);
          } catch {
            refused.push({ productId: item.productId, code: 'invalid', reasons: ['产品不存在或已下架'] });
            continue;
          }
          const base = { productId: product.id, productName: product.name, institutionName: product.institutionName };
          const problems: string[] = [];
          if (item.amountFen < product.minAmountFen || item.amountFen > product.maxAmountFen) {
            problems.push(`借款金额需在 ${formatWan(product.minAmountFen)} 至 ${formatWan(product.maxAmountFen)} 之间`);
          }
          if (!product.termOptions.includes(item.termMonths)) problems.push(`可选期限：${product.termOptions.join('、')} 个月`);
          if (problems.length) {
            refused.push({ ...base, code: 'invalid', reasons: problems });
            continue;
          }
          if (!consentFor.has(product.institutionId)) {
            refused.push({ ...base, code: 'no_consent', reasons: [`你没有授权向${product.institutionName}提供信息，未向其提交`] });
            continue;
          }
          const check = checkEligibility(product.eligibility, eligibility);
          if (!check.eligible) {
            refused.push({ ...base, code: 'ineligible', reasons: check.reasons });
            continue;
          }
          accepted.push({ item, product });
        }

        const releasing: { item: ApplyItem; product: ProductView }[] = [];
        for (const { item, product } of accepted) {
          if (!borrower.listedIds.has(product.id)) {
            refused.push({ productId: product.id, productName: product.name, institutionName: product.institutionName, code: 'invalid', reasons: ['产品不存在或已下架'] });
            continue;
          }
          const existing = duplicates.get(product.id);
          if (existing) {
            refused.push({
              productId: product.id,
              productName: product.name,
              institutionName: product.institutionName,
              code: 'duplicate',
              reasons: [`30 天内已申请过该产品，请查看已有申请`],
              existingApplicationId: existing.id,
            });
            continue;
          }
          releasing.push({ item, product });
        }
        if (releasing.length === 0) return;

        // the clear identity opened for the release, its reveal audited with the applications below
        const clear = reveal('application submission');
        const leads = releasing.map(({ item, product }) => {
          const { fields } = consentFor.get(product.institutionId)!;
          const data: ApplicantData = pick(
            {
              realName: clear.realName,
              phone,
              idNumber: clear.idNumber,
              age: identity.age,
              city: profile.city ?? undefined,
              employment: profile.employment ?? undefined,
              monthlyIncomeFen: profile.monthlyIncomeFen ?? undefined,
              housing: profile.housing ?? undefined,
              monthlyDebtFen: profile.monthlyDebtFen ?? undefined,
              creditSelfAssessment: profile.creditSelfAssessment ?? undefined,
              loan: { amountFen: item.amountFen, termMonths: item.termMonths, purpose: req.purpose },
            },
            fields,
          );
          return { id: newId('app'), item, product, fields, data };
        });

        // the institutions' pre-screen rules, on what the consumer consented to give each
        const decisions = await this.deps.prescreen.decide(
          tx,
          borrower.rules,
          leads.map(({ item, product, fields, data }) => ({
            institutionId: product.institutionId,
            facts: {
              // the consented credit field: the latest 信用评估's score, else the self-assessed band's
              creditScore: fields.includes('creditSelfAssessment') ? eligibility.creditScore : undefined,
              monthlyIncomeFen: data.monthlyIncomeFen,
              age: data.age,
              amountFen: item.amountFen,
              city: data.city,
            },
          })),
        );

        // every row of the submission, whatever module owns it, goes in one statement at the flush
        // below: each application's consent and the release of its data, the applications (a fast
        // lane pre-screen decision already set) with their first event, the facts the odds model
        // will read once they are decided, the lead.created webhooks, the audit rows, the CPL
        // queued for every lead (accrued once this commits, no month lock here, so submissions
        // to one institution do not wait for each other) and the anti-fraud signals
        const batch = new WriteBatch(tx);
        const consentIds = await this.deps.consents.grantWithSubmission(
          batch,
          leads.map((l) => ({
            consumerId: consumer.id,
            institutionId: l.product.institutionId,
            applicationId: l.id,
            purpose: this.consentRequests([l.product.id], req.purpose)[0]!.purpose,
            fields: l.fields,
          })),
          { ip: actor.ip ?? '', deviceHash: origin.device, door: origin.door },
          consumer.id,
        );
        const rows: ApplicationInsert[] = leads.map((l, i) => ({
          id: l.id,
          consumerId: consumer.id,
          productId: l.product.id,
          institutionId: l.product.institutionId,
          amountFen: l.item.amountFen,
          termMonths: l.item.termMonths,
          purpose: req.purpose,
          applicantNameEnc: this.deps.pii.encrypt(clear.realName),
          applicantCity: profile.city ?? '',
          applicantCreditBand: l.fields.includes('creditSelfAssessment') ? profile.creditSelfAssessment : null,
          consentId: consentIds[i]!,
          releasedDataEnc: this.deps.pii.encrypt(JSON.stringify(l.data)),
          ...(!decisions[i]!.decline && decisions[i]!.fast ? { queue: 'fast' as const } : {}),
        }));
        const firstEvents: ApplicationEventInsert[] = leads.map((l) => ({ applicationId: l.id, fromStatus: null, toStatus: 'submitted', actorKind: 'consumer', actorId: consumer.id, note: '申请已提交' }));
        await this.applications.insertManyWithEvents(batch, rows, firstEvents);
        await this.deps.odds?.recordFacts(
          batch,
          leads.map((l) => l.id),
          { creditScore: eligibility.creditScore ?? null, monthlyIncomeFen: profile.monthlyIncomeFen, monthlyDebtFen: profile.monthlyDebtFen, employment: profile.employment },
        );
        // the institutions' own systems hear about it; no personal data travels in the webhook,
        // they fetch the consented fields through the audited API
        await this.deps.webhooks.enqueueInBatch(
          batch,
          leads.map(({ id, item, product }) => ({
            institutionId: product.institutionId,
            event: 'lead.created',
            payload: {
              leadId: id,
              productId: product.id,
              productName: product.name,
              amount: item.amountFen / 100,
              termMonths: item.termMonths,
              purpose: req.purpose,
              url: `/api/partner/v1/leads/${id}`,
            },
          })),
        );
        await this.deps.audit.recordMany(
          actor,
          [
            { ...clear.audit, actor: { ...actor, kind: 'system', id: 'submission' } },
            ...leads.map(({ id, product }, i) => ({ action: 'application.created' as const, objectType: 'application' as const, objectId: id, detail: { productId: product.id, consentId: consentIds[i]! } })),
          ],
          batch,
        );
        for (const { id, product } of leads) {
          created.push(id);
          delivered.push({ applicationId: id, institutionId: product.institutionId, productId: product.id });
        }
        const at = this.deps.clock.now();
        await this.deps.settlement.queueAccruals(
          batch,
          delivered.map((lead) => ({ rule: 'cpl', applicationId: lead.applicationId, institutionId: lead.institutionId, at })),
        );
        await this.deps.risk.recordApplications(batch, consumer.id, created, { device: origin.device, ip: actor.ip ?? '' }, thresholds);

        // the answer is made of the rows as written (nothing read back); a declining pre-screen
        // rule rejects its application at once, after it was submitted (written after the flush)
        const declined: { id: string; product: ProductView; reason: RejectReason; rejection: Partial<ApplicationInsert>; event: ApplicationEventInsert }[] = [];
        for (const [i, { id, product }] of leads.entries()) {
          let row = asStored(rows[i]!, now);
          const events = [eventAsStored(firstEvents[i]!, now)];
          const decline = decisions[i]!.decline;
          if (decline) {
            const reason = decline.rejectReason as RejectReason;
            const rejection = { status: 'rejected' as const, rejectReason: reason, updatedAt: this.deps.clock.now() };
            const event: ApplicationEventInsert = {
              applicationId: id,
              fromStatus: 'submitted',
              toStatus: 'rejected',
              actorKind: 'system',
              actorId: decline.id,
              note: `机构预筛规则：${decline.name}`,
              data: { reason, ruleId: decline.id },
            };
            declined.push({ id, product, reason, rejection, event });
            row = { ...row, ...rejection };
            events.push(eventAsStored(event, now));
          }
          submitted.push({ ...applicationView(row, { productName: product.name, institutionName: product.institutionName }, clear.realName), events: events.map(withStatusLabel) });
        }
        await keepOutcome?.(batch, { created, applications: submitted, refused });
        // the batch goes with `commit` unless a declining rule's rejection must follow it
        if (declined.length === 0) return commitWith(batch);
        await batch.flush();
        for (const { id, product, reason, rejection, event } of declined) {
          await this.applications.update(tx, id, rejection);
          await this.applications.insertEvent(tx, event);
          await this.deps.notifications.notify(
            consumer.id,
            { kind: 'application.rejected', title: `${product.name}：已拒绝`, body: `很遗憾，申请未通过：${rejectReasons[reason] ?? reason}。`, link: `/applications/${id}` },
            tx,
          );
        }
      },
    });
    for (const lead of delivered) this.deps.catalogue.recordEvent(origin.visitor, 'apply', { productId: lead.productId, channel: origin.door });
    return { created, applications: submitted, refused };
  }
}

function pick(data: ApplicantData, fields: ReleasableField[]): ApplicantData {
  const map: Record<ReleasableField, keyof ApplicantData> = {
    realName: 'realName',
    phone: 'phone',
    idNumber: 'idNumber',
    age: 'age',
    city: 'city',
    employment: 'employment',
    monthlyIncome: 'monthlyIncomeFen',
    housing: 'housing',
    monthlyDebt: 'monthlyDebtFen',
    creditSelfAssessment: 'creditSelfAssessment',
    loanRequest: 'loan',
    documents: 'loan', // documents are uploaded after submission; nothing to copy here
  };
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f === 'documents') continue;
    const key = map[f];
    if (data[key] !== undefined) out[key] = data[key];
  }
  return out as ApplicantData;
}
