import { oddsFeatures, smoothedInstitutionRate } from './features';
import type { OddsCase, InstitutionRecord } from './features';
import { predictInterval, Z80 } from './logistic';
import { RELIABILITY_BINS } from './calibration';
import { assertCurrentFeatures } from './model';
import type { OddsModel } from './model';

/**
 * From a probability to what a borrower reads: a band and a percentage range, or 数据不足 with a
 * prior from the product's stated criteria. Never a promise: 高 means "most people like you were
 * approved", not "you will be".
 */

export type OddsBand = '高' | '中' | '低' | '数据不足';

/** 高 from this probability up. */
export const HIGH_FROM = 0.6;
/** 中 from this probability up (below it: 低). */
export const MEDIUM_FROM = 0.3;
/** A product with fewer decided applications than this gets 数据不足 and the prior, not the model. */
export const MIN_PRODUCT_DECISIONS = 50;
/** A reliability bin widens the range only when it holds at least this many held-out decisions. */
export const MIN_BIN_COUNT = 30;
/** The prior's range when the stated rules rule the borrower out. */
export const INELIGIBLE_PRIOR = { low: 0, high: 0.1 } as const;

export interface Odds {
  band: OddsBand;
  /** the range, as fractions rounded outwards to whole percents */
  low: number;
  high: number;
  basis: 'model' | 'prior';
  /** decided applications of this product the answer rests on */
  decisions: number;
  /** the model's point estimate (null under the prior, which gives only a range) */
  probability: number | null;
}

export function bandOf(probability: number): Exclude<OddsBand, '数据不足'> {
  if (probability >= HIGH_FROM) return '高';
  if (probability >= MEDIUM_FROM) return '中';
  return '低';
}

const outwards = (low: number, high: number) => ({
  low: Math.max(0, Math.floor(low * 100 + 1e-9) / 100),
  high: Math.min(1, Math.ceil(high * 100 - 1e-9) / 100),
});

/**
 * The model's odds: the band of the point estimate; the range is the 80% interval from the fit's
 * uncertainty (Laplace covariance), widened on each side by the held-out calibration gap
 * |observed − mean predicted| of the reliability bin the estimate falls in (when that bin holds at
 * least MIN_BIN_COUNT decisions), so a bin where the model was off shows a wider range.
 */
export function modelOdds(model: OddsModel, c: OddsCase, decisions: number): Odds {
  assertCurrentFeatures(model);
  const { probability, low, high } = predictInterval(model, oddsFeatures(c), Z80);
  const bin = model.calibration.model.reliability[Math.min(RELIABILITY_BINS - 1, Math.floor(probability * RELIABILITY_BINS))];
  const gap = bin && bin.count >= MIN_BIN_COUNT ? Math.abs(bin.observedRate! - bin.meanPredicted!) : 0;
  return { band: bandOf(probability), ...outwards(low - gap, high + gap), basis: 'model', decisions, probability };
}

/**
 * The prior, for a product with too few decisions (always labelled 数据不足):
 * - not eligible by the product's stated rules: 0–10% (INELIGIBLE_PRIOR);
 * - eligible (no stated rule rules the borrower out): the 80% interval of the institution's recent
 *   approval rate under a Beta(2, 2) prior (normal approximation), i.e. "people the institution
 *   decided on recently were approved this often"; with no recent decisions that is 21%–79%.
 */
export function priorOdds(input: { eligible: boolean; institution: InstitutionRecord; decisions: number }): Odds {
  if (!input.eligible) return { band: '数据不足', ...INELIGIBLE_PRIOR, basis: 'prior', decisions: input.decisions, probability: null };
  const mean = smoothedInstitutionRate(input.institution);
  const n = input.institution.decided + 4; // Beta(a, b) with a + b = decided + 4
  const sd = Math.sqrt((mean * (1 - mean)) / (n + 1));
  return { band: '数据不足', ...outwards(mean - Z80 * sd, mean + Z80 * sd), basis: 'prior', decisions: input.decisions, probability: null };
}

/**
 * The odds of one borrower for one product. `eligible` is the product's stated rules checked
 * against the borrower (the catalogue's eligibility check). The stated rules come first:
 * - fewer than MIN_PRODUCT_DECISIONS decided applications of the product: 数据不足 with the prior;
 * - enough decisions but a stated rule rules the borrower out: 低, 0–10%, basis 'prior' (the model
 *   never overrides the product's own rules with a higher number);
 * - otherwise the model.
 */
export function productOdds(model: OddsModel | null, c: OddsCase & { productId: string; eligible: boolean }): Odds {
  const decisions = model?.decisionsByProduct[c.productId] ?? 0;
  if (!model || decisions < MIN_PRODUCT_DECISIONS) return priorOdds({ eligible: c.eligible, institution: c.institution, decisions });
  if (!c.eligible) return { band: '低', ...INELIGIBLE_PRIOR, basis: 'prior', decisions, probability: null };
  return modelOdds(model, c, decisions);
}
