import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rankColumns, rankOrder, rankProducts, scoreColumns, type RankCandidate, type RankingWeights } from './rank';

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

/** The per-candidate ranking as it was before the dense columns (objects sorted whole): the reference. */
function rankPerCandidate<T extends RankCandidate>(candidates: readonly T[], weights: RankingWeights): { item: T; score: number }[] {
  if (candidates.length === 0) return [];
  const clamp = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of candidates) {
    if (x.aprMin < lo) lo = x.aprMin;
    if (x.aprMin > hi) hi = x.aprMin;
  }
  const span = hi - lo;
  const scored = candidates.map((item, index) => {
    const aprScore = span > 0 ? (hi - item.aprMin) / span : 1;
    const score =
      weights.relevance * clamp(item.relevance) +
      weights.apr * aprScore +
      weights.approval * clamp(item.approvalRate) +
      weights.complaints * (1 - clamp(item.complaintRate)) +
      weights.promotion * (item.promoted ? 1 : 0) +
      (weights.pricing ?? 0) * (1 - clamp(item.aboveAdvertisedShare ?? 0));
    return { item, score, index };
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map(({ item, score }) => ({ item, score }));
}

describe('dense ranking columns', () => {
  // few distinct values, so equal scores (ties) are common and the tie order is tested too
  const unit = fc.oneof(fc.constantFrom(0, 0.25, 0.5, 1), fc.double({ min: -0.5, max: 1.5, noNaN: true }));
  const weightsArb = fc.record({ relevance: unit, apr: unit, approval: unit, complaints: unit, promotion: unit, pricing: unit }).map((w) => {
    const clampW = (v: number) => Math.min(1, Math.max(0, v));
    return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, clampW(v)])) as unknown as RankingWeights;
  });
  const candidateArb = fc.record({
    relevance: unit,
    aprMin: fc.oneof(fc.constantFrom(0.08, 0.12, 0.24), fc.double({ min: 0.01, max: 0.36, noNaN: true })),
    approvalRate: unit,
    complaintRate: unit,
    promoted: fc.boolean(),
    aboveAdvertisedShare: fc.option(unit, { nil: undefined }),
  });
  const listArb = fc.array(candidateArb, { maxLength: 300 }).map((list) => list.map((x, i) => ({ id: `p${i}`, ...x })));

  it('rankProducts gives the same order and scores as the per-candidate code', () => {
    fc.assert(
      fc.property(listArb, weightsArb, (list, weights) => {
        const dense = rankProducts(list, weights);
        const reference = rankPerCandidate(list, weights);
        expect(dense.map((r) => r.item.id)).toEqual(reference.map((r) => r.item.id));
        expect(dense.map((r) => r.score)).toEqual(reference.map((r) => r.score));
      }),
      { numRuns: 300 },
    );
  });

  it('a page of the order (start, count) is that slice of the whole order', () => {
    fc.assert(
      fc.property(listArb, weightsArb, fc.nat(320), fc.integer({ min: 0, max: 60 }), (list, weights, start, count) => {
        const cols = rankColumns(list.length + 5); // capacity above n: only the first n are read
        cols.n = list.length;
        list.forEach((x, i) => {
          cols.relevance[i] = x.relevance;
          cols.aprMin[i] = x.aprMin;
          cols.approvalRate[i] = x.approvalRate;
          cols.complaintRate[i] = x.complaintRate;
          cols.promoted[i] = x.promoted ? 1 : 0;
          cols.aboveAdvertisedShare[i] = x.aboveAdvertisedShare ?? 0;
        });
        const scores = new Float64Array(cols.n);
        scoreColumns(cols, weights, scores);
        const page = Array.from(rankOrder(scores, cols.n, start, count), (i) => list[i]!.id);
        expect(page).toEqual(rankPerCandidate(list, weights).slice(start, start + count).map((r) => r.item.id));
      }),
      { numRuns: 300 },
    );
  });
});
