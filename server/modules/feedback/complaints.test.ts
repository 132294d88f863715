import { describe, expect, it } from 'vitest';
import { isFinished, nextComplaintStatuses, transitionProblem } from './complaint-status';
import { escalationFor, hoursLeft, overdueLevel, slaDueDates, type SlaTicket } from './sla';

const at = (iso: string) => new Date(iso);
const DAY = 86_400_000;

describe('complaint status machine', () => {
  const ticket = (status: Parameters<typeof transitionProblem>[0]['status'], resolvedAt: Date | null = null) => ({ status, resolvedAt });
  const now = at('2026-03-10T00:00:00Z');

  it('lets operators work a ticket open → in_progress → awaiting_consumer → resolved', () => {
    expect(transitionProblem(ticket('open'), 'in_progress', 'operator', now)).toBeNull();
    expect(transitionProblem(ticket('in_progress'), 'awaiting_consumer', 'operator', now)).toBeNull();
    expect(transitionProblem(ticket('awaiting_consumer'), 'resolved', 'operator', now)).toBeNull();
    expect(transitionProblem(ticket('open'), 'resolved', 'operator', now)).toBeNull();
  });

  it('lets the consumer only reply (awaiting → in_progress), confirm (resolved → closed) and reopen', () => {
    expect(nextComplaintStatuses('open', 'consumer')).toEqual([]);
    expect(nextComplaintStatuses('in_progress', 'consumer')).toEqual([]);
    expect(nextComplaintStatuses('awaiting_consumer', 'consumer')).toEqual(['in_progress']);
    expect(nextComplaintStatuses('resolved', 'consumer').sort()).toEqual(['closed', 'in_progress']);
    expect(transitionProblem(ticket('open'), 'resolved', 'consumer', now)).toMatch(/不能从/);
  });

  it('refuses skipping back to open and anything out of closed', () => {
    expect(transitionProblem(ticket('in_progress'), 'open', 'operator', now)).not.toBeNull();
    for (const to of ['open', 'in_progress', 'awaiting_consumer', 'resolved'] as const) {
      expect(transitionProblem(ticket('closed'), to, 'operator', now)).not.toBeNull();
      expect(transitionProblem(ticket('closed'), to, 'consumer', now)).not.toBeNull();
    }
    expect(nextComplaintStatuses('closed', 'operator')).toEqual([]);
  });

  it('lets the consumer reopen within 7 days of resolution, not after', () => {
    const resolved = at('2026-03-01T00:00:00Z');
    expect(transitionProblem(ticket('resolved', resolved), 'in_progress', 'consumer', new Date(resolved.getTime() + 7 * DAY))).toBeNull();
    expect(transitionProblem(ticket('resolved', resolved), 'in_progress', 'consumer', new Date(resolved.getTime() + 7 * DAY + 1000))).toMatch(/7 天/);
    // operators are not bound by the window
    expect(transitionProblem(ticket('resolved', resolved), 'in_progress', 'operator', new Date(resolved.getTime() + 30 * DAY))).toBeNull();
  });

  it('knows finished statuses', () => {
    expect(isFinished('resolved')).toBe(true);
    expect(isFinished('closed')).toBe(true);
    expect(isFinished('awaiting_consumer')).toBe(false);
  });
});

describe('complaint SLA', () => {
  const created = at('2026-03-01T02:00:00Z');
  const hours = { firstResponseHours: 24, resolutionHours: 168 };
  const base = (): SlaTicket => ({ status: 'open', ...slaDueDates(created, hours), firstRespondedAt: null, escalationLevel: 0 });
  const plus = (h: number) => new Date(created.getTime() + h * 3600_000);

  it('computes both deadlines from the settings', () => {
    const due = slaDueDates(created, hours);
    expect(due.firstResponseDueAt.toISOString()).toBe('2026-03-02T02:00:00.000Z');
    expect(due.resolutionDueAt.toISOString()).toBe('2026-03-08T02:00:00.000Z');
    expect(slaDueDates(created, { firstResponseHours: 2, resolutionHours: 48 }).firstResponseDueAt.toISOString()).toBe('2026-03-01T04:00:00.000Z');
  });

  it('escalates to 1 when the first answer is late, to 2 when resolution is late', () => {
    expect(escalationFor(base(), plus(23))).toBeNull();
    expect(escalationFor(base(), plus(24))).toBe(1);
    expect(escalationFor(base(), plus(168))).toBe(2);
    expect(escalationFor({ ...base(), escalationLevel: 1 }, plus(100))).toBeNull();
    expect(escalationFor({ ...base(), escalationLevel: 1 }, plus(170))).toBe(2);
  });

  it('does not escalate a ticket answered in time, until its resolution deadline passes', () => {
    const answered = { ...base(), status: 'in_progress' as const, firstRespondedAt: plus(3) };
    expect(overdueLevel(answered, plus(30))).toBe(0);
    expect(escalationFor(answered, plus(30))).toBeNull();
    expect(escalationFor(answered, plus(169))).toBe(2);
  });

  it('never escalates resolved or closed tickets, and a second run at the same level changes nothing', () => {
    expect(escalationFor({ ...base(), status: 'resolved' }, plus(500))).toBeNull();
    expect(escalationFor({ ...base(), status: 'closed' }, plus(500))).toBeNull();
    const once = { ...base(), escalationLevel: escalationFor(base(), plus(200))! };
    expect(once.escalationLevel).toBe(2);
    expect(escalationFor(once, plus(200))).toBeNull();
  });

  it('counts hours left, negative when overdue', () => {
    expect(hoursLeft(plus(24), plus(20))).toBe(4);
    expect(hoursLeft(plus(24), plus(26.5))).toBe(-2.5);
  });
});
