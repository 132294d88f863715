import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { ageBand, ageBandSql, ageBands, suppressSmallGroups } from './mix';

describe('age bands', () => {
  it('bands ages at the edges', () => {
    expect([17, 18, 25, 26, 35, 36, 45, 46, 55, 56, 90].map(ageBand)).toEqual(['未知', '18–25', '18–25', '26–35', '26–35', '36–45', '36–45', '46–55', '46–55', '56+', '56+']);
    expect(ageBand(null)).toBe('未知');
    expect(ageBand(undefined)).toBe('未知');
    expect(ageBands).toEqual(['18–25', '26–35', '36–45', '46–55', '56+']);
  });

  it('has the same bands in SQL', () => {
    const text = new PgDialect().sqlToQuery(ageBandSql(sql`age`)).sql;
    expect(text).toContain("when age between 18 and 25 then '18–25'");
    expect(text).toContain("when age >= 56 then '56+'");
    expect(text).toContain("else '未知' end");
  });
});

describe('small-group suppression', () => {
  it('shows buckets of 5 or more and hides smaller ones as "<5"', () => {
    const out = suppressSmallGroups([
      { label: 'a', people: 5 },
      { label: 'b', people: 4 },
      { label: 'c', people: 1 },
      { label: 'd', people: 10 },
      { label: 'e', people: 0 },
    ]);
    expect(out).toEqual([
      { label: 'a', people: 5, share: 0.25, suppressed: false, display: '5' },
      { label: 'b', people: null, share: null, suppressed: true, display: '<5' },
      { label: 'c', people: null, share: null, suppressed: true, display: '<5' },
      { label: 'd', people: 10, share: 0.5, suppressed: false, display: '10' },
    ]);
  });

  it('withholds the next smallest bucket when only one is small, so it cannot be derived', () => {
    const out = suppressSmallGroups([
      { label: 'a', people: 20 },
      { label: 'b', people: 2 },
      { label: 'c', people: 6 },
    ]);
    expect(out.map((b) => [b.label, b.display])).toEqual([
      ['a', '20'],
      ['b', '<5'],
      ['c', '已隐藏'],
    ]);
  });

  it('handles nothing, and a lone small group', () => {
    expect(suppressSmallGroups([])).toEqual([]);
    expect(suppressSmallGroups([{ label: 'x', people: 3 }])).toEqual([{ label: 'x', people: null, share: null, suppressed: true, display: '<5' }]);
  });
});
