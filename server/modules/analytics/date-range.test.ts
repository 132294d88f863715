import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { parseDateRange, shanghaiDate } from './date-range';

const fieldsOf = (fn: () => unknown): Record<string, string> => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fields ?? {};
  }
  throw new Error('expected a ValidationError');
};

describe('statistics date range', () => {
  // 2026-03-10 17:30 UTC is already 2026-03-11 in Shanghai
  const now = new Date('2026-03-10T17:30:00Z');

  it('defaults to the last 30 Shanghai days, today included', () => {
    expect(shanghaiDate(now)).toBe('2026-03-11');
    const r = parseDateRange({}, now);
    expect(r.from).toBe('2026-02-10');
    expect(r.to).toBe('2026-03-11');
    expect(r.days).toHaveLength(30);
    expect(r.days[0]).toBe('2026-02-10');
    expect(r.days.at(-1)).toBe('2026-03-11');
    expect(r.start.toISOString()).toBe('2026-02-09T16:00:00.000Z');
    expect(r.end.toISOString()).toBe('2026-03-11T16:00:00.000Z');
  });

  it('takes a preset length or explicit days', () => {
    expect(parseDateRange({ days: '7' }, now).from).toBe('2026-03-05');
    const r = parseDateRange({ from: '2026-02-27', to: '2026-03-01' }, now);
    expect(r.days).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(parseDateRange({ from: '2026-03-01', to: '2026-03-01' }, now).days).toEqual(['2026-03-01']);
    expect(parseDateRange({ from: '', to: ' ' }, now).days).toHaveLength(30);
  });

  it('allows 366 days and refuses 367, naming the field', () => {
    expect(parseDateRange({ from: '2024-01-01', to: '2024-12-31' }, now).days).toHaveLength(366);
    expect(fieldsOf(() => parseDateRange({ from: '2024-01-01', to: '2025-01-01' }, now))).toHaveProperty('to');
    expect(fieldsOf(() => parseDateRange({ days: '367' }, now))).toHaveProperty('days');
  });

  it('refuses bad dates and reversed ranges, naming the field', () => {
    expect(fieldsOf(() => parseDateRange({ from: '2026-02-30' }, now))).toHaveProperty('from');
    expect(fieldsOf(() => parseDateRange({ from: '2026/03/01' }, now))).toHaveProperty('from');
    expect(fieldsOf(() => parseDateRange({ to: 'yesterday' }, now))).toHaveProperty('to');
    expect(fieldsOf(() => parseDateRange({ days: 'x' }, now))).toHaveProperty('days');
    expect(fieldsOf(() => parseDateRange({ from: '2026-03-05', to: '2026-03-01' }, now))).toHaveProperty('from');
  });
});
