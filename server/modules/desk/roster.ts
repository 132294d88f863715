/** One agent's shift in a group: on duty from `startsAt` (inclusive) to `endsAt` (exclusive). */
export interface Shift {
  agentId: string;
  startsAt: Date;
  endsAt: Date;
}

/** The agents on duty at `at`, each once, in id order (the round robin's circle). */
export function onDutyAt(shifts: readonly Shift[], at: Date): string[] {
  const t = at.getTime();
  return [...new Set(shifts.filter((s) => s.startsAt.getTime() <= t && t < s.endsAt.getTime()).map((s) => s.agentId))].sort();
}

/** When someone is next on duty after `at`, or null when the roster has no later shift. */
export function nextOnDuty(shifts: readonly Shift[], at: Date): Date | null {
  const t = at.getTime();
  const later = shifts.filter((s) => s.startsAt.getTime() > t).map((s) => s.startsAt.getTime());
  return later.length ? new Date(Math.min(...later)) : null;
}

/**
 * Round robin: the agent after `last` in the circle of those on duty (the first when `last` is
 * not in it, or none was chosen yet); null when no one is on duty.
 */
export function nextInTurn(onDuty: readonly string[], last: string | null): string | null {
  if (onDuty.length === 0) return null;
  if (last === null) return onDuty[0]!;
  const after = onDuty.find((id) => id > last);
  return after ?? onDuty[0]!;
}

/** "09:00" for 540 minutes after midnight. */
export const minuteText = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** "09:30" → 570; anything else is null. */
export function parseMinute(text: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text.trim());
  if (!m) return null;
  const minute = Number(m[1]) * 60 + Number(m[2]);
  return minute <= 1440 ? minute : null;
}
