/**
 * The conversion funnel: steps of people, each a subset of the one before, with the share of
 * the step before and of the first step. Pure, so the arithmetic is tested on its own.
 */

export interface FunnelStep {
  key: string;
  label: string;
  count: number;
  /** this step / the previous step; null for the first step or when the previous is zero */
  stepRate: number | null;
  /** this step / the first step; null when the first step is zero */
  overallRate: number | null;
}

const share = (part: number, whole: number): number | null => (whole > 0 && Number.isFinite(part) ? part / whole : null);

/**
 * Rates for counted steps. Nothing is clamped: a rate above 1 means a step really counted more
 * than the step before (which the funnel's queries avoid by counting nested groups of people).
 */
export function funnelSteps(steps: readonly { key: string; label: string; count: number }[]): FunnelStep[] {
  const first = steps[0]?.count ?? 0;
  return steps.map((s, i) => ({
    key: s.key,
    label: s.label,
    count: s.count,
    stepRate: i === 0 ? null : share(s.count, steps[i - 1]!.count),
    overallRate: share(s.count, first),
  }));
}

/**
 * The operator funnel's steps, all distinct people within the period, each inside the one before:
 * visitors (any browse, search or apply event), those who opened a product or applied, those who
 * applied, and those of them with an application of the period approved, and disbursed, so far.
 */
export const funnelStepLabels = {
  visitors: '访客',
  viewers: '查看产品',
  applicants: '提交申请',
  approved: '获得批准',
  disbursed: '成功放款',
} as const;

export type FunnelKey = keyof typeof funnelStepLabels;
