import type { ApplicationDetail, ApplicationView } from '../../modules/applications';
import type { ProductView } from '../../modules/catalogue';
import type { SessionAccount } from '../../modules/accounts';
import type { JournalWithEntries } from '../../modules/settlement';

/** Money leaves the API as yuan numbers with two decimals; rates as fractions. */
const yuan = (fen: number | null) => (fen === null ? null : Math.round(fen) / 100);
const rate = (r: string | null) => (r === null ? null : Number(r));

export function accountJson(a: SessionAccount) {
  return { id: a.id, kind: a.kind, role: a.role, displayName: a.displayName, login: a.loginMasked, institutionId: a.institutionId };
}

export function productJson(p: ProductView) {
  return {
    id: p.id,
    name: p.name,
    institution: { id: p.institutionId, name: p.institutionName, kind: p.institutionKind },
    category: p.category,
    summary: p.summary,
    amount: { min: yuan(p.minAmountFen), max: yuan(p.maxAmountFen) },
    termOptions: p.termOptions,
    rate: { min: rate(p.rateMin), max: rate(p.rateMax) },
    fees: { upfrontRate: rate(p.upfrontFeeRate), monthlyRate: rate(p.monthlyFeeRate) },
    repaymentMethods: p.repaymentMethods,
    eligibility: { ...p.eligibility, minMonthlyIncome: yuan(p.eligibility.minMonthlyIncomeFen), minMonthlyIncomeFen: undefined },
    requiredDocuments: p.requiredDocuments,
    tags: p.tags,
    decisionMinutes: p.decisionMinutes,
    disbursementHours: p.disbursementHours,
  };
}

export function applicationJson(a: ApplicationView | ApplicationDetail) {
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
