import type { Eligibility } from '../catalogue';
import { INSTITUTION_RECENT_DAYS, type OddsProduct } from './borrower-odds';
import { oddsFeatures, FEATURE_NAMES, type InstitutionRecord } from './features';
import { sigmoid } from './logistic';
import type { OddsHistoryRow } from './odds.repository';
import { TRUE_COEFFICIENTS, drawEmployment, seededRandom } from './synthetic';

/**
 * The demo's decided history: past decided applications to the demo products, drawn from a KNOWN
 * process, so the model fitted on them and its calibration show something true on first start.
 * Deterministic: the same products, seed, count and `now` give the same rows.
 *
 * The process (documented in docs/odds.md, 演示数据):
 * - decisions spread uniformly over the year before `now`, ending a month ago (HISTORY_DAYS);
 * - every eighth product is new: it gets 20–39 decisions only (数据不足 on the pages); the others
 *   share the rest, each with its own popularity (0.6–1.4);
 * - each institution draws applicants of its own quality: 信用分 ~ N(650 + shift, 90), the shift
 *   ~ N(0, 40) per institution, clamped to 350–950; monthly income log-normal around ¥8,000; existing
 *   debt payments 0–80% of income; employment 上班族 55%, 个体户 15%, 企业主 8%, 自由职业 15%, 学生 7%;
 *   each applicant meets the product's stated rules (the platform refuses the others), so a score
 *   or income below the product's minimum is raised to it and an excluded employment becomes 上班族;
 * - facts left out at random as borrowers do: score 10%, income 8%, debt 10%, employment 5%;
 * - the amount in the product's range, smaller amounts likelier (min + (max − min)·u²), whole ¥1,000;
 * - the outcome ~ Bernoulli(σ(DEMO_INTERCEPT + TRUE_COEFFICIENTS · x)), x the model's own features
 *   with the institution's record of the 90 days before the decision (the same synthetic.ts truth
 *   the unit tests recover), drawn in time order.
 */

export const DEMO_HISTORY_SEED = 20261206;
export const DEMO_HISTORY_COUNT = 3000;
/**
 * The intercept of the demo's process: lower than synthetic.ts's, because every demo applicant
 * meets the product's stated rules (about half are approved rather than 80%, so the pages show 高,
 * 中 and 低 alike). The coefficients are synthetic.ts's TRUE_COEFFICIENTS.
 */
export const DEMO_INTERCEPT = -0.2;
/** The history covers these days before `now`, the newest a month old (older than the 30-day duplicate window). */
export const HISTORY_DAYS = { from: 365, to: 31 } as const;

const DAY_MS = 24 * 3600_000;

export function generateDemoHistory(
  products: readonly (OddsProduct & { eligibility: Eligibility })[],
  options: { now: Date; seed?: number; count?: number; intercept?: number },
): OddsHistoryRow[] {
  const seed = options.seed ?? DEMO_HISTORY_SEED;
  const count = options.count ?? DEMO_HISTORY_COUNT;
  const intercept = options.intercept ?? DEMO_INTERCEPT;
  if (!products.length || count <= 0) return [];
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  const beta = FEATURE_NAMES.map((n) => TRUE_COEFFICIENTS[n]);

  const shift = new Map<string, number>();
  for (const p of products) if (!shift.has(p.institutionId)) shift.set(p.institutionId, 40 * normal());

  // how many decisions each product gets: new products few, the others by popularity
  const perProduct = products.map((_, i) => (i % 8 === 7 ? 20 + Math.floor(random() * 20) : 0));
  const fixed = perProduct.reduce((a, b) => a + b, 0);
  const weights = products.map((_, i) => (perProduct[i] ? 0 : 0.6 + 0.8 * random()));
  const total = weights.reduce((a, b) => a + b, 0);
  const picks: number[] = [];
  perProduct.forEach((n, i) => {
    for (let k = 0; k < n; k++) picks.push(i);
  });
  for (let k = 0; k < Math.max(0, count - fixed); k++) {
    let u = random() * total;
    let i = 0;
    while (i < weights.length - 1 && u >= weights[i]!) u -= weights[i++]!;
    if (perProduct[i]) i = weights.findIndex((w) => w > 0);
    picks.push(i);
  }

  const span = (HISTORY_DAYS.from - HISTORY_DAYS.to) * DAY_MS;
  const start = options.now.getTime() - HISTORY_DAYS.from * DAY_MS;
  const drawn = picks
    .map((i) => ({ product: products[i]!, at: Math.round(start + random() * span) }))
    .sort((a, b) => a.at - b.at);

  const windows = new Map<string, { at: number; approved: boolean }[]>();
  const rows: OddsHistoryRow[] = [];
  drawn.forEach(({ product, at }, n) => {
    const rules = product.eligibility;
    let score = Math.round(Math.min(950, Math.max(350, 650 + shift.get(product.institutionId)! + 90 * normal())));
    if (rules.minCreditScore && score < rules.minCreditScore) score = rules.minCreditScore + Math.floor(random() * 60);
    let income = Math.round(800_000 * Math.exp(0.5 * normal()));
    if (income < rules.minMonthlyIncomeFen) income = Math.round(rules.minMonthlyIncomeFen * (1 + 0.5 * random()));
    const debt = Math.round(income * 0.8 * random());
    let employment = drawEmployment(random);
    if ((employment === '学生' && rules.studentsExcluded) || (rules.employmentTypes.length && !rules.employmentTypes.includes(employment))) {
      employment = rules.employmentTypes[0] ?? '上班族';
    }
    const u = random();
    const amountFen = Math.min(product.maxAmountFen, Math.max(product.minAmountFen, Math.round((product.minAmountFen + u * u * (product.maxAmountFen - product.minAmountFen)) / 100_000) * 100_000));
    const applicant = {
      creditScore: random() < 0.1 ? null : score,
      monthlyIncomeFen: random() < 0.08 ? null : income,
      monthlyDebtFen: random() < 0.1 ? null : debt,
      employment: random() < 0.05 ? null : employment,
      amountFen,
    };
    // the institution's record of the 90 days before this decision
    const window = windows.get(product.institutionId) ?? [];
    windows.set(product.institutionId, window);
    while (window.length && window[0]!.at <= at - INSTITUTION_RECENT_DAYS * DAY_MS) window.shift();
    const institution: InstitutionRecord = { decided: window.length, approved: window.filter((w) => w.approved).length };
    const x = oddsFeatures({
      applicant,
      product: { minAmountFen: product.minAmountFen, maxAmountFen: product.maxAmountFen, minMonthlyIncomeFen: rules.minMonthlyIncomeFen },
      institution,
    });
    const approved = random() < sigmoid(x.reduce((eta, v, j) => eta + beta[j]! * v, intercept));
    window.push({ at, approved });
    rows.push({
      id: `hist_${seed}_${String(n).padStart(5, '0')}`,
      productId: product.id,
      institutionId: product.institutionId,
      ...applicant,
      approved,
      decidedAt: new Date(at),
      source: 'demo',
    });
  });
  return rows;
}
