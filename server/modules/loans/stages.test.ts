import { describe, expect, it } from 'vitest';
import { addDays } from './allocation';
import { ageBucketOf, daysOverdue, defaultStageDays, reminderOffsetFor, stageFor, stagesReached } from './stages';
import { withinContactHours } from './collections.service';

describe('reminder selection', () => {
  it('picks 7, 3 and 1 days before the due date, across a short February', () => {
    expect(reminderOffsetFor('2026-02-28', '2026-02-20')).toBeNull();
    expect(reminderOffsetFor('2026-02-28', '2026-02-21')).toBe(7);
    expect(reminderOffsetFor('2026-02-28', '2026-02-24')).toBe(7);
    expect(reminderOffsetFor('2026-02-28', '2026-02-25')).toBe(3);
    expect(reminderOffsetFor('2026-02-28', '2026-02-27')).toBe(1);
    expect(reminderOffsetFor('2026-02-28', '2026-02-28')).toBeNull();
    expect(reminderOffsetFor('2026-02-28', '2026-03-01')).toBeNull();
    // 31 March after a February month end; a leap year
    expect(reminderOffsetFor('2026-03-31', '2026-03-24')).toBe(7);
    expect(reminderOffsetFor('2028-02-29', '2028-02-22')).toBe(7);
    expect(reminderOffsetFor('2027-01-01', '2026-12-31')).toBe(1);
  });
});

describe('overdue stage selection', () => {
  it('counts days past due over month ends and selects the stage reached', () => {
    expect(daysOverdue('2026-02-28', '2026-02-28')).toBe(0);
    expect(daysOverdue('2026-02-28', '2026-03-01')).toBe(1);
    expect(daysOverdue('2026-01-31', '2026-03-02')).toBe(30);
    expect(stageFor(0, defaultStageDays)).toBeNull();
    expect(stageFor(1, defaultStageDays)).toBe('reminder');
    expect(stageFor(2, defaultStageDays)).toBe('reminder');
    expect(stageFor(3, defaultStageDays)).toBe('call');
    expect(stageFor(7, defaultStageDays)).toBe('collection');
    expect(stageFor(29, defaultStageDays)).toBe('collection');
    expect(stageFor(daysOverdue('2026-01-31', '2026-03-02'), defaultStageDays)).toBe('escalated');
    expect(stagesReached(8, defaultStageDays)).toEqual(['reminder', 'call', 'collection']);
    expect(stagesReached(5, { reminder: 2, call: 5, collection: 10, escalated: 20 })).toEqual(['reminder', 'call']);
  });

  it('buckets ages 1–7, 8–30, 31–90, 90+', () => {
    expect([0, 1, 7, 8, 30, 31, 90, 91].map(ageBucketOf)).toEqual([null, '1-7', '1-7', '8-30', '8-30', '31-90', '31-90', '90+']);
    expect(addDays('2026-01-31', 29)).toBe('2026-03-01');
  });
});

describe('contact hours (Asia/Shanghai)', () => {
  it('allows 08:00–22:00 only', () => {
    const at = (t: string) => withinContactHours(new Date(`2026-03-08T${t}+08:00`));
    expect(at('07:59:59')).toBe(false);
    expect(at('08:00:00')).toBe(true);
    expect(at('21:59:00')).toBe(true);
    expect(at('22:00:00')).toBe(false);
    expect(at('22:30:00')).toBe(false);
  });
});
