/**
 * How good the probabilities are, measured on decisions the model did not see, and compared with the
 * base-rate model (which predicts the training approval rate for everyone). A model worth showing
 * has a lower Brier score and log loss than the base rate and a small expected calibration error.
 */

/** Share of decisions held out from fitting, by a stable hash of the decision's id. */
export const HOLDOUT_PERCENT = 20;
/** Bins of the reliability diagram: [0, 0.1), [0.1, 0.2), … [0.9, 1]. */
export const RELIABILITY_BINS = 10;
/** Probabilities are clipped to [ε, 1 − ε] for the log loss, so one confident miss is finite. */
export const LOG_LOSS_EPSILON = 1e-15;

/** FNV-1a, 32 bits: the same id always lands on the same side, however the data grows or is ordered. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** True when the decision with this id belongs to the held-out set. */
export function isHeldOut(id: string, percent = HOLDOUT_PERCENT): boolean {
  return fnv1a(id) % 100 < percent;
}

/** The deterministic train / held-out split, keeping each side in the order given. */
export function splitByHoldout<T extends { id: string }>(rows: readonly T[], percent = HOLDOUT_PERCENT): { train: T[]; heldOut: T[] } {
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const row of rows) (isHeldOut(row.id, percent) ? heldOut : train).push(row);
  return { train, heldOut };
}

export interface ReliabilityBin {
  /** the bin's lower and upper edge */
  from: number;
  to: number;
  /** null when the bin is empty */
  meanPredicted: number | null;
  observedRate: number | null;
  count: number;
}

export interface Scores {
  brier: number;
  logLoss: number;
  /** Σ (count / n) · |observedRate − meanPredicted| over the reliability bins */
  expectedCalibrationError: number;
  reliability: ReliabilityBin[];
}

export interface CalibrationReport {
  /** decisions the scores are measured on */
  heldOut: number;
  /** the training approval rate, which the base-rate model predicts for everyone */
  baseRate: number;
  model: Scores;
  baseRateModel: Scores;
}

const binOf = (p: number) => Math.min(RELIABILITY_BINS - 1, Math.max(0, Math.floor(p * RELIABILITY_BINS)));

export function brierScore(predicted: readonly number[], outcomes: readonly boolean[]): number {
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) sum += (predicted[i]! - (outcomes[i] ? 1 : 0)) ** 2;
  return sum / predicted.length;
}

export function logLoss(predicted: readonly number[], outcomes: readonly boolean[]): number {
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) {
    const p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, predicted[i]!));
    sum -= outcomes[i] ? Math.log(p) : Math.log(1 - p);
  }
  return sum / predicted.length;
}

export function reliabilityDiagram(predicted: readonly number[], outcomes: readonly boolean[]): ReliabilityBin[] {
  const sums = new Array<number>(RELIABILITY_BINS).fill(0);
  const hits = new Array<number>(RELIABILITY_BINS).fill(0);
  const counts = new Array<number>(RELIABILITY_BINS).fill(0);
  for (let i = 0; i < predicted.length; i++) {
    const b = binOf(predicted[i]!);
    sums[b]! += predicted[i]!;
    hits[b]! += outcomes[i] ? 1 : 0;
    counts[b]! += 1;
  }
  return counts.map((count, b) => ({
    from: b / RELIABILITY_BINS,
    to: (b + 1) / RELIABILITY_BINS,
    meanPredicted: count === 0 ? null : sums[b]! / count,
    observedRate: count === 0 ? null : hits[b]! / count,
    count,
  }));
}

export function expectedCalibrationError(bins: readonly ReliabilityBin[]): number {
  const n = bins.reduce((s, b) => s + b.count, 0);
  if (n === 0) return 0;
  return bins.reduce((s, b) => (b.count === 0 ? s : s + (b.count / n) * Math.abs(b.observedRate! - b.meanPredicted!)), 0);
}

/** Brier score, log loss, reliability diagram and expected calibration error of one set of predictions. */
export function scorePredictions(predicted: readonly number[], outcomes: readonly boolean[]): Scores {
  if (predicted.length === 0 || predicted.length !== outcomes.length) throw new RangeError('scores need predictions and outcomes, one for one');
  const reliability = reliabilityDiagram(predicted, outcomes);
  return {
    brier: brierScore(predicted, outcomes),
    logLoss: logLoss(predicted, outcomes),
    expectedCalibrationError: expectedCalibrationError(reliability),
    reliability,
  };
}

/** The model's scores on held-out decisions beside those of the base-rate model (`baseRate` for everyone). */
export function calibrationReport(predicted: readonly number[], outcomes: readonly boolean[], baseRate: number): CalibrationReport {
  return {
    heldOut: predicted.length,
    baseRate,
    model: scorePredictions(predicted, outcomes),
    baseRateModel: scorePredictions(
      predicted.map(() => baseRate),
      outcomes,
    ),
  };
}
