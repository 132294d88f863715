/**
 * 下款概率 (approval odds): the probability that a borrower is approved for a product, estimated
 * from the platform's own decided applications. Pure TypeScript, no database: the caller loads
 * the decisions, stores the fitted model (plain JSON) and asks for odds. Described for readers in
 * docs/odds.md. Nothing here promises approval: a probability is how often people like this
 * borrower were approved, not a decision.
 *
 * - **Features** (`features.ts`): 信用分 ((score − 650) / 100), income against the product's
 *   minimum (log2 of the ratio), the amount's position in the product's range (−1…+1),
 *   debt-to-income (0…1.5), employment (one-hot, 上班族 the reference) and the institution's
 *   recent approval rate (logit, Beta(2, 2)-smoothed). A fact not told is set to the reference
 *   point AND flagged by its own `*_missing` indicator, never silently 0.
 * - **Fit** (`logistic.ts`): L2-regularised logistic regression (λ = 1, intercept not penalised)
 *   by Newton's method / IRLS with step halving; deterministic; the inverse Hessian is the
 *   Laplace covariance used for ranges.
 * - **Calibration** (`calibration.ts`): 20% of decisions are held out by a hash of their id
 *   (stable as data grows); on them the Brier score, log loss, the 10-bin reliability diagram
 *   (mean predicted, observed rate, count) and the expected calibration error, for the model and
 *   for the base-rate model (the training approval rate for everyone).
 * - **Bands** (`bands.ts`): 高 ≥ 60%, 中 30–60%, 低 < 30% on the point estimate; the range is
 *   the fit's 80% interval widened by the held-out calibration gap of the estimate's bin.
 *   数据不足: a product with fewer than MIN_PRODUCT_DECISIONS (50) decisions gets a prior from its
 *   stated criteria instead: 0–10% when its rules rule the borrower out, else the 80% interval of
 *   the institution's smoothed recent approval rate. With enough decisions, a borrower the stated
 *   rules rule out gets 低 0–10% (basis 'prior'), never a higher model number.
 * - **Synthetic decisions** (`synthetic.ts`): a seeded generator from a known logistic process,
 *   used by the tests to show the fit recovers it and is calibrated.
 */
export {
  oddsFeatures,
  smoothedInstitutionRate,
  FEATURE_NAMES,
  featureLabels,
  ODDS_EMPLOYMENT_TYPES,
  SCORE_REFERENCE,
  SCORE_SCALE,
  INCOME_FLOOR_FEN,
  DTI_CAP,
  INSTITUTION_PRIOR,
} from './features';
export type { FeatureName, OddsApplicant, OddsProductTerms, InstitutionRecord, OddsCase } from './features';
export { fitLogistic, predict, predictInterval, logit, sigmoid, OddsFitError, DEFAULT_L2, MAX_ITERATIONS, TOLERANCE, Z80 } from './logistic';
export type { LogisticModel } from './logistic';
export {
  isHeldOut,
  splitByHoldout,
  brierScore,
  logLoss,
  reliabilityDiagram,
  expectedCalibrationError,
  scorePredictions,
  calibrationReport,
  HOLDOUT_PERCENT,
  RELIABILITY_BINS,
  LOG_LOSS_EPSILON,
} from './calibration';
export type { ReliabilityBin, Scores, CalibrationReport } from './calibration';
export { fitOddsModel, assertCurrentFeatures } from './model';
export type { OddsDecision, OddsModel } from './model';
export { bandOf, modelOdds, priorOdds, productOdds, HIGH_FROM, MEDIUM_FROM, MIN_PRODUCT_DECISIONS, MIN_BIN_COUNT, INELIGIBLE_PRIOR } from './bands';
export type { Odds, OddsBand } from './bands';
export { generateDecisions, seededRandom, TRUE_INTERCEPT, TRUE_COEFFICIENTS } from './synthetic';
export type { SyntheticDecision, SyntheticOptions } from './synthetic';
export { OddsService, MIN_FIT_DECISIONS, withRecordsBefore } from './odds.service';
export type { OddsServiceDeps, RefitOutcome, OddsListedProduct } from './odds.service';
export type { OddsModelListing } from './odds.repository';
export { borrowerOdds, oddsAmountFor, INSTITUTION_RECENT_DAYS, DEFAULT_ODDS_AMOUNT_FEN } from './borrower-odds';
export type { BorrowerFacts, OddsProduct } from './borrower-odds';
export { generateDemoHistory, DEMO_HISTORY_SEED, DEMO_HISTORY_COUNT, DEMO_INTERCEPT, HISTORY_DAYS } from './demo-history';
export { oddsJobs } from './odds.jobs';
