import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { compileCron, cronMatches, instantsBetween, missedInstants, nextInstant, previousInstant } from './cron';

/** an instant written as Shanghai wall-clock time */
const sh = (local: string) => new Date(`${local}+08:00`);
const next = (expr: string, after: string) => nextInstant(compileCron(expr), sh(after))?.toISOString();

describe('cron expressions in Asia/Shanghai', () => {
  it('finds the next instant on the Shanghai wall clock, not UTC', () => {
    expect(next('15 * * * *', '2026-11-22T10:20:00')).toBe(sh('2026-11-22T11:15:00').toISOString());
    expect(next('15 * * * *', '2026-11-22T10:15:00')).toBe(sh('2026-11-22T11:15:00').toISOString()); // strictly after
    expect(next('15 * * * *', '2026-11-22T10:14:59')).toBe(sh('2026-11-22T10:15:00').toISOString());
    // 00:05 in Shanghai is 16:05 UTC the day before
    expect(next('5 0 * * *', '2026-11-22T00:10:00')).toBe('2026-11-22T16:05:00.000Z');
    expect(next('*/10 * * * *', '2026-11-22T23:55:00')).toBe(sh('2026-11-23T00:00:00').toISOString());
    // Monday 00:00 in Shanghai is Sunday 16:00 UTC
    expect(next('0 0 * * 1', '2026-11-22T12:00:00')).toBe('2026-11-22T16:00:00.000Z');
    expect(next('0 0 * * 7', '2026-11-23T12:00:00')).toBe(sh('2026-11-29T00:00:00').toISOString()); // 7 is Sunday too
  });

  it('handles month ends, leap days and the last day of the month', () => {
    expect(next('0 2 31 * *', '2027-01-31T03:00:00')).toBe(sh('2027-03-31T02:00:00').toISOString()); // no 31 February
    expect(next('0 2 L * *', '2027-02-01T00:00:00')).toBe(sh('2027-02-28T02:00:00').toISOString());
    expect(next('0 2 L * *', '2028-02-01T00:00:00')).toBe(sh('2028-02-29T02:00:00').toISOString());
    expect(next('0 2 L * *', '2027-04-30T02:00:00')).toBe(sh('2027-05-31T02:00:00').toISOString());
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00')).toBe(sh('2028-02-29T00:00:00').toISOString());
    expect(next('30 23 31 12 *', '2026-12-31T23:30:00')).toBe(sh('2027-12-31T23:30:00').toISOString()); // year end
    expect(next('0 0 1 * *', '2026-12-31T23:59:00')).toBe(sh('2027-01-01T00:00:00').toISOString());
    expect(() => compileCron('0 0 30 2 *')).toThrow(/not a valid/); // node-cron refuses a day that never comes
  });

  it('has no daylight-saving gaps or repeats: every day has 1,440 minutes, daily runs are 24 hours apart', () => {
    const everyMinute = compileCron('* * * * *');
    // the US (14 March) and EU (28 March) switch to summer time in 2027; Shanghai does not
    for (const day of ['2027-03-14', '2027-03-28', '2027-10-31', '2027-11-07']) {
      expect(instantsBetween(everyMinute, new Date(sh(`${day}T00:00:00`).getTime() - 1), sh(`${day}T23:59:00`), 5000)).toHaveLength(1440);
    }
    const daily = compileCron('30 2 * * *');
    const runs = instantsBetween(daily, sh('2027-03-01T00:00:00'), sh('2027-04-30T23:59:00'), 100);
    expect(runs).toHaveLength(61);
    for (let i = 1; i < runs.length; i += 1) expect(runs[i]!.getTime() - runs[i - 1]!.getTime()).toBe(86_400_000);
  });

  it('a day must match both day-of-month and day-of-week, as in node-cron', () => {
    const c = compileCron('0 9 1 * 1');
    expect(cronMatches(c, sh('2027-03-01T09:00:00'))).toBe(true); // 1 March 2027 is a Monday
    expect(cronMatches(c, sh('2027-04-01T09:00:00'))).toBe(false); // a Thursday
    expect(cronMatches(c, sh('2027-03-08T09:00:00'))).toBe(false); // a Monday, not the 1st
    expect(cronMatches(c, sh('2027-03-01T09:00:42'))).toBe(true); // seconds do not matter
  });

  it('agrees with the runs node-cron itself plans', () => {
    const from = new Date('2026-11-22T10:20:30Z');
    for (const expr of ['15 * * * *', '5 0 * * *', '*/10 * * * *', '0 2 1 * *', '30 9 * * 1-5', '0 0 L * *', '0 */6 * 1,7 *']) {
      const task = cron.createTask(expr, () => undefined, { timezone: 'Asia/Shanghai' });
      try {
        const theirs = task.getNextRuns(6).map((d) => d.toISOString());
        const ours: string[] = [];
        let at = new Date(Date.now());
        for (let i = 0; i < 6; i += 1) {
          at = nextInstant(compileCron(expr), at)!;
          ours.push(at.toISOString());
        }
        expect(ours, expr).toEqual(theirs);
      } finally {
        void task.destroy();
      }
    }
    expect(previousInstant(compileCron('15 * * * *'), from)?.toISOString()).toBe('2026-11-22T10:15:00.000Z');
  });

  it('refuses expressions the scheduler does not understand', () => {
    expect(() => compileCron('0 0 * *')).toThrow(/five fields/);
    expect(() => compileCron('0 0 0 * * *')).toThrow(/five fields/);
    expect(() => compileCron('61 * * * *')).toThrow(/not a valid/);
    expect(() => compileCron('0 0 15W * *')).toThrow();
  });
});

describe('catch-up selection', () => {
  const hourly = compileCron('15 * * * *');

  it('runs the latest missed instant since the last successful run', () => {
    const now = sh('2026-11-22T13:40:00');
    expect(missedInstants(hourly, sh('2026-11-22T10:15:00'), now)).toEqual([sh('2026-11-22T13:15:00')]);
    expect(missedInstants(hourly, sh('2026-11-22T10:15:00'), now, { limit: 3, lookbackMs: 86_400_000 })).toEqual([
      sh('2026-11-22T11:15:00'),
      sh('2026-11-22T12:15:00'),
      sh('2026-11-22T13:15:00'),
    ]);
    // nothing missed: the last success is the latest instant
    expect(missedInstants(hourly, sh('2026-11-22T13:15:00'), now)).toEqual([]);
    // the instant of this very minute counts (the unique run record keeps it to one run)
    expect(missedInstants(hourly, sh('2026-11-22T12:15:00'), sh('2026-11-22T13:15:20'))).toEqual([sh('2026-11-22T13:15:00')]);
  });

  it('never looks further back than the lookback window', () => {
    const monthly = compileCron('0 2 1 * *');
    const policy = { limit: 5, lookbackMs: 35 * 86_400_000 };
    const now = sh('2027-03-10T08:00:00');
    expect(missedInstants(monthly, sh('2026-10-01T02:00:00'), now, policy)).toEqual([sh('2027-03-01T02:00:00')]);
    expect(missedInstants(monthly, null, now, policy)).toEqual([sh('2027-03-01T02:00:00')]);
    expect(missedInstants(compileCron('0 2 1 1 *'), null, now, policy)).toEqual([]); // January's run is outside the window
  });
});
