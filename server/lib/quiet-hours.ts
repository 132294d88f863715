/**
 * Quiet hours in Asia/Shanghai (default 22:00–08:00): messages are held until they end, and
 * contact attempts inside them are refused. Windows may wrap past midnight.
 */
const SHANGHAI_OFFSET_MS = 8 * 3600_000; // China has no daylight saving time

function minutesOf(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`not a HH:MM time: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function isValidClockTime(hhmm: string): boolean {
  return /^([01]\d|2[0-3]):([0-5]\d)$/.test(hhmm);
}

/** When the quiet window that `now` falls in ends, or null when `now` is outside it. */
export function quietUntil(now: Date, start = '22:00', end = '08:00'): Date | null {
  const s = minutesOf(start);
  const e = minutesOf(end);
  if (s === e) return null; // no quiet hours
  const local = new Date(now.getTime() + SHANGHAI_OFFSET_MS);
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const inside = s < e ? minute >= s && minute < e : minute >= s || minute < e;
  if (!inside) return null;
  const endLocal = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), Math.floor(e / 60), e % 60));
  if (endLocal.getTime() <= local.getTime()) endLocal.setUTCDate(endLocal.getUTCDate() + 1);
  return new Date(endLocal.getTime() - SHANGHAI_OFFSET_MS);
}
