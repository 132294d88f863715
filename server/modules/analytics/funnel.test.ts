import { describe, expect, it } from 'vitest';
import { funnelSteps } from './funnel';

const steps = (...counts: number[]) => funnelSteps(counts.map((count, i) => ({ key: `s${i}`, label: `第${i + 1}步`, count })));

describe('funnelSteps', () => {
  it('gives each step its share of the step before and of the first step', () => {
    const f = steps(200, 50, 10, 4, 1);
    expect(f.map((s) => s.stepRate)).toEqual([null, 0.25, 0.2, 0.4, 0.25]);
    expect(f.map((s) => s.overallRate)).toEqual([1, 0.25, 0.05, 0.02, 0.005]);
  });

  it('never divides by zero: a step after an empty one, and every step of an empty funnel, has no rate', () => {
    const f = steps(0, 0, 6, 3, 2);
    expect(f.map((s) => s.stepRate)).toEqual([null, null, null, 0.5, 2 / 3]);
    expect(f.map((s) => s.overallRate)).toEqual([null, null, null, null, null]);
    expect(steps(0, 0, 0).flatMap((s) => [s.stepRate, s.overallRate]).every((r) => r === null)).toBe(true);
    expect(steps().length).toBe(0);
  });

  it('keeps nested counts within 100% and does not hide a step that really counted more', () => {
    for (const f of [steps(5, 5, 3, 3, 0), steps(1, 1, 1, 1, 1)]) {
      for (const s of f) {
        if (s.stepRate !== null) expect(s.stepRate).toBeLessThanOrEqual(1);
        if (s.overallRate !== null) expect(s.overallRate).toBeLessThanOrEqual(1);
      }
    }
    expect(steps(2, 4)[1]!.stepRate).toBe(2);
  });
});
