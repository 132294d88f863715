import { describe, expect, it } from 'vitest';
import type { PrecheckItem } from './precheck';
import { betterAlternatives, explainRejection, MAX_ALTERNATIVES } from './rejection';

const item = (productId: string, low: number, high: number, extra: Partial<PrecheckItem> = {}): PrecheckItem => ({
  productId,
  productName: `产品${productId}`,
  institutionName: '机构',
  eligible: true,
  meetsCriteria: true,
  reasons: [],
  duplicateOf: null,
  price: null,
  odds: { band: '中', low, high, basis: 'model', decisions: 120 },
  ...extra,
});

describe('explainRejection', () => {
  it('says a known code in plain words and falls back for an unknown or missing one', () => {
    expect(explainRejection('region')).toMatchObject({ code: 'region', label: '所在地区暂不支持' });
    expect(explainRejection('region').meaning).toContain('和你的个人资质无关');
    expect(explainRejection(null)).toMatchObject({ code: null, label: '未说明原因' });
    expect(explainRejection('made_up')).toMatchObject({ code: null, label: '未说明原因' });
  });
});

describe('betterAlternatives', () => {
  const rejected = item('r', 0.3, 0.5); // middle 0.40

  it('keeps eligible products with better odds than the refusing one, best first, never the refusing product', () => {
    const items = [
      rejected,
      item('a', 0.5, 0.7), // 0.60
      item('b', 0.35, 0.45), // 0.40: not better
      item('c', 0.6, 0.9), // 0.75
      item('d', 0.7, 0.9, { eligible: false }),
      item('e', 0.7, 0.9, { duplicateOf: { applicationId: 'x', createdAt: new Date() } }),
    ];
    expect(betterAlternatives(items, 'r').map((a) => a.productId)).toEqual(['c', 'a']);
  });

  it('without the refusing product’s odds (taken down) every eligible product counts, at most the limit', () => {
    const items = Array.from({ length: 8 }, (_, i) => item(`p${i}`, 0, i / 10));
    const out = betterAlternatives(items, 'gone');
    expect(out).toHaveLength(MAX_ALTERNATIVES);
    expect(out.map((a) => a.productId)).toEqual(['p7', 'p6', 'p5', 'p4', 'p3']);
  });
});
