import type { ComplaintStatus } from './feedback.schema';
import { isFinished } from './complaint-status';

export interface SlaHours {
  firstResponseHours: number;
  resolutionHours: number;
}

/** The two deadlines of a ticket filed at `createdAt`. */
export function slaDueDates(createdAt: Date, hours: SlaHours): { firstResponseDueAt: Date; resolutionDueAt: Date } {
  return {
    firstResponseDueAt: new Date(createdAt.getTime() + hours.firstResponseHours * 3600_000),
    resolutionDueAt: new Date(createdAt.getTime() + hours.resolutionHours * 3600_000),
  };
}

export interface SlaTicket {
  status: ComplaintStatus;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  firstRespondedAt: Date | null;
  escalationLevel: number;
}

/**
 * The escalation a ticket deserves at `now`: 2 when it is still unresolved after its resolution
 * deadline, 1 when it got no first answer by its first-answer deadline, else 0. A first answer
 * given in time never escalates to 1; resolved and closed tickets never escalate.
 */
export function overdueLevel(t: SlaTicket, now: Date): 0 | 1 | 2 {
  if (isFinished(t.status)) return 0;
  if (t.resolutionDueAt.getTime() <= now.getTime()) return 2;
  if (t.firstRespondedAt === null && t.firstResponseDueAt.getTime() <= now.getTime()) return 1;
  return 0;
}

/** The level to escalate to, or null when the ticket is already at (or above) what it deserves. */
export function escalationFor(t: SlaTicket, now: Date): 1 | 2 | null {
  const level = overdueLevel(t, now);
  return level > t.escalationLevel ? (level as 1 | 2) : null;
}

/** Hours (negative when overdue) until a deadline, for countdowns. */
export function hoursLeft(due: Date, now: Date): number {
  return Math.round(((due.getTime() - now.getTime()) / 3600_000) * 10) / 10;
}
