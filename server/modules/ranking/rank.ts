/** Weights of the default sort (综合排序); each is 0–1, they need not add up to 1. */
export interface RankingWeights {
  relevance: number;
  apr: number;
  approval: number;
  complaints: number;
  promotion: number;
  /** offers priced as advertised: an institution whose offers are often above its products' advertised range ranks lower */
  pricing: number;
}

export const defaultWeights: RankingWeights = { relevance: 0.35, apr: 0.3, approval: 0.15, complaints: 0.1, promotion: 0.1, pricing: 0.1 };

export const weightLabels: Record<keyof RankingWeights, string> = {
  relevance: '相关度',
  apr: '综合年化（越低越好）',
  approval: '审批通过率',
  complaints: '投诉率（越低越好）',
  promotion: '推广',
  pricing: '报价与公示一致（高于公示的报价越多越靠后）',
};

export interface RankCandidate {
  id: string;
  /** 0–1, 1 = best match for the words searched (0 for all when nothing was searched) */
  relevance: number;
  /** lowest all-in APR, fraction */
  aprMin: number;
  /** 0–1 */
  approvalRate: number;
  /** complaints per application, 0–1 */
  complaintRate: number;
  /** has an approved promotion running now */
  promoted: boolean;
  /** the institution's recent offers above the advertised range, share 0–1 (0 when it made none) */
  aboveAdvertisedShare?: number;
}

/**
 * The signals of n candidates as dense columns: position i is the i-th candidate in the order
 * they came in (the search index fills them from its per-product arrays, without an object per
 * candidate). Values are taken as given and clamped to 0–1 where rankProducts clamps.
 */
export interface RankColumns {
  n: number;
  relevance: Float64Array;
  aprMin: Float64Array;
  approvalRate: Float64Array;
  complaintRate: Float64Array;
  /** 1 = has an approved promotion running now */
  promoted: Uint8Array;
  aboveAdvertisedShare: Float64Array;
}

/** Empty columns for up to `capacity` candidates (reused across calls by whoever fills them). */
export function rankColumns(capacity: number): RankColumns {
  return {
    n: 0,
    relevance: new Float64Array(capacity),
    aprMin: new Float64Array(capacity),
    approvalRate: new Float64Array(capacity),
    complaintRate: new Float64Array(capacity),
    promoted: new Uint8Array(capacity),
    aboveAdvertisedShare: new Float64Array(capacity),
  };
}

/**
 * The weighted sum of each candidate's signals (see rankProducts), into `scores` (length ≥ n).
 * APR is scaled against the cheapest and dearest of the n candidates.
 */
export function scoreColumns(cols: RankColumns, weights: RankingWeights, scores: Float64Array): void {
  const { n } = cols;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const apr = cols.aprMin[i]!;
    if (apr < lo) lo = apr;
    if (apr > hi) hi = apr;
  }
  const span = hi - lo;
  const pricing = weights.pricing ?? 0;
  for (let i = 0; i < n; i++) {
    const aprScore = span > 0 ? (hi - cols.aprMin[i]!) / span : 1;
    scores[i] =
      weights.relevance * clamp(cols.relevance[i]!) +
      weights.apr * aprScore +
      weights.approval * clamp(cols.approvalRate[i]!) +
      weights.complaints * (1 - clamp(cols.complaintRate[i]!)) +
      weights.promotion * (cols.promoted[i] === 1 ? 1 : 0) +
      pricing * (1 - clamp(cols.aboveAdvertisedShare[i]!));
  }
}

/**
 * Positions (0…n-1) of the best `count` candidates after skipping `start`, best first: higher
 * score first, equal scores in the order the candidates came in. Only the first start + count
 * are ordered (a page of 20 out of 1,000 candidates does not sort the other 980).
 */
export function rankOrder(scores: Float64Array, n: number, start: number, count: number): Int32Array {
  const k = Math.max(0, Math.min(n, start + count));
  if (k === 0 || start >= k) return new Int32Array(0);
  const before = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b);
  let top: Int32Array;
  if (k * 8 >= n) {
    top = new Int32Array(n);
    for (let i = 0; i < n; i++) top[i] = i;
    top.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  } else {
    // the best k so far, kept in order: a candidate goes in only when it beats the k-th
    top = new Int32Array(k);
    let size = 0;
    for (let i = 0; i < n; i++) {
      if (size === k && !before(i, top[k - 1]!)) continue;
      let at = size < k ? size++ : k - 1;
      while (at > 0 && before(i, top[at - 1]!)) {
        top[at] = top[at - 1]!;
        at--;
      }
      top[at] = i;
    }
  }
  return top.slice(start, k);
}

/**
 * Orders candidates by the weighted sum of their signals, each scaled to 0–1 (APR against the
 * cheapest and dearest candidate, lower is better; complaints likewise). Promotion is one more
 * signal: a boost, never a filter, so a clearly better product still ranks above a promoted one.
 * Equal scores (all weights zero, say) keep the order the candidates came in: stable. Pure.
 */
export function rankProducts<T extends RankCandidate>(candidates: readonly T[], weights: RankingWeights): { item: T; score: number }[] {
  const n = candidates.length;
  if (n === 0) return [];
  const cols = rankColumns(n);
  cols.n = n;
  candidates.forEach((c, i) => {
    cols.relevance[i] = c.relevance;
    cols.aprMin[i] = c.aprMin;
    cols.approvalRate[i] = c.approvalRate;
    cols.complaintRate[i] = c.complaintRate;
    cols.promoted[i] = c.promoted ? 1 : 0;
    cols.aboveAdvertisedShare[i] = c.aboveAdvertisedShare ?? 0;
  });
  const scores = new Float64Array(n);
  scoreColumns(cols, weights, scores);
  return Array.from(rankOrder(scores, n, 0, n), (i) => ({ item: candidates[i]!, score: scores[i]! }));
}

const clamp = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
