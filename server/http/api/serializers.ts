import type { ComplaintEventView, ComplaintView } from '../../modules/feedback';
import type { Alternative, ApplicantData, ApplicationView, ApplicationWithTimeline, LeadDetail, RejectionExplanation } from '../../modules/applications';
import type { ProductView } from '../../modules/catalogue';
import type { Schedule } from '../../modules/pricing';
import type { ConsumerProfile, SessionAccount } from '../../modules/accounts';
import type { JournalWithEntries } from '../../modules/settlement';

/** Money leaves the API as yuan numbers with two decimals; rates as fractions. */
const yuan = (fen: number | null) => (fen === null ? null : Math.round(fen) / 100);
const rate = (r: string | null) => (r === null ? null : Number(r));

export function accountJson(a: SessionAccount) {
  return { id: a.id, kind: a.kind, role: a.role, displayName: a.displayName, login: a.loginMasked, institutionId: a.institutionId, mustChangePassword: a.mustChangePassword };
}

export function productJson(p: ProductView) {
  return {
    id: p.id,
    name: p.name,
    institution: { id: p.institutionId, name: p.institutionName, kind: p.institutionKind },
    category: p.category,
    summary: p.summary,
    /** boosted by a promotion running now (shown as 推广) */
    promoted: p.promoted ?? false,
    /** all-in APR range (IRR method, every fee included), as fractions */
    apr: { min: p.apr.min, max: p.apr.max, above24: p.aprAbove24 },
    amount: { min: yuan(p.minAmountFen), max: yuan(p.maxAmountFen) },
    termOptions: p.termOptions,
    /** nominal annual interest rate range, before fees */
    rate: { min: rate(p.rateMin), max: rate(p.rateMax) },
    fees: {
      upfrontRate: rate(p.upfrontFeeRate),
      upfrontMode: p.upfrontFeeMode,
      monthlyRate: rate(p.monthlyFeeRate),
      guaranteeRate: rate(p.guaranteeFeeRate),
      insuranceRate: rate(p.insuranceFeeRate),
      earlyRepaymentRate: rate(p.earlyRepaymentFeeRate),
      earlyRepaymentFreeAfterMonths: p.earlyRepaymentFreeAfterMonths,
      description: p.feeLines,
    },
    repaymentMethods: p.repaymentMethods,
    eligibility: {
      minAge: p.eligibility.minAge,
      maxAge: p.eligibility.maxAge,
      minMonthlyIncome: yuan(p.eligibility.minMonthlyIncomeFen),
      regions: p.eligibility.regions,
      employmentTypes: p.eligibility.employmentTypes,
      studentsExcluded: p.eligibility.studentsExcluded,
      minCreditScore: p.eligibility.minCreditScore ?? null,
    },
    requiredDocuments: p.requiredDocuments,
    tags: p.tags,
    decisionMinutes: p.decisionMinutes,
    disbursementHours: p.disbursementHours,
  };
}

export function scheduleJson(s: Schedule) {
  return {
    schedule: s.instalments.map((i) => ({
      period: i.period,
      dueDate: i.dueDate,
      payment: yuan(i.paymentFen),
      principal: yuan(i.principalFen),
      interest: yuan(i.interestFen),
      fee: yuan(i.feeFen),
      balance: yuan(i.balanceFen),
    })),
    totalPrincipal: yuan(s.totalPrincipalFen),
    totalInterest: yuan(s.totalInterestFen),
    totalFees: yuan(s.totalFeesFen),
    totalPayment: yuan(s.totalPaymentFen),
    netReceived: yuan(s.netReceivedFen),
    apr: Math.round(s.apr * 1e6) / 1e6,
  };
}

export function applicationJson(a: ApplicationView | ApplicationWithTimeline) {
  return {
    id: a.id,
    status: a.status,
    statusLabel: a.statusLabel,
    product: { id: a.productId, name: a.productName },
    institution: { id: a.institutionId, name: a.institutionName },
    amount: yuan(a.amountFen),
    termMonths: a.termMonths,
    purpose: a.purpose,
    applicant: { name: a.applicantNameMasked, city: a.applicantCity },
    offer:
      a.offeredAmountFen === null
        ? null
        : { amount: yuan(a.offeredAmountFen), termMonths: a.offeredTermMonths, apr: rate(a.offeredApr) },
    rejectReason: a.rejectReason,
    disbursement: a.disbursedAmountFen === null ? null : { amount: yuan(a.disbursedAmountFen), at: a.disbursedAt },
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    timeline:
      'events' in a
        ? a.events.map((e) => ({ from: e.fromStatus, to: e.toStatus, label: e.toLabel, actor: e.actorKind, note: e.note, at: e.createdAt }))
        : undefined,
  };
}

/** A rejected application's reason in words and the products suggested instead. */
export function rejectionJson(r: RejectionExplanation, alternatives: Alternative[]) {
  return {
    code: r.code,
    label: r.label,
    meaning: r.meaning,
    advice: r.advice,
    alternatives: alternatives.map((a) => ({
      product: { id: a.productId, name: a.productName },
      institution: { name: a.institutionName },
      odds: { band: a.odds.band, low: a.odds.low, high: a.odds.high, basis: a.odds.basis },
    })),
  };
}

export function journalJson(j: JournalWithEntries) {
  return {
    id: j.id,
    kind: j.kind,
    sourceKey: j.sourceKey,
    memo: j.memo,
    postedAt: j.postedAt,
    entries: j.entries.map((e) => ({ account: e.account, currency: e.currency, amount: yuan(e.amountFen) })),
  };
}

export function profileJson(p: ConsumerProfile) {
  return {
    age: p.age,
    city: p.city,
    monthlyIncome: yuan(p.monthlyIncomeFen),
    employment: p.employment,
    creditSelfAssessment: p.creditSelfAssessment,
    housing: p.housing,
    monthlyDebt: yuan(p.monthlyDebtFen),
    updatedAt: p.updatedAt,
  };
}


export function applicantJson(a: ApplicantData) {
  return {
    realName: a.realName ?? null,
    phone: a.phone ?? null,
    idNumber: a.idNumber ?? null,
    age: a.age ?? null,
    city: a.city ?? null,
    employment: a.employment ?? null,
    monthlyIncome: a.monthlyIncomeFen === undefined ? null : yuan(a.monthlyIncomeFen),
    housing: a.housing ?? null,
    monthlyDebt: a.monthlyDebtFen === undefined ? null : yuan(a.monthlyDebtFen),
    creditSelfAssessment: a.creditSelfAssessment ?? null,
    loan: a.loan ? { amount: yuan(a.loan.amountFen), termMonths: a.loan.termMonths, purpose: a.loan.purpose } : null,
  };
}

/** A lead for its institution: the application, the consent, and the consented fields (masked). */
export function leadJson(l: LeadDetail) {
  return {
    ...applicationJson(l),
    nextStatuses: l.nextStatuses,
    consent: l.consent ? { id: l.consent.id, fields: l.consent.fields, grantedAt: l.consent.grantedAt, withdrawnAt: l.consent.withdrawnAt } : null,
    applicant: l.applicant ? applicantJson(l.applicant) : null,
    contact: l.contact,
    riskFlags: l.riskFlags,
  };
}

/** A complaint as its consumer sees it over the API: their thread and status changes, never internal notes. */
export function complaintJson(c: ComplaintView & { events?: ComplaintEventView[] }) {
  return {
    id: c.id,
    category: c.category,
    categoryLabel: c.categoryLabel,
    subject: c.subject,
    description: c.description,
    status: c.status,
    statusLabel: c.statusLabel,
    institution: c.institutionId ? { id: c.institutionId, name: c.institutionName } : null,
    applicationId: c.applicationId,
    firstResponseDueAt: c.firstResponseDueAt,
    resolutionDueAt: c.resolutionDueAt,
    firstRespondedAt: c.firstRespondedAt,
    resolvedAt: c.resolvedAt,
    closedAt: c.closedAt,
    createdAt: c.createdAt,
    timeline: c.events?.map((e) => ({ kind: e.kind, from: e.actorKind, status: e.toStatus, body: e.body, at: e.createdAt })),
  };
}

/** One message of the thread on an application (consumer) or lead (institution). */
export const messageJson = (m: { id: string; senderKind: string; body: string; createdAt: Date }) => ({ id: m.id, from: m.senderKind, body: m.body, at: m.createdAt });
