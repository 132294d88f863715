import { describe, expect, it } from 'vitest';
import { institutionRows, institutionTotals, minutesToHours, operatorRows, share, type InstitutionMeasures } from './staff-performance';

const m = (entries: [string, number][]) => new Map(entries);
const empty = () => new Map<string, number>();

describe('staff performance rows', () => {
  const people = [
    { id: 's1', name: '张三', role: '管理员' },
    { id: 's2', name: '李四', role: '线索处理员' },
    { id: 's3', name: '王五', role: '财务' },
  ];
  const measures: InstitutionMeasures = {
    leadsHandled: m([['s1', 4], ['s2', 9]]),
    firstResponses: m([['s1', 3], ['s2', 7]]),
    medianFirstResponseMinutes: m([['s1', 90], ['s2', 25]]),
    approvals: m([['s1', 2], ['s2', 5]]),
    rejections: m([['s2', 3]]),
    disbursements: m([['s2', 4]]),
    disbursedAmountFen: m([['s2', 12_345_600]]),
    contacts: m([['s1', 6]]),
    contactsReached: m([['s1', 4]]),
    promises: m([['s1', 2]]),
    promisedAmountFen: m([['s1', 300_000]]),
    promisesKept: m([['s1', 1]]),
    recoveredAmountFen: m([['s1', 150_050]]),
  };

  it('one row per person, zeros for the idle, the busiest (leads + collection contacts) first, medians in hours', () => {
    const rows = institutionRows(people, measures);
    expect(rows.map((r) => r.staffId)).toEqual(['s1', 's2', 's3']);
    expect(rows[1]).toMatchObject({ leadsHandled: 9, approvals: 5, rejections: 3, disbursements: 4, disbursedAmountFen: 12_345_600, medianFirstResponseHours: 0.42 });
    expect(rows[0]).toMatchObject({ medianFirstResponseHours: 1.5, contacts: 6, contactsReached: 4, promises: 2, promisedAmountFen: 300_000, promisesKept: 1, recoveredAmountFen: 150_050 });
    expect(rows[2]).toMatchObject({ leadsHandled: 0, medianFirstResponseHours: null, recoveredAmountFen: 0 });
    expect(institutionTotals(rows)).toEqual({
      leadsHandled: 13,
      approvals: 7,
      rejections: 3,
      disbursements: 4,
      disbursedAmountFen: 12_345_600,
      contacts: 6,
      promises: 2,
      promisedAmountFen: 300_000,
      recoveredAmountFen: 150_050,
    });
  });

  it('operators: the on-time share against the SLA, null without resolved complaints', () => {
    const rows = operatorRows(
      [
        { id: 'o1', name: '客服甲', role: '客服' },
        { id: 'o2', name: '运营乙', role: '运营' },
      ],
      {
        complaintsResolved: m([['o1', 8]]),
        complaintsOnTime: m([['o1', 6]]),
        reviewsModerated: m([['o2', 12]]),
        productVersionsReviewed: empty(),
        onboardingsReviewed: m([['o2', 1]]),
        feedbackAnswered: m([['o1', 3]]),
      },
    );
    expect(rows.map((r) => [r.operatorId, r.onTimeShare])).toEqual([
      ['o2', null],
      ['o1', 0.75],
    ]);
  });

  it('shares and hours round as shown', () => {
    expect(share(2, 3)).toBe(0.6667);
    expect(share(1, 0)).toBeNull();
    expect(minutesToHours(125)).toBe(2.08);
    expect(minutesToHours(null)).toBeNull();
  });
});
