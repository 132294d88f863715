import { compileCron, type CronSchedule } from './cron';

/**
 * A cron schedule as operators say it, Beijing time: "每天 00:30", "每 10 分钟", "每小时第 15 分",
 * "每月 1 日 02:00", "每周一 09:00". Read from the fields as the scheduler expands them
 * (compileCron, node-cron's parser), so the words mean what the job does. A shape it cannot say
 * gives null, and the page shows the expression itself; server/jobs/cron-text.test.ts checks that
 * every registered job is described.
 */
export function describeCron(expression: string): string | null {
  let s: CronSchedule;
  try {
    s = compileCron(expression);
  } catch {
    return null;
  }
  const sorted = (set: ReadonlySet<number>) => [...set].sort((a, b) => a - b);
  const full = (set: ReadonlySet<number>, size: number) => set.size === size;
  /** every n-th value from 0 (n > 1 dividing the range), or null */
  const stepOf = (values: number[], size: number) => {
    const n = values[1]! - values[0]!;
    return values.length > 1 && n > 1 && values[0] === 0 && size % n === 0 && values.length === size / n && values.every((v, i) => v === i * n) ? n : null;
  };
  const two = (n: number) => String(n).padStart(2, '0');
  const minutes = sorted(s.minutes);
  const hours = sorted(s.hours);
  if (!full(s.months, 12)) return null;
  const everyDay = full(s.daysOfMonth, 31) && !s.lastDayOfMonth && full(s.weekdays, 7);

  if (everyDay && full(s.hours, 24)) {
    if (full(s.minutes, 60)) return '每分钟';
    const n = stepOf(minutes, 60);
    if (n !== null) return `每 ${n} 分钟`;
    if (minutes.length === 1) return minutes[0] === 0 ? '每小时整点' : `每小时第 ${minutes[0]} 分`;
    return null;
  }
  if (minutes.length !== 1) return null;
  const m = minutes[0]!;
  const h = stepOf(hours, 24);
  if (everyDay && h !== null) return `每 ${h} 小时（第 ${m} 分）`;
  if (hours.length > 4) return null;
  const times = hours.map((hour) => `${two(hour)}:${two(m)}`).join('、');
  if (everyDay) return `每天 ${times}`;
  if (full(s.weekdays, 7) && !s.lastDayOfMonth && s.daysOfMonth.size > 0 && s.daysOfMonth.size <= 4) return `每月 ${sorted(s.daysOfMonth).join('、')} 日 ${times}`;
  if (full(s.weekdays, 7) && s.lastDayOfMonth && s.daysOfMonth.size === 0) return `每月最后一天 ${times}`;
  if (full(s.daysOfMonth, 31) && !s.lastDayOfMonth) return `每周${sorted(s.weekdays).map((d) => '日一二三四五六'[d]).join('、')} ${times}`;
  return null;
}
