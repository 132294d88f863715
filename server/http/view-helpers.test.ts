import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { viewHelpers as h } from './view-helpers';

describe('view helpers', () => {
  it('shows times in Beijing time, shaped like the due dates beside them', () => {
    expect(h.datetime(new Date('2026-12-04T16:30:00Z'))).toBe('2026-12-05 00:30'); // past midnight in Beijing
    expect(h.datetime('2026-12-04T15:59:00Z')).toBe('2026-12-04 23:59');
    expect(h.datetime(new Date('2026-01-01T04:05:00Z'))).toBe('2026-01-01 12:05'); // noon, not 00 or 24
    expect(h.date('2026-12-04T16:30:00Z')).toBe('2026-12-05');
    expect(h.datetime(null)).toBe('—');
    expect(h.date('not a date')).toBe('—');
  });

  it('money in ¥ and 万, rates with two decimals, speeds in words', () => {
    expect(h.yuan(888488)).toBe('¥8,884.88');
    expect(h.wan(5_000_000)).toBe('5万');
    expect(h.rate('0.1234')).toBe('12.34%');
    expect(h.minutes(240)).toBe('4 小时');
    expect(h.hours(48)).toBe('2 天');
  });
});

describe('templates and helpers', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const templates = ['web/views', 'institution-portal/views', 'admin/views', 'server/http/views'].flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => path.join(dir, f)),
  );

  it('never print a field named like a helper: Handlebars would call the helper instead (a funnel showed "NaN%", a status "—")', () => {
    expect(templates.length).toBeGreaterThan(50);
    // helpers that take a value (idempotencyKey takes none and is meant to be used bare)
    const names = new Set(Object.entries(h).filter(([, fn]) => fn.length > 0 || fn === h.or || fn === h.and || fn === h.concat).map(([name]) => name));
    const clashes = templates.flatMap((file) =>
      [...readFileSync(path.join(root, file), 'utf8').matchAll(/\{\{\{?\s*([A-Za-z_]\w*)\s*\}?\}\}/g)].filter((m) => names.has(m[1]!)).map((m) => `${file}: ${m[0]}`),
    );
    expect(clashes).toEqual([]);
  });
});
