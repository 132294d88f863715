import { describe, expect, it } from 'vitest';
import { RepeatFilter } from './repeat-filter';

describe('RepeatFilter', () => {
  it('says no at a key’s first asking and yes from its second on', () => {
    const filter = new RepeatFilter();
    expect(filter.seenBefore('/api/v1/products?q=装修')).toBe(false);
    expect(filter.seenBefore('/api/v1/products?q=装修')).toBe(true);
    expect(filter.seenBefore('/api/v1/products?q=装修')).toBe(true);
    expect(filter.seenBefore('/api/v1/products?q=装修贷')).toBe(false);
    expect(filter.seenBefore('')).toBe(false);
    expect(filter.seenBefore('')).toBe(true);
  });

  it('remembers a key for one window at least and two at most', () => {
    let now = 1_000_000;
    const filter = new RepeatFilter({ windowMs: 30_000, now: () => now });
    filter.seenBefore('a');
    now += 29_999;
    filter.seenBefore('b');
    now += 1; // the window turns: a and b move to the previous filter
    expect(filter.seenBefore('a')).toBe(true); // found there (and recorded again in the current one)
    now += 30_000; // turns again: only what was asked in the last window is left
    expect(filter.seenBefore('a')).toBe(true);
    expect(filter.seenBefore('b')).toBe(false);
    now += 60_000; // two windows without asking: forgotten
    expect(filter.seenBefore('a')).toBe(false);
  });

  it('turns after `capacity` new keys, so a flood of one-offs forgets the old ones', () => {
    const filter = new RepeatFilter({ capacity: 1_000, now: () => 0 });
    filter.seenBefore('popular');
    for (let i = 0; i < 1_000; i++) filter.seenBefore(`one-off ${i}`); // fills the current filter: it turns
    expect(filter.seenBefore('popular')).toBe(true); // in the previous one
    for (let i = 1_000; i < 3_000; i++) filter.seenBefore(`one-off ${i}`); // turns twice more
    expect(filter.seenBefore('popular')).toBe(false);
  });

  it('keeps false positives rare at its capacity (under 2% of keys never asked)', () => {
    const filter = new RepeatFilter({ capacity: 50_000, now: () => 0 });
    for (let i = 0; i < 49_999; i++) filter.seenBefore(`/api/v1/products?q=${i}&amount=50000`);
    let falsePositives = 0;
    for (let i = 0; i < 10_000; i++) if (filter.seenBefore(`/api/v1/products?q=${i}&termMonths=12`)) falsePositives++;
    expect(falsePositives).toBeGreaterThan(0); // a Bloom filter, not a set
    expect(falsePositives / 10_000).toBeLessThan(0.02);
  });
});
