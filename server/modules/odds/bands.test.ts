import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import {
  bandOf,
  productOdds,
  modelOdds,
  priorOdds,
  fitOddsModel,
  generateDecisions,
  oddsFeatures,
  predictInterval,
  INELIGIBLE_PRIOR,
  MIN_PRODUCT_DECISIONS,
  HIGH_FROM,
  MEDIUM_FROM,
} from './index';
import type { OddsCase } from './index';

const decisions = generateDecisions({ seed: 42, count: 5000 });
const model = fitOddsModel(decisions);
const product = decisions[0]!.product;
const busyInstitution = { approved: 300, decided: 400 };
const strong: OddsCase = {
  applicant: { creditScore: 820, monthlyIncomeFen: 2_000_000, monthlyDebtFen: 100_000, employment: '上班族', amountFen: product.minAmountFen },
  product,
  institution: busyInstitution,
};
const weak: OddsCase = {
  applicant: { creditScore: 480, monthlyIncomeFen: 200_000, monthlyDebtFen: 200_000, employment: '学生', amountFen: product.maxAmountFen },
  product,
  institution: busyInstitution,
};
const wholePercent = (v: number) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-9;

describe('odds bands', () => {
  it(`高 from ${HIGH_FROM}, 中 from ${MEDIUM_FROM}, 低 below`, () => {
    expect(bandOf(0.6)).toBe('高');
    expect(bandOf(0.95)).toBe('高');
    expect(bandOf(0.5999)).toBe('中');
    expect(bandOf(0.3)).toBe('中');
    expect(bandOf(0.2999)).toBe('低');
    expect(bandOf(0)).toBe('低');
  });

  it('the model answer: band of the estimate, a range around it in whole percents, the decisions it rests on', () => {
    const productId = decisions[0]!.productId;
    const n = model.decisionsByProduct[productId]!;
    expect(n).toBeGreaterThanOrEqual(MIN_PRODUCT_DECISIONS);
    const high = productOdds(model, { ...strong, productId, eligible: true });
    const low = productOdds(model, { ...weak, productId, eligible: true });
    expect(high).toMatchObject({ band: '高', basis: 'model', decisions: n });
    expect(low).toMatchObject({ band: '低', basis: 'model', decisions: n });
    for (const o of [high, low]) {
      expect(o.band).toBe(bandOf(o.probability!));
      expect(o.low).toBeLessThanOrEqual(o.probability!);
      expect(o.high).toBeGreaterThanOrEqual(o.probability!);
      expect(o.low).toBeGreaterThanOrEqual(0);
      expect(o.high).toBeLessThanOrEqual(1);
      expect(wholePercent(o.low) && wholePercent(o.high)).toBe(true);
    }
  });

  it('the range holds the fit interval, widened by the calibration gap of its bin', () => {
    const fit = predictInterval(model, oddsFeatures(strong));
    const o = modelOdds(model, strong, 100);
    expect(o.low).toBeLessThanOrEqual(fit.low);
    expect(o.high).toBeGreaterThanOrEqual(fit.high);
  });

  it('the range covers the true probability for most fresh borrowers', () => {
    const fresh = generateDecisions({ seed: 4242, count: 2000, idPrefix: 'fresh' });
    const covered = fresh.filter((d) => {
      const o = modelOdds(model, d, 100);
      return d.trueProbability >= o.low && d.trueProbability <= o.high;
    }).length;
    expect(covered / fresh.length).toBeGreaterThanOrEqual(0.8);
  });

  it(`数据不足 under ${MIN_PRODUCT_DECISIONS} decisions: the prior from the stated criteria, labelled as such`, () => {
    const sparse = fitOddsModel(decisions.map((d) => (d.productId === 'p1' ? d : { ...d, productId: `other-${d.productId}` })).slice(0, 400));
    const count = sparse.decisionsByProduct['p1'] ?? 0;
    expect(count).toBeLessThan(MIN_PRODUCT_DECISIONS);
    const eligible = productOdds(sparse, { ...strong, productId: 'p1', eligible: true });
    expect(eligible).toEqual({ ...priorOdds({ eligible: true, institution: busyInstitution, decisions: count }), decisions: count });
    expect(eligible).toMatchObject({ band: '数据不足', basis: 'prior', probability: null });
    // the institution's smoothed rate 302/404 ≈ 74.8%, ± 1.2816 · sd
    expect(eligible.low).toBeGreaterThan(0.7);
    expect(eligible.high).toBeLessThan(0.8);
    expect(productOdds(sparse, { ...strong, productId: 'p1', eligible: false })).toMatchObject({ band: '数据不足', basis: 'prior', ...INELIGIBLE_PRIOR });
    // an unknown product, or no model at all
    expect(productOdds(model, { ...strong, productId: 'new', eligible: true })).toMatchObject({ band: '数据不足', decisions: 0 });
    expect(productOdds(null, { ...strong, productId: 'p1', eligible: true })).toMatchObject({ band: '数据不足', decisions: 0 });
  });

  it('an institution with no recent decisions gives the wide prior 21%–79%', () => {
    expect(priorOdds({ eligible: true, institution: { approved: 0, decided: 0 }, decisions: 0 })).toMatchObject({ low: 0.21, high: 0.79 });
  });

  it('with enough decisions, a borrower the stated rules rule out gets 低 0–10%, never a higher model number', () => {
    const productId = decisions[0]!.productId;
    expect(productOdds(model, { ...strong, productId, eligible: false })).toMatchObject({ band: '低', basis: 'prior', ...INELIGIBLE_PRIOR, probability: null });
  });

  it('a stored model fitted on other features is refused', () => {
    expect(() => modelOdds({ ...model, featureNames: ['score'] }, strong, 100)).toThrow(/refit/);
  });

  it('nothing in the module or its page promises approval', () => {
    const banned = new RegExp(['预批', '已预批', 'pre-approv', '保证下款', '包下款', '必下款'].join('|'), 'i');
    const dir = import.meta.dirname;
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(dir, f));
    files.push(join(dir, '../../../docs/odds.md'));
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(banned);
  });
});
