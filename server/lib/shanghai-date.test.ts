import { describe, expect, it } from 'vitest';
import { isIsoDate, shanghaiDate, shanghaiDayEnd, shanghaiDayStart } from './shanghai-date';

describe('Shanghai calendar dates', () => {
  it('turns the day at 16:00 UTC, which is midnight in Shanghai', () => {
    expect(shanghaiDate(new Date('2026-11-21T15:59:59.999Z'))).toBe('2026-11-21');
    expect(shanghaiDate(new Date('2026-11-21T16:00:00.000Z'))).toBe('2026-11-22');
  });

  it('agrees with the time-zone database across a year, including month and year ends', () => {
    const zone = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (let t = Date.UTC(2027, 11, 31, 15, 30); t > Date.UTC(2026, 11, 31); t -= 7 * 3_600_000 + 13 * 60_000) {
      expect(shanghaiDate(new Date(t))).toBe(zone.format(new Date(t)));
    }
  });

  it('gives the bounds of a day and checks that a date is real', () => {
    expect(shanghaiDayStart('2028-02-29').toISOString()).toBe('2028-02-28T16:00:00.000Z');
    expect(shanghaiDayEnd('2028-02-29').toISOString()).toBe('2028-02-29T16:00:00.000Z');
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
  });
});
