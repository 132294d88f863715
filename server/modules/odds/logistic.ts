/**
 * L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
 * squares), deterministic: no randomness, rows are read in the order given, and the same rows give
 * the same coefficients bit for bit.
 *
 * Objective (maximised): Σ [y·η − log(1 + e^η)] − (λ/2)·Σ_{j≥1} β_j², with η = β₀ + Σ β_j·x_j.
 * The intercept β₀ is not penalised. Each step solves (XᵀWX + Λ)·Δ = Xᵀ(y − p) − Λβ by Cholesky
 * (W = diag(p(1 − p)), Λ = diag(0, λ, …, λ)); a step that lowers the objective is halved. It stops
 * when no coefficient moves by more than 1e-8 (a handful of iterations on thousands of rows).
 *
 * The inverse of the final Hessian is the Laplace approximation of the coefficients' covariance
 * (the L2 penalty is a Gaussian prior with variance 1/λ), which `predictInterval` uses.
 */

/** The default penalty: a N(0, 1) prior on each scaled feature's coefficient. */
export const DEFAULT_L2 = 1;
export const MAX_ITERATIONS = 50;
export const TOLERANCE = 1e-8;

export interface LogisticModel {
  /** [intercept, β₁ … β_p], in the order of the rows' features */
  coefficients: number[];
  /** Laplace covariance of the coefficients, (p + 1) × (p + 1) */
  covariance: number[][];
  l2: number;
  iterations: number;
  converged: boolean;
  /** rows fitted on */
  rows: number;
}

export class OddsFitError extends Error {
  override readonly name = 'OddsFitError';
}

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** log(1 + e^z) without overflow. */
const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

const linear = (beta: number[], x: readonly number[]): number => {
  let eta = beta[0]!;
  for (let j = 0; j < x.length; j++) eta += beta[j + 1]! * x[j]!;
  return eta;
};

function objective(beta: number[], xs: readonly (readonly number[])[], ys: readonly boolean[], l2: number): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    const eta = linear(beta, xs[i]!);
    sum += (ys[i] ? eta : 0) - softplus(eta);
  }
  let penalty = 0;
  for (let j = 1; j < beta.length; j++) penalty += beta[j]! * beta[j]!;
  return sum - (l2 / 2) * penalty;
}

/** Lower-triangular L with A = L·Lᵀ; throws when A is not positive definite. */
function cholesky(a: number[][]): number[][] {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 0)) throw new OddsFitError('the Hessian is not positive definite (a feature never varies and is not penalised?)');
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  }
  return l;
}

function choleskySolve(l: number[][], b: number[]): number[] {
  const n = l.length;
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * y[k]!;
    y[i] = s / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * x[k]!;
    x[i] = s / l[i]![i]!;
  }
  return x;
}

function hessianAndGradient(beta: number[], xs: readonly (readonly number[])[], ys: readonly boolean[], l2: number) {
  const d = beta.length;
  const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const g = new Array<number>(d).fill(0);
  const row = new Array<number>(d).fill(0);
  row[0] = 1;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    for (let j = 0; j < x.length; j++) row[j + 1] = x[j]!;
    const p = sigmoid(linear(beta, x));
    const w = Math.max(p * (1 - p), 1e-12);
    const r = (ys[i] ? 1 : 0) - p;
    for (let a = 0; a < d; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      g[a]! += ra * r;
      const hr = h[a]!;
      for (let b = 0; b <= a; b++) hr[b]! += w * ra * row[b]!;
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) h[b]![a] = h[a]![b]!;
  for (let j = 1; j < d; j++) {
    h[j]![j]! += l2;
    g[j]! -= l2 * beta[j]!;
  }
  return { h, g };
}

function invert(l: number[][]): number[][] {
  const n = l.length;
  const cols = Array.from({ length: n }, (_, j) => choleskySolve(l, Array.from({ length: n }, (_, i) => (i === j ? 1 : 0))));
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => cols[j]![i]!));
}

/** Fits the model on rows `xs` (feature vectors of one length) with outcomes `ys` (true = approved). */
export function fitLogistic(xs: readonly (readonly number[])[], ys: readonly boolean[], options: { l2?: number } = {}): LogisticModel {
  const l2 = options.l2 ?? DEFAULT_L2;
  if (xs.length === 0) throw new OddsFitError('no rows to fit');
  if (xs.length !== ys.length) throw new OddsFitError('rows and outcomes differ in number');
  if (!(l2 > 0)) throw new OddsFitError('the L2 penalty must be positive');
  const width = xs[0]!.length;
  if (xs.some((x) => x.length !== width)) throw new OddsFitError('rows differ in length');
  const positives = ys.filter(Boolean).length;
  if (positives === 0 || positives === ys.length) throw new OddsFitError('every outcome is the same: nothing to learn from');

  // start at the base rate, so the first step is small
  const rate = positives / ys.length;
  let beta = [Math.log(rate / (1 - rate)), ...new Array<number>(width).fill(0)];
  let current = objective(beta, xs, ys, l2);
  let iterations = 0;
  let converged = false;
  while (iterations < MAX_ITERATIONS) {
    iterations++;
    const { h, g } = hessianAndGradient(beta, xs, ys, l2);
    const step = choleskySolve(cholesky(h), g);
    let scale = 1;
    let next = beta.map((b, j) => b + step[j]!);
    let value = objective(next, xs, ys, l2);
    while (value < current - 1e-12 && scale > 1e-6) {
      scale /= 2;
      next = beta.map((b, j) => b + scale * step[j]!);
      value = objective(next, xs, ys, l2);
    }
    const moved = Math.max(...next.map((b, j) => Math.abs(b - beta[j]!)));
    beta = next;
    current = value;
    if (moved < TOLERANCE) {
      converged = true;
      break;
    }
  }
  const { h } = hessianAndGradient(beta, xs, ys, l2);
  return { coefficients: beta, covariance: invert(cholesky(h)), l2, iterations, converged, rows: xs.length };
}

/** The linear predictor β₀ + β·x. */
export function logit(model: Pick<LogisticModel, 'coefficients'>, x: readonly number[]): number {
  if (x.length !== model.coefficients.length - 1) throw new OddsFitError(`expected ${model.coefficients.length - 1} features, got ${x.length}`);
  return linear(model.coefficients, x);
}

/** The predicted probability of approval. */
export function predict(model: Pick<LogisticModel, 'coefficients'>, x: readonly number[]): number {
  return sigmoid(logit(model, x));
}

/** z for a two-sided 80% interval. */
export const Z80 = 1.2815515655446004;

/**
 * The central interval for the probability from the fit's uncertainty: σ(η ± z·√(x̃ᵀ Σ x̃)),
 * with x̃ = (1, x) and Σ the Laplace covariance. z = 1.2816 gives the 80% interval.
 */
export function predictInterval(model: LogisticModel, x: readonly number[], z = Z80): { probability: number; low: number; high: number } {
  const eta = logit(model, x);
  const row = [1, ...x];
  let variance = 0;
  for (let a = 0; a < row.length; a++) {
    if (row[a] === 0) continue;
    for (let b = 0; b < row.length; b++) variance += row[a]! * model.covariance[a]![b]! * row[b]!;
  }
  const sd = Math.sqrt(Math.max(0, variance));
  return { probability: sigmoid(eta), low: sigmoid(eta - z * sd), high: sigmoid(eta + z * sd) };
}
