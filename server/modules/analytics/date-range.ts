import { isIsoDate, shanghaiDate, shanghaiDayEnd, shanghaiDayStart } from '../../lib/shanghai-date';
import { ValidationError } from '../../lib/errors';

/** The longest period a statistics page or API answers for, in days (a leap year). */
export const MAX_RANGE_DAYS = 366;
/** The quick choices offered on the pages. */
export const RANGE_PRESETS = [7, 30, 90] as const;
export const DEFAULT_RANGE_DAYS = 30;

/**
 * A period of whole Asia/Shanghai calendar days, `from` and `to` inclusive; `start` and `end`
 * are the UTC instants that bound it (`end` exclusive), `days` every day in it.
 */
export interface DateRange {
  from: string;
  to: string;
  start: Date;
  end: Date;
  days: string[];
}

const DAY_MS = 86_400_000;

export { shanghaiDate };

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}


/**
 * Reads `from`, `to` (YYYY-MM-DD, Shanghai days, inclusive) and `days` (a preset length ending
 * at `to`). Defaults: the last 30 days up to today. Bad input is a ValidationError naming the field.
 */
export function parseDateRange(input: { from?: string; to?: string; days?: string | number }, now: Date = new Date()): DateRange {
  const fields: Record<string, string> = {};
  const from = input.from?.trim() || undefined;
  const to = input.to?.trim() || undefined;
  if (from !== undefined && !isIsoDate(from)) fields.from = '开始日期格式应为 YYYY-MM-DD';
  if (to !== undefined && !isIsoDate(to)) fields.to = '结束日期格式应为 YYYY-MM-DD';
  let length = DEFAULT_RANGE_DAYS;
  if (input.days !== undefined && String(input.days).trim() !== '') {
    const n = Number(input.days);
    if (!Number.isInteger(n) || n < 1 || n > MAX_RANGE_DAYS) fields.days = `天数须为 1–${MAX_RANGE_DAYS} 的整数`;
    else length = n;
  }
  if (Object.keys(fields).length) throw new ValidationError('日期范围有误', fields);

  const end = to ?? shanghaiDate(now);
  const begin = from ?? addDays(end, -(length - 1));
  if (begin > end) throw new ValidationError('日期范围有误', { from: '开始日期不能晚于结束日期' });
  const span = Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${begin}T00:00:00Z`)) / DAY_MS) + 1;
  if (span > MAX_RANGE_DAYS) throw new ValidationError('日期范围有误', { to: `时间范围最长 ${MAX_RANGE_DAYS} 天` });
  const days = Array.from({ length: span }, (_, i) => addDays(begin, i));
  return { from: begin, to: end, start: shanghaiDayStart(begin), end: shanghaiDayEnd(end), days };
}
