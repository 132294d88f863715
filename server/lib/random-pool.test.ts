import { describe, expect, it } from 'vitest';
import { randomBytesPooled } from './random-pool';
import { newId } from './ids';

describe('randomBytesPooled', () => {
  it('hands out the asked number of bytes, never the same bytes twice, across refills of the pool', () => {
    const seen = new Set<string>();
    // 1,000 × 20 bytes: the 4 KB pool is refilled four times on the way
    for (let i = 0; i < 1_000; i++) {
      const bytes = randomBytesPooled(20);
      expect(bytes.length).toBe(20);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(1_000);
  });

  it('gives a copy: bytes kept by a caller do not change when the pool is refilled', () => {
    const kept = randomBytesPooled(16);
    const before = kept.toString('hex');
    for (let i = 0; i < 300; i++) randomBytesPooled(16);
    expect(kept.toString('hex')).toBe(before);
  });

  it('draws bytes spread over every value (not a constant, not a short cycle)', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 512; i++) for (const b of randomBytesPooled(128)) counts[b]!++;
    // 65,536 bytes: 256 expected per value; a uniform source stays well inside 150–380
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(380);
  });

  it.each([0, -1, 1.5, 257])('refuses %s bytes', (n) => {
    expect(() => randomBytesPooled(n)).toThrow(RangeError);
  });

  it('makes ids of the asked length from the pool', () => {
    expect(newId('app')).toMatch(/^app_[0-9a-hjkmnp-tv-z]{20}$/);
    expect(newId('cc', 12)).toMatch(/^cc_[0-9a-hjkmnp-tv-z]{12}$/);
  });
});
