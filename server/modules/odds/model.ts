import { oddsFeatures, FEATURE_NAMES } from './features';
import type { OddsCase } from './features';
import { fitLogistic, predict, DEFAULT_L2 } from './logistic';
import type { LogisticModel } from './logistic';
import { splitByHoldout, calibrationReport, HOLDOUT_PERCENT } from './calibration';
import type { CalibrationReport } from './calibration';

/** One decided application: approved or declined by the institution. */
export interface OddsDecision extends OddsCase {
  /** a stable id (the application's): it decides the held-out side */
  id: string;
  /** the product decided on: the odds of a product rest on its own decisions */
  productId: string;
  approved: boolean;
}

/** A fitted odds model with its held-out calibration: plain data, storable as JSON. */
export interface OddsModel extends LogisticModel {
  /** the features the coefficients belong to, in order (a stored model from other features is refused) */
  featureNames: string[];
  /** decisions fitted on, and held out to measure it */
  trainingDecisions: number;
  calibration: CalibrationReport;
  /** decided applications per product, over training and held-out decisions */
  decisionsByProduct: Record<string, number>;
}

/**
 * Fits the model on the decisions outside the held-out set (HOLDOUT_PERCENT of them, chosen by id)
 * and measures it on the held-out ones, against the base-rate model.
 */
export function fitOddsModel(decisions: readonly OddsDecision[], options: { l2?: number; holdoutPercent?: number } = {}): OddsModel {
  const { train, heldOut } = splitByHoldout(decisions, options.holdoutPercent ?? HOLDOUT_PERCENT);
  if (heldOut.length === 0) throw new RangeError('no held-out decisions to measure the model on');
  const fit = fitLogistic(
    train.map(oddsFeatures),
    train.map((d) => d.approved),
    { l2: options.l2 ?? DEFAULT_L2 },
  );
  const baseRate = train.filter((d) => d.approved).length / train.length;
  const predicted = heldOut.map((d) => predict(fit, oddsFeatures(d)));
  const decisionsByProduct: Record<string, number> = {};
  for (const d of decisions) decisionsByProduct[d.productId] = (decisionsByProduct[d.productId] ?? 0) + 1;
  return {
    ...fit,
    featureNames: [...FEATURE_NAMES],
    trainingDecisions: train.length,
    calibration: calibrationReport(
      predicted,
      heldOut.map((d) => d.approved),
      baseRate,
    ),
    decisionsByProduct,
  };
}

/** Refuses a model fitted on other features than this code computes (a stored model from an older version). */
export function assertCurrentFeatures(model: Pick<OddsModel, 'featureNames'>): void {
  if (model.featureNames.length !== FEATURE_NAMES.length || model.featureNames.some((n, i) => n !== FEATURE_NAMES[i])) {
    throw new RangeError('the odds model was fitted on other features: refit it');
  }
}
