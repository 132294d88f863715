import { describe, it, expect } from 'vitest';
import { fitLogistic, predict, predictInterval, sigmoid, OddsFitError, oddsFeatures, generateDecisions, FEATURE_NAMES, TRUE_COEFFICIENTS, TRUE_INTERCEPT, MAX_ITERATIONS } from './index';

const decisions = generateDecisions({ seed: 42, count: 5000 });
const xs = decisions.map(oddsFeatures);
const ys = decisions.map((d) => d.approved);

describe('L2 logistic regression (Newton / IRLS)', () => {
  const model = fitLogistic(xs, ys);
  const truth = [TRUE_INTERCEPT, ...FEATURE_NAMES.map((n) => TRUE_COEFFICIENTS[n])];

  it('converges in a few iterations on 5,000 rows', () => {
    expect(model.converged).toBe(true);
    expect(model.iterations).toBeLessThanOrEqual(10);
    expect(model.rows).toBe(5000);
  });

  it('recovers the true signs, each coefficient within 4 standard errors of the truth', () => {
    FEATURE_NAMES.forEach((name, j) => {
      expect(Math.sign(model.coefficients[j + 1]!), name).toBe(Math.sign(TRUE_COEFFICIENTS[name]));
    });
    truth.forEach((b, j) => {
      const se = Math.sqrt(model.covariance[j]![j]!);
      expect(Math.abs(model.coefficients[j]! - b) / se, `coefficient ${j}`).toBeLessThan(4);
    });
  });

  it('stops where the penalised gradient is zero (intercept not penalised)', () => {
    const g = new Array<number>(truth.length).fill(0);
    xs.forEach((x, i) => {
      const r = (ys[i] ? 1 : 0) - predict(model, x);
      g[0]! += r;
      x.forEach((v, j) => (g[j + 1]! += r * v));
    });
    for (let j = 1; j < g.length; j++) g[j]! -= model.l2 * model.coefficients[j]!;
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-6);
  });

  it('a huge penalty shrinks every coefficient but the intercept, which stays at the base rate', () => {
    const shrunk = fitLogistic(xs, ys, { l2: 1e9 });
    const rate = ys.filter(Boolean).length / ys.length;
    expect(sigmoid(shrunk.coefficients[0]!)).toBeCloseTo(rate, 4);
    for (const b of shrunk.coefficients.slice(1)) expect(Math.abs(b)).toBeLessThan(1e-4);
  });

  it('is deterministic: the same rows give the same model, their order changes nothing that matters', () => {
    expect(fitLogistic(xs, ys)).toEqual(model);
    const order = xs.map((_, i) => i).reverse();
    const reversed = fitLogistic(
      order.map((i) => xs[i]!),
      order.map((i) => ys[i]!),
    );
    reversed.coefficients.forEach((b, j) => expect(b).toBeCloseTo(model.coefficients[j]!, 9));
  });

  it('gives an interval around its estimate that narrows with more data', () => {
    const x = xs[0]!;
    const wide = fitLogistic(xs.slice(0, 500), ys.slice(0, 500));
    const a = predictInterval(wide, x);
    const b = predictInterval(model, x);
    for (const r of [a, b]) expect(r.low < r.probability && r.probability < r.high).toBe(true);
    expect(b.high - b.low).toBeLessThan(a.high - a.low);
  });

  it('refuses what it cannot fit', () => {
    expect(() => fitLogistic([], [])).toThrow(OddsFitError);
    expect(() => fitLogistic([[1], [2]], [true, true])).toThrow(/same/);
    expect(() => fitLogistic([[1], [2, 3]], [true, false])).toThrow(OddsFitError);
    expect(() => fitLogistic([[1], [2]], [true, false], { l2: 0 })).toThrow(OddsFitError);
    expect(() => predict(model, [1, 2])).toThrow(OddsFitError);
    expect(MAX_ITERATIONS).toBeGreaterThan(model.iterations);
  });

  it('stays finite when the data separate perfectly (the penalty keeps it bounded)', () => {
    const sep = fitLogistic([[-2], [-1], [1], [2]], [false, false, true, true]);
    expect(sep.converged).toBe(true);
    expect(Number.isFinite(sep.coefficients[1]!)).toBe(true);
    expect(predict(sep, [2])).toBeGreaterThan(0.5);
  });
});
