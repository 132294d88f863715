import { formatWan, type Fen } from '../../lib/money';
import { checkEligibility, pricingInput, type CatalogueService, type EligibilityProfile, type ProductView } from '../catalogue';
import { productSchedule, type RepaymentMethod } from '../pricing';

export interface RecommendationRequest {
  amountFen?: Fen;
  termMonths?: number;
  purpose?: string;
  profile: EligibilityProfile;
  /** keyed visitor id: what they browsed and searched */
  visitor?: string;
  limit?: number;
  /** products the borrower has already applied for or borrowed from: never recommended again */
  taken?: ReadonlySet<string>;
}

/** Why listed products were not candidates, counted: what an empty list tells the borrower. */
export interface LeftOut {
  /** already applied for or borrowed from */
  taken: number;
  /** the borrower's facts break the product's rules */
  ineligible: number;
  /** the product does not lend this amount or for this term */
  outsideNeed: number;
}

export interface Recommendation {
  product: ProductView;
  score: number;
  reasons: string[];
  /** all-in APR for the stated need (or the product's lowest) */
  apr: number;
  /** first instalment for the stated need, when amount and term are known */
  monthlyPaymentFen?: Fen;
}

/** Which categories suit a stated purpose. */
export const purposeCategories: Record<string, string[]> = {
  消费: ['消费贷', '信用贷'],
  装修: ['装修贷', '消费贷'],
  教育: ['教育贷', '消费贷'],
  医疗: ['消费贷', '信用贷'],
  旅游: ['消费贷', '信用贷'],
  经营周转: ['经营贷'],
  购车: ['车贷'],
  其他: [],
};

const weights = { apr: 0.35, approval: 0.2, speed: 0.1, purpose: 0.15, history: 0.1, popularity: 0.1 };

export interface RecommendationsServiceDeps {
  catalogue: CatalogueService;
}

/**
 * Recommends listed products the consumer is eligible for, scored on price for their need,
 * likelihood of approval, speed, fit with their purpose and what they looked at; every
 * recommendation says why in words. Ineligible products are never recommended.
 */
export class RecommendationsService {
  constructor(private readonly deps: RecommendationsServiceDeps) {}

  /** The listed products that may be recommended, and how many were left out for which reason (the first that applies). */
  private screen(req: RecommendationRequest): { candidates: ProductView[]; leftOut: LeftOut } {
    const leftOut: LeftOut = { taken: 0, ineligible: 0, outsideNeed: 0 };
    const reasonLeftOut = (p: ProductView): keyof LeftOut | undefined => {
      if (req.taken?.has(p.id)) return 'taken';
      if (!checkEligibility(p.eligibility, req.profile).eligible) return 'ineligible';
      if (req.amountFen !== undefined && (req.amountFen < p.minAmountFen || req.amountFen > p.maxAmountFen)) return 'outsideNeed';
      if (req.termMonths !== undefined && !p.termOptions.includes(req.termMonths)) return 'outsideNeed';
      return undefined;
    };
    const candidates = this.deps.catalogue.allListed().filter((p) => {
      const reason = reasonLeftOut(p);
      if (reason) leftOut[reason] += 1;
      return reason === undefined;
    });
    return { candidates, leftOut };
  }

  /** Why a recommendation list is empty (or short): the products left out, by reason. */
  leftOut(req: RecommendationRequest): LeftOut {
    return this.screen(req).leftOut;
  }

  async recommend(req: RecommendationRequest): Promise<Recommendation[]> {
    const history = req.visitor ? await this.deps.catalogue.recentEvents(req.visitor, 100) : [];
    const viewedCategories = new Map<string, number>();
    const viewedIds = new Set<string>();
    for (const e of history) {
      if (!e.productId) continue;
      viewedIds.add(e.productId);
      try {
        const category = this.deps.catalogue.getListed(e.productId).category;
        viewedCategories.set(category, (viewedCategories.get(category) ?? 0) + 1);
      } catch {
        /* no longer listed */
      }
    }
    const topViewed = [...viewedCategories].sort((a, b) => b[1] - a[1])[0]?.[0];
    const purposeFit = new Set(req.purpose ? (purposeCategories[req.purpose] ?? []) : []);

    const { candidates } = this.screen(req);
    if (candidates.length === 0) return [];

    const priced = candidates.map((product) => {
      if (req.amountFen !== undefined && req.termMonths !== undefined) {
        const schedule = productSchedule(pricingInput(product), {
          principalFen: req.amountFen,
          termMonths: req.termMonths,
          method: product.repaymentMethods[0] as RepaymentMethod,
        });
        return { product, apr: schedule.apr, monthlyPaymentFen: schedule.instalments[0]?.paymentFen };
      }
      return { product, apr: product.apr.min, monthlyPaymentFen: undefined };
    });
    const byApr = [...priced].sort((a, b) => a.apr - b.apr);
    const aprRank = new Map(byApr.map((p, i) => [p.product.id, i]));
    const maxPopularity = Math.max(1, ...priced.map((p) => this.deps.catalogue.outcomes(p.product.id).applications30d));
    const knowsProfile = Object.values(req.profile).some((v) => v !== undefined);
    // a recommendation slot bought for now: a labelled boost among eligible products, never a filter
    const promotion = await this.deps.catalogue.promotedNow('recommendation');

    const scored = priced.map(({ product, apr, monthlyPaymentFen }) => {
      const outcome = this.deps.catalogue.outcomes(product.id);
      const rank = aprRank.get(product.id)!;
      const aprScore = priced.length > 1 ? 1 - rank / (priced.length - 1) : 1;
      const speedScore = 1 / (1 + product.decisionMinutes / 60);
      const purposeScore = purposeFit.has(product.category) ? 1 : 0;
      const historyScore = topViewed && product.category === topViewed ? 1 : 0;
      const popularityScore = outcome.applications30d / maxPopularity;
      const score =
        weights.apr * aprScore +
        weights.approval * outcome.approvalRate +
        weights.speed * speedScore +
        weights.purpose * purposeScore +
        weights.history * historyScore +
        weights.popularity * popularityScore +
        (promotion.ids.has(product.id) ? promotion.weight : 0);

      const reasons: string[] = [];
      if (req.amountFen !== undefined && req.termMonths !== undefined) {
        reasons.push(`你的需求${formatWan(req.amountFen)}/${req.termMonths}期在额度范围内`);
      } else if (req.amountFen !== undefined) {
        reasons.push(`你需要的${formatWan(req.amountFen)}在额度范围内`);
      }
      if (rank < 3 && priced.length > 3) reasons.push('综合年化最低的三款之一');
      if (purposeScore) reasons.push(`适合「${req.purpose}」用途`);
      if (outcome.decided >= 5 && outcome.approvalRate >= 0.7) reasons.push(`近期审批通过率约 ${Math.round(outcome.approvalRate * 100)}%`);
      if (product.decisionMinutes <= 30) reasons.push(`最快 ${product.decisionMinutes} 分钟审批`);
      if (historyScore && !viewedIds.has(product.id)) reasons.push(`与你浏览过的${product.category}产品相似`);
      if (!product.hasFees) reasons.push('除利息外无其他费用');
      if (knowsProfile) reasons.push('符合你填写的申请条件');
      return { product: promotion.ids.has(product.id) ? { ...product, promoted: true } : product, score, reasons, apr, monthlyPaymentFen };
    });

    scored.sort((a, b) => b.score - a.score || a.apr - b.apr || a.product.id.localeCompare(b.product.id));
    // at most two per institution, so one lender cannot fill the list
    const perInstitution = new Map<string, number>();
    const picked: Recommendation[] = [];
    for (const r of scored) {
      const n = perInstitution.get(r.product.institutionId) ?? 0;
      if (n >= 2) continue;
      perInstitution.set(r.product.institutionId, n + 1);
      picked.push(r);
      if (picked.length >= (req.limit ?? 6)) break;
    }
    return picked;
  }
}
