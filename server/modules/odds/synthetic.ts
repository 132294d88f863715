import { oddsFeatures, FEATURE_NAMES, ODDS_EMPLOYMENT_TYPES } from './features';
import type { FeatureName, OddsProductTerms, InstitutionRecord } from './features';
import { sigmoid } from './logistic';
import type { OddsDecision } from './model';

/**
 * Decisions drawn from a KNOWN logistic process, seeded: the same seed gives the same decisions.
 * Used by the tests (the fit must recover what generated the data) and usable for demo history.
 *
 * The process: 6 institutions (one with no recent decisions), 12 products with their own amount
 * ranges and minimum incomes; borrowers with 信用分 ~ N(650, 90) clamped to 350–950, monthly income
 * log-normal around ¥8,000, existing debt payments 0–80% of income, employment drawn from the five
 * types; each fact left out at random (score 10%, income 8%, debt 10%, employment 5%); the amount
 * uniform in the product's range. Approval ~ Bernoulli(σ(TRUE_INTERCEPT + TRUE_COEFFICIENTS · x))
 * with x the model's own features, so a correct fit recovers TRUE_COEFFICIENTS.
 */

export const TRUE_INTERCEPT = 0.2;
export const TRUE_COEFFICIENTS: Record<FeatureName, number> = {
  score: 1.2,
  score_missing: -0.5,
  income_vs_min: 0.8,
  income_missing: -0.6,
  amount_position: -0.7,
  dti: -1.6,
  dti_missing: -0.4,
  emp_self_employed: -0.3,
  emp_business_owner: 0.4,
  emp_freelance: -0.6,
  emp_student: -1.3,
  emp_missing: -0.5,
  institution_rate: 0.9,
  institution_missing: -0.4,
};

/** mulberry32: a small, fast, seeded generator of uniform numbers in [0, 1). */
/** How often each employment type (ODDS_EMPLOYMENT_TYPES, in order) is drawn for a synthetic applicant. */
export const EMPLOYMENT_WEIGHTS = [0.55, 0.15, 0.08, 0.15, 0.07];

/** An employment type drawn by EMPLOYMENT_WEIGHTS. */
export function drawEmployment(random: () => number): string {
  let pick = random();
  for (let k = 0; k < EMPLOYMENT_WEIGHTS.length; k++) {
    if (pick < EMPLOYMENT_WEIGHTS[k]!) return ODDS_EMPLOYMENT_TYPES[k]!;
    pick -= EMPLOYMENT_WEIGHTS[k]!;
  }
  return ODDS_EMPLOYMENT_TYPES[0];
}

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticDecision extends OddsDecision {
  /** the true probability of approval the outcome was drawn with */
  trueProbability: number;
}

export interface SyntheticOptions {
  seed: number;
  count: number;
  intercept?: number;
  coefficients?: Record<FeatureName, number>;
  /** prefix of the decision ids (different prefixes give different held-out sides) */
  idPrefix?: string;
}

export function generateDecisions(options: SyntheticOptions): SyntheticDecision[] {
  const random = seededRandom(options.seed);
  const intercept = options.intercept ?? TRUE_INTERCEPT;
  const coefficients = options.coefficients ?? TRUE_COEFFICIENTS;
  const beta = FEATURE_NAMES.map((n) => coefficients[n]);
  const normal = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };

  const institutions: InstitutionRecord[] = [
    { approved: 0, decided: 0 },
    ...[0.35, 0.5, 0.6, 0.7, 0.85].map((rate) => {
      const decided = 40 + Math.floor(random() * 400);
      return { approved: Math.round(rate * decided), decided };
    }),
  ];
  const products: (OddsProductTerms & { id: string; institution: number })[] = Array.from({ length: 12 }, (_, i) => {
    const minAmountFen = (1 + Math.floor(random() * 10)) * 100_000;
    return {
      id: `p${i + 1}`,
      institution: i % institutions.length,
      minAmountFen,
      maxAmountFen: minAmountFen * (5 + Math.floor(random() * 50)),
      minMonthlyIncomeFen: [0, 300_000, 500_000, 800_000][Math.floor(random() * 4)]!,
    };
  });

  const decisions: SyntheticDecision[] = [];
  for (let i = 0; i < options.count; i++) {
    const product = products[Math.floor(random() * products.length)]!;
    const score = Math.round(Math.min(950, Math.max(350, 650 + 90 * normal())));
    const income = Math.round(800_000 * Math.exp(0.5 * normal()));
    const debt = Math.round(income * 0.8 * random());
    const employment = drawEmployment(random);
    const amountFen = Math.round(product.minAmountFen + random() * (product.maxAmountFen - product.minAmountFen));
    const applicant = {
      creditScore: random() < 0.1 ? null : score,
      monthlyIncomeFen: random() < 0.08 ? null : income,
      monthlyDebtFen: random() < 0.1 ? null : debt,
      employment: random() < 0.05 ? null : employment,
      amountFen,
    };
    const c = { applicant, product, institution: institutions[product.institution]! };
    const x = oddsFeatures(c);
    const trueProbability = sigmoid(x.reduce((eta, v, j) => eta + beta[j]! * v, intercept));
    decisions.push({
      id: `${options.idPrefix ?? 'd'}${i}`,
      productId: product.id,
      applicant,
      product: { minAmountFen: product.minAmountFen, maxAmountFen: product.maxAmountFen, minMonthlyIncomeFen: product.minMonthlyIncomeFen },
      institution: c.institution,
      approved: random() < trueProbability,
      trueProbability,
    });
  }
  return decisions;
}
