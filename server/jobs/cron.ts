import { parse, validate } from 'node-cron';

/**
 * The 5-field cron expressions of our jobs (minute hour day-of-month month day-of-week), evaluated
 * in Asia/Shanghai. Fields are expanded by node-cron's own parser, so an expression means here what
 * it means to the node-cron task that fires it; node-cron computes only the next run of a started
 * task, so the instants before now (for catch-up) and after a given time are computed here.
 *
 * Asia/Shanghai is UTC+8 all year (China keeps no daylight saving time), so the wall clock is the
 * UTC clock moved by 8 hours: no skipped or repeated hours, every day has 1,440 minutes.
 * Like node-cron, a day must match BOTH the day-of-month and the day-of-week field.
 */
export interface CronSchedule {
  expression: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  /** `L` in the day-of-month field: the last day of the month */
  lastDayOfMonth: boolean;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (node-cron turns 7 into 0) */
  weekdays: ReadonlySet<number>;
}

export const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const MINUTE = 60_000;
const HOUR = 3600_000;
const DAY = 86_400_000;

export function compileCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron "${expression}": five fields expected (minute hour day month weekday)`);
  if (!validate(expression)) throw new Error(`cron "${expression}" is not a valid node-cron expression`);
  const parsed = parse(expression);
  const numbers = (values: (number | string)[], field: string): number[] =>
    values.map((v) => {
      if (typeof v === 'number') return v;
      throw new Error(`cron "${expression}": "${v}" in the ${field} field is not supported by the scheduler`);
    });
  const dom = parsed.dayOfMonth;
  return {
    expression,
    minutes: new Set(parsed.minute),
    hours: new Set(parsed.hour),
    daysOfMonth: new Set(numbers(dom.filter((v) => v !== 'L'), 'day-of-month')),
    lastDayOfMonth: dom.includes('L'),
    months: new Set(parsed.month),
    weekdays: new Set(numbers(parsed.dayOfWeek, 'day-of-week').map((d) => d % 7)),
  };
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
  daysInMonth: number;
}

function shanghai(ms: number): WallClock {
  const d = new Date(ms + SHANGHAI_OFFSET_MS);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  return {
    year,
    month,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

function dayMatches(c: CronSchedule, w: WallClock): boolean {
  const dom = c.daysOfMonth.has(w.day) || (c.lastDayOfMonth && w.day === w.daysInMonth);
  return dom && c.months.has(w.month) && c.weekdays.has(w.weekday);
}

/** Whether the minute containing `at` (Shanghai wall clock) is one of the schedule's instants. */
export function cronMatches(c: CronSchedule, at: Date): boolean {
  const w = shanghai(at.getTime());
  return dayMatches(c, w) && c.hours.has(w.hour) && c.minutes.has(w.minute);
}

const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
/** the instant the Shanghai day containing `ms` began */
const shanghaiDayStart = (ms: number) => ms - ((((ms + SHANGHAI_OFFSET_MS) % DAY) + DAY) % DAY);
const hourStart = (ms: number) => Math.floor(ms / HOUR) * HOUR; // the offset is whole hours

/** The first instant strictly after `after`, looking at most `horizonDays` ahead; null if none. */
export function nextInstant(c: CronSchedule, after: Date, horizonDays = 366 * 5): Date | null {
  let t = floorMinute(after.getTime()) + MINUTE;
  const end = after.getTime() + horizonDays * DAY;
  while (t <= end) {
    const w = shanghai(t);
    if (!dayMatches(c, w)) t = shanghaiDayStart(t) + DAY;
    else if (!c.hours.has(w.hour)) t = hourStart(t) + HOUR;
    else if (c.minutes.has(w.minute)) return new Date(t);
    else t += MINUTE;
  }
  return null;
}

/**
 * The latest `limit` instants in (after, until], oldest first. Steps back minute by minute from
 * `until` (a whole non-matching day or hour at a time), never past `after`.
 */
export function instantsBetween(c: CronSchedule, after: Date, until: Date, limit: number): Date[] {
  const found: number[] = [];
  let t = floorMinute(until.getTime());
  const stop = after.getTime();
  while (t > stop && found.length < limit) {
    const w = shanghai(t);
    if (!dayMatches(c, w)) t = shanghaiDayStart(t) - MINUTE;
    else if (!c.hours.has(w.hour)) t = hourStart(t) - MINUTE;
    else {
      if (c.minutes.has(w.minute)) found.push(t);
      t -= MINUTE;
    }
  }
  return found.reverse().map((ms) => new Date(ms));
}

/** The latest instant at or before `at` within `lookbackDays`; null if none. */
export function previousInstant(c: CronSchedule, at: Date, lookbackDays = 366): Date | null {
  return instantsBetween(c, new Date(at.getTime() - lookbackDays * DAY), at, 1)[0] ?? null;
}

export interface CatchUpPolicy {
  /** how many of the most recent missed instants to run (jobs work "as of now", so 1 catches up) */
  limit: number;
  /** never look further back than this */
  lookbackMs: number;
}

export const defaultCatchUp: CatchUpPolicy = { limit: 1, lookbackMs: 35 * DAY };

/**
 * The instants to run at start-up: those after the last successful scheduled run (or the lookback
 * window, whichever is later) up to now, the latest `limit` of them.
 */
export function missedInstants(c: CronSchedule, lastSuccess: Date | null, now: Date, policy: CatchUpPolicy = defaultCatchUp): Date[] {
  const windowStart = now.getTime() - policy.lookbackMs;
  const after = lastSuccess && lastSuccess.getTime() > windowStart ? lastSuccess : new Date(windowStart);
  return instantsBetween(c, after, now, policy.limit);
}
