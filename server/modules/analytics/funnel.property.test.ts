import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { funnelStepLabels, funnelSteps, nestedFunnel, type FunnelKey, type FunnelPerson } from './funnel';

/** One thing a person did: a browse event, an application, a decision, a disbursement. */
type Event = { person: number; kind: 'search' | 'view' | 'click' | 'apply_event' | 'applied' | 'approved' | 'disbursed'; channel: string };

/**
 * What the funnel knows of each person after a stream of events, in any order: an approval or a
 * disbursement can be recorded without the event before it (an API applicant never browses; a
 * stale status), which is exactly what made the old funnel show 200%.
 */
function peopleOf(events: Event[]): FunnelPerson[] {
  const people = new Map<number, FunnelPerson>();
  for (const e of events) {
    const p = people.get(e.person) ?? { channel: e.channel, visited: false, viewed: false, applied: false, approved: false, disbursed: false };
    if (e.kind === 'search' || e.kind === 'view' || e.kind === 'click' || e.kind === 'apply_event') p.visited = true;
    if (e.kind === 'view' || e.kind === 'click' || e.kind === 'apply_event') p.viewed = true;
    if (e.kind === 'applied') p.applied = true;
    if (e.kind === 'approved') p.approved = true;
    if (e.kind === 'disbursed') p.disbursed = true;
    people.set(e.person, p);
  }
  return [...people.values()];
}

const event = fc.record({
  person: fc.integer({ min: 0, max: 40 }),
  kind: fc.constantFrom('search', 'view', 'click', 'apply_event', 'applied', 'approved', 'disbursed'),
  channel: fc.constantFrom('organic', 'ch_a', 'ch_b'),
}) as fc.Arbitrary<Event>;
const keys = Object.keys(funnelStepLabels) as FunnelKey[];

describe('the funnel over random event streams', () => {
  it('never has a rate outside [0, 1] and never a step larger than the one before, in total and per channel', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 300 }), (events) => {
        const funnels = nestedFunnel(peopleOf(events));
        for (const counts of funnels.values()) {
          const steps = funnelSteps(keys.map((key) => ({ key, label: funnelStepLabels[key], count: counts[key] })));
          for (const [i, s] of steps.entries()) {
            for (const rate of [s.stepRate, s.overallRate]) {
              if (rate !== null) {
                expect(Number.isFinite(rate)).toBe(true);
                expect(rate).toBeGreaterThanOrEqual(0);
                expect(rate).toBeLessThanOrEqual(1);
              }
            }
            if (i > 0) {
              expect(s.count).toBeLessThanOrEqual(steps[i - 1]!.count);
              // a zero previous step has no rate ("—"), never NaN
              expect(s.stepRate === null).toBe(steps[i - 1]!.count === 0);
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('adds the channels up to the total, and counts each person once', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), (events) => {
        const funnels = nestedFunnel(peopleOf(events));
        const total = funnels.get('total')!;
        for (const k of keys) expect([...funnels.entries()].filter(([c]) => c !== 'total').reduce((s, [, f]) => s + f[k], 0)).toBe(total[k]);
        expect(total.visitors).toBe(peopleOf(events).filter((p) => p.visited).length);
      }),
    );
  });

  it('counts a step only among the people of the step before', () => {
    const people: FunnelPerson[] = [
      { channel: 'organic', visited: true, viewed: true, applied: true, approved: true, disbursed: true },
      // applied through the API without a browse event: an applicant, but not among the viewers
      { channel: 'organic', visited: false, viewed: false, applied: true, approved: true, disbursed: false },
      { channel: 'ch_a', visited: true, viewed: false, applied: true, approved: false, disbursed: false },
    ];
    expect(nestedFunnel(people).get('total')).toEqual({ visitors: 2, viewers: 1, applicants: 1, approved: 1, disbursed: 1 });
    expect(nestedFunnel(people).get('ch_a')).toEqual({ visitors: 1, viewers: 0, applicants: 0, approved: 0, disbursed: 0 });
  });
});
