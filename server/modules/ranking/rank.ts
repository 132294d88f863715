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
 * Orders candidates by the weighted sum of their signals, each scaled to 0–1 (APR against the
 * cheapest and dearest candidate, lower is better; complaints likewise). Promotion is one more
 * signal: a boost, never a filter, so a clearly better product still ranks above a promoted one.
 * Equal scores (all weights zero, say) keep the order the candidates came in: stable. Pure.
 */
export function rankProducts<T extends RankCandidate>(candidates: readonly T[], weights: RankingWeights): { item: T; score: number }[] {
  if (candidates.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of candidates) {
    if (c.aprMin < lo) lo = c.aprMin;
    if (c.aprMin > hi) hi = c.aprMin;
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

const clamp = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
