import { describe, expect, it } from 'vitest';
import { quietUntil } from './quiet-hours';

const shanghai = (iso: string) => new Date(`${iso}+08:00`);

describe('quiet hours (Asia/Shanghai)', () => {
  it('holds messages from 22:00 until 08:00 the next morning', () => {
    expect(quietUntil(shanghai('2026-11-21T22:00:00'))?.toISOString()).toBe(shanghai('2026-11-22T08:00:00').toISOString());
    expect(quietUntil(shanghai('2026-11-21T23:59:00'))?.toISOString()).toBe(shanghai('2026-11-22T08:00:00').toISOString());
    expect(quietUntil(shanghai('2026-11-22T03:00:00'))?.toISOString()).toBe(shanghai('2026-11-22T08:00:00').toISOString());
    expect(quietUntil(shanghai('2026-11-22T07:59:00'))?.toISOString()).toBe(shanghai('2026-11-22T08:00:00').toISOString());
  });

  it('lets messages through in the day', () => {
    expect(quietUntil(shanghai('2026-11-22T08:00:00'))).toBeNull();
    expect(quietUntil(shanghai('2026-11-22T12:30:00'))).toBeNull();
    expect(quietUntil(shanghai('2026-11-22T21:59:00'))).toBeNull();
  });

  it('crosses month and year ends, and handles windows that do not wrap', () => {
    expect(quietUntil(shanghai('2026-12-31T23:00:00'))?.toISOString()).toBe(shanghai('2027-01-01T08:00:00').toISOString());
    expect(quietUntil(shanghai('2026-02-28T22:30:00'))?.toISOString()).toBe(shanghai('2026-03-01T08:00:00').toISOString());
    expect(quietUntil(shanghai('2026-11-22T13:00:00'), '12:00', '14:00')?.toISOString()).toBe(shanghai('2026-11-22T14:00:00').toISOString());
    expect(quietUntil(shanghai('2026-11-22T15:00:00'), '12:00', '14:00')).toBeNull();
    expect(quietUntil(shanghai('2026-11-22T03:00:00'), '00:00', '00:00')).toBeNull();
  });
});
