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
 * Rates for counted steps. Nothing is clamped: the counts come from `nestedFunnel` (each step
 * counts only people who did every step before), so a step never exceeds the one before.
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

/** What one person (a visitor key; a borrower's account maps to its visitor key) did in the period. */
export interface FunnelPerson {
  /** the attributed channel, 'organic' for none */
  channel: string;
  /** any browse, search or apply event in the period */
  visited: boolean;
  /** opened a product or applied */
  viewed: boolean;
  /** submitted an application in the period */
  applied: boolean;
  /** one of those applications approved (so far) */
  approved: boolean;
  /** one of those applications disbursed (so far) */
  disbursed: boolean;
}

export const emptyFunnel = (): Record<FunnelKey, number> => ({ visitors: 0, viewers: 0, applicants: 0, approved: 0, disbursed: 0 });

/**
 * The funnel's counts among the same people: each step counts a person only when they also did
 * every step before it (an API applicant with no browse event is not an "applicant among
 * viewers"), so no step exceeds the one before and no rate exceeds 100%. Per channel and in total
 * (key 'total').
 */
export function nestedFunnel(people: Iterable<FunnelPerson>): Map<string, Record<FunnelKey, number>> {
  const out = new Map<string, Record<FunnelKey, number>>([['total', emptyFunnel()]]);
  for (const p of people) {
    if (!p.visited) continue;
    const steps: FunnelKey[] = ['visitors'];
    if (p.viewed) {
      steps.push('viewers');
      if (p.applied) {
        steps.push('applicants');
        if (p.approved) {
          steps.push('approved');
          if (p.disbursed) steps.push('disbursed');
        }
      }
    }
    for (const key of ['total', p.channel]) {
      const counts = out.get(key) ?? (out.set(key, emptyFunnel()), out.get(key)!);
      for (const s of steps) counts[s] += 1;
    }
  }
  return out;
}
