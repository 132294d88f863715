import { describe, expect, it } from 'vitest';
import { rankProducts, type RankCandidate, type RankingWeights } from './rank';

const zero: RankingWeights = { relevance: 0, apr: 0, approval: 0, complaints: 0, promotion: 0, pricing: 0 };
const c = (id: string, over: Partial<RankCandidate> = {}): RankCandidate => ({ id, relevance: 0, aprMin: 0.12, approvalRate: 0.6, complaintRate: 0, promoted: false, ...over });
const ids = (r: { item: RankCandidate }[]) => r.map((x) => x.item.id);

describe('rankProducts', () => {
  const cheap = c('cheap', { aprMin: 0.08, approvalRate: 0.5, relevance: 0.2 });
  const dear = c('dear', { aprMin: 0.2, approvalRate: 0.9, relevance: 1 });
  const mid = c('mid', { aprMin: 0.14, approvalRate: 0.7, relevance: 0.6 });

  it('APR weight alone puts the cheapest first', () => {
    expect(ids(rankProducts([dear, mid, cheap], { ...zero, apr: 1 }))).toEqual(['cheap', 'mid', 'dear']);
  });

  it('relevance weight alone follows the match', () => {
    expect(ids(rankProducts([cheap, mid, dear], { ...zero, relevance: 1 }))).toEqual(['dear', 'mid', 'cheap']);
  });

  it('approval weight alone follows the approval rate', () => {
    expect(ids(rankProducts([cheap, dear, mid], { ...zero, approval: 1 }))).toEqual(['dear', 'mid', 'cheap']);
  });

  it('changing the weights changes the order', () => {
    const aprLed = ids(rankProducts([cheap, mid, dear], { ...zero, apr: 0.8, relevance: 0.2 }));
    const relevanceLed = ids(rankProducts([cheap, mid, dear], { ...zero, apr: 0.2, relevance: 0.8 }));
    expect(aprLed[0]).toBe('cheap');
    expect(relevanceLed[0]).toBe('dear');
  });

  it('complaints count against a product', () => {
    const a = c('a', { complaintRate: 0.5 });
    const b = c('b', { complaintRate: 0 });
    expect(ids(rankProducts([a, b], { ...zero, complaints: 1 }))).toEqual(['b', 'a']);
  });

  it('zero weights keep the incoming order (stable), whatever the signals', () => {
    const list = [dear, cheap, mid, c('x', { promoted: true })];
    expect(ids(rankProducts(list, zero))).toEqual(['dear', 'cheap', 'mid', 'x']);
    expect(rankProducts(list, zero).every((r) => r.score === 0)).toBe(true);
  });

  it('equal scores keep the incoming order', () => {
    const same = [c('p'), c('q'), c('r')];
    expect(ids(rankProducts(same, { ...zero, apr: 1, approval: 1 }))).toEqual(['p', 'q', 'r']);
  });

  it('promotion is a boost: it lifts a comparable product but not above a clearly better one', () => {
    const weights: RankingWeights = { relevance: 0, apr: 0.6, approval: 0.3, complaints: 0, promotion: 0.1, pricing: 0 };
    const best = c('best', { aprMin: 0.06, approvalRate: 0.8 });
    const promoted = c('promoted', { aprMin: 0.18, approvalRate: 0.6, promoted: true });
    const twin = c('twin', { aprMin: 0.18, approvalRate: 0.6 });
    expect(ids(rankProducts([twin, promoted, best], weights))).toEqual(['best', 'promoted', 'twin']);
  });

  it('an empty list ranks to an empty list', () => {
    expect(rankProducts([], zero)).toEqual([]);
  });

  it('an institution that often prices offers above what it advertised ranks lower than an otherwise equal one', () => {
    const honest = c('honest', { aboveAdvertisedShare: 0 });
    const above = c('above', { aboveAdvertisedShare: 0.6 });
    expect(ids(rankProducts([above, honest], { ...zero, pricing: 1 }))).toEqual(['honest', 'above']);
    // without the weight the order is the input order
    expect(ids(rankProducts([above, honest], zero))).toEqual(['above', 'honest']);
  });
});
