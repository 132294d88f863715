import { describe, it, expect } from 'vitest';
import {
  brierScore,
  logLoss,
  reliabilityDiagram,
  expectedCalibrationError,
  scorePredictions,
  isHeldOut,
  splitByHoldout,
  fitOddsModel,
  generateDecisions,
  predict,
  oddsFeatures,
  seededRandom,
  HOLDOUT_PERCENT,
} from './index';

describe('calibration measures', () => {
  it('Brier score and log loss by hand', () => {
    expect(brierScore([0.8, 0.3], [true, false])).toBeCloseTo((0.04 + 0.09) / 2, 12);
    expect(logLoss([0.8, 0.3], [true, false])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(Number.isFinite(logLoss([0, 1], [true, false]))).toBe(true); // clipped, never infinite
  });

  it('the reliability diagram has 10 bins with mean predicted, observed rate and count', () => {
    const bins = reliabilityDiagram([0.05, 0.05, 0.15, 0.95, 1], [true, false, false, true, true]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toEqual({ from: 0, to: 0.1, meanPredicted: 0.05, observedRate: 0.5, count: 2 });
    expect(bins[1]).toMatchObject({ meanPredicted: 0.15, observedRate: 0, count: 1 });
    expect(bins[5]).toMatchObject({ meanPredicted: null, observedRate: null, count: 0 });
    expect(bins[9]).toMatchObject({ meanPredicted: 0.975, observedRate: 1, count: 2 }); // 1.0 falls in the last bin
    // ECE = 2/5·|0.5 − 0.05| + 1/5·|0 − 0.15| + 2/5·|1 − 0.975|
    expect(expectedCalibrationError(bins)).toBeCloseTo(0.4 * 0.45 + 0.2 * 0.15 + 0.4 * 0.025, 12);
  });

  it('true probabilities are calibrated: their ECE on 20,000 draws is small', () => {
    const random = seededRandom(7);
    const p = Array.from({ length: 20_000 }, () => random());
    const y = p.map((q) => random() < q);
    expect(scorePredictions(p, y).expectedCalibrationError).toBeLessThan(0.02);
  });
});

describe('the held-out split', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => ({ id: `app_${i}` }));

  it(`holds out about ${HOLDOUT_PERCENT}% by id, the same way whatever the order or size`, () => {
    const { train, heldOut } = splitByHoldout(ids);
    expect(train.length + heldOut.length).toBe(10_000);
    expect(heldOut.length / 10_000).toBeGreaterThan(0.18);
    expect(heldOut.length / 10_000).toBeLessThan(0.22);
    const again = splitByHoldout([...ids].reverse());
    expect(new Set(again.heldOut.map((r) => r.id))).toEqual(new Set(heldOut.map((r) => r.id)));
    const fewer = splitByHoldout(ids.slice(0, 5000));
    expect(fewer.heldOut.every((r) => isHeldOut(r.id))).toBe(true);
    expect(fewer.heldOut.length).toBe(heldOut.filter((r) => Number(r.id.slice(4)) < 5000).length);
  });
});

describe('the odds model on 5,000 decisions from a known logistic process', () => {
  // the bound stated in docs/odds.md: expected calibration error ≤ 0.05 on held-out decisions
  const ECE_BOUND = 0.05;

  for (const seed of [42, 1, 2, 3, 4, 5]) {
    it(`beats the base rate and is calibrated (seed ${seed})`, () => {
      const model = fitOddsModel(generateDecisions({ seed, count: 5000 }));
      const c = model.calibration;
      expect(c.heldOut + model.trainingDecisions).toBe(5000);
      expect(c.heldOut).toBeGreaterThan(800);
      expect(c.model.brier).toBeLessThan(c.baseRateModel.brier);
      expect(c.model.logLoss).toBeLessThan(c.baseRateModel.logLoss);
      expect(c.model.expectedCalibrationError).toBeLessThanOrEqual(ECE_BOUND);
      expect(c.model.reliability.reduce((s, b) => s + b.count, 0)).toBe(c.heldOut);
      expect(c.baseRateModel.reliability.filter((b) => b.count > 0)).toHaveLength(1);

      // on 5,000 fresh decisions the model is nearly as good as the truth that generated them
      const fresh = generateDecisions({ seed: seed + 1000, count: 5000, idPrefix: 'fresh' });
      const scores = scorePredictions(
        fresh.map((d) => predict(model, oddsFeatures(d))),
        fresh.map((d) => d.approved),
      );
      const oracle = scorePredictions(
        fresh.map((d) => d.trueProbability),
        fresh.map((d) => d.approved),
      );
      expect(scores.expectedCalibrationError).toBeLessThanOrEqual(ECE_BOUND);
      expect(scores.brier - oracle.brier).toBeLessThan(0.005);
    });
  }

  it('fitting is deterministic', () => {
    const decisions = generateDecisions({ seed: 9, count: 3000 });
    expect(generateDecisions({ seed: 9, count: 3000 })).toEqual(decisions);
    expect(JSON.parse(JSON.stringify(fitOddsModel(decisions)))).toEqual(fitOddsModel(decisions));
  });
});
