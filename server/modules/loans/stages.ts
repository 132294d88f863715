/**
 * Pure selection rules for the post-loan jobs: which reminder is due before an instalment, which
 * overdue stage a loan has reached, and the age bucket of an overdue amount. No clock, no database.
 */
import { daysBetween } from './allocation';

/** Reminders go out this many days before a due date. */
export const REMINDER_OFFSETS = [7, 3, 1] as const;
export type ReminderOffset = (typeof REMINDER_OFFSETS)[number];

/**
 * The reminder to send on `today` for an instalment due on `dueDate`: the closest offset not yet
 * passed (5 days before → the 7-day reminder; 2 days before → the 3-day one). A day missed by the
 * scheduler is caught up with the reminder that fits now, not with stale ones. Null when the due
 * date is more than 7 days away, today, or past.
 */
export function reminderOffsetFor(dueDate: string, today: string): ReminderOffset | null {
  const daysUntil = daysBetween(today, dueDate);
  if (daysUntil < 1) return null;
  return [...REMINDER_OFFSETS].sort((a, b) => a - b).find((d) => daysUntil <= d) ?? null;
}

export const overdueStages = ['reminder', 'call', 'collection', 'escalated'] as const;
export type OverdueStage = (typeof overdueStages)[number];

export const overdueStageLabels: Record<OverdueStage, string> = {
  reminder: '逾期提醒',
  call: '电话跟进',
  collection: '催收',
  escalated: '升级处理',
};

/** Day thresholds (days past the due date) at which each stage starts; operators set them. */
export interface OverdueStageDays {
  reminder: number;
  call: number;
  collection: number;
  escalated: number;
}

export const defaultStageDays: OverdueStageDays = { reminder: 1, call: 3, collection: 7, escalated: 30 };

/** Days past due of an instalment due on `dueDate`, on `today` (0 on the due date itself). */
export function daysOverdue(dueDate: string, today: string): number {
  return Math.max(0, daysBetween(dueDate, today));
}

/** Every stage reached after `days` days overdue, in order. */
export function stagesReached(days: number, thresholds: OverdueStageDays): OverdueStage[] {
  if (days < 1) return [];
  return overdueStages.filter((s) => days >= thresholds[s]);
}

/** The highest stage reached, or null. */
export function stageFor(days: number, thresholds: OverdueStageDays): OverdueStage | null {
  return stagesReached(days, thresholds).at(-1) ?? null;
}

export const ageBuckets = ['1-7', '8-30', '31-90', '90+'] as const;
export type AgeBucket = (typeof ageBuckets)[number];
export const ageBucketLabels: Record<AgeBucket, string> = { '1-7': '1–7 天', '8-30': '8–30 天', '31-90': '31–90 天', '90+': '90 天以上' };

export function ageBucketOf(days: number): AgeBucket | null {
  if (days < 1) return null;
  if (days <= 7) return '1-7';
  if (days <= 30) return '8-30';
  if (days <= 90) return '31-90';
  return '90+';
}
