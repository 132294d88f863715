import { describe, expect, it } from 'vitest';
import {
  chargeFor,
  inForceAt,
  planNewVersion,
  shanghaiMidnight,
  shanghaiMonth,
  termProblems,
  unitFor,
  withinReversalWindow,
  type AgreementTerms,
} from './commission';
import { assertBalanced } from './ledger';

const base: AgreementTerms = {
  cplFen: 2_000,
  cpaFen: 12_000,
  cpsRate: '0.015',
  tiers: [],
  cpsEventCapFen: null,
  cplMonthlyCapFen: null,
  cpaMonthlyCapFen: null,
  cpsMonthlyCapFen: null,
  reversalWindowDays: 30,
};
const fresh = { count: 0, amountFen: 0 };

describe('commission rules', () => {
  it('CPL per lead, CPA per approval, CPS as a share of the disbursed amount rounded to the fen', () => {
    expect(chargeFor({ rule: 'cpl', applicationId: 'a' }, base, fresh)).toMatchObject({ rule: 'cpl', amountFen: 2_000, ordinal: 1, capped: null });
    expect(chargeFor({ rule: 'cpa', applicationId: 'a' }, base, fresh)).toMatchObject({ rule: 'cpa', amountFen: 12_000 });
    expect(chargeFor({ rule: 'cps', applicationId: 'a', baseAmountFen: 5_000_000 }, base, fresh).amountFen).toBe(75_000);
    expect(chargeFor({ rule: 'cps', applicationId: 'a', baseAmountFen: 12_345 }, base, fresh).amountFen).toBe(185); // 185.175
  });

  it('nothing when the agreement has no such term', () => {
    expect(chargeFor({ rule: 'cpa', applicationId: 'a' }, { ...base, cpaFen: 0 }, fresh).amountFen).toBe(0);
    expect(chargeFor({ rule: 'cps', applicationId: 'a', baseAmountFen: 100 }, { ...base, cpsRate: '0' }, fresh).amountFen).toBe(0);
  });

  describe('tiers on the monthly count of the same rule', () => {
    const tiered: AgreementTerms = {
      ...base,
      tiers: [
        { rule: 'cps', fromCount: 101, rate: '0.012' },
        { rule: 'cps', fromCount: 201, rate: '0.01' },
        { rule: 'cpl', fromCount: 11, amountFen: 1_500 },
      ],
    };
    it('the base applies up to the threshold, the tier from it', () => {
      expect(unitFor(tiered, 'cps', 1)).toEqual({ rate: '0.015' });
      expect(unitFor(tiered, 'cps', 100)).toEqual({ rate: '0.015' });
      expect(unitFor(tiered, 'cps', 101)).toEqual({ rate: '0.012' });
      expect(unitFor(tiered, 'cps', 200)).toEqual({ rate: '0.012' });
      expect(unitFor(tiered, 'cps', 201)).toEqual({ rate: '0.01' });
      expect(unitFor(tiered, 'cpl', 10)).toEqual({ amountFen: 2_000 });
      expect(unitFor(tiered, 'cpl', 11)).toEqual({ amountFen: 1_500 });
      // another rule's tiers do not apply
      expect(unitFor(tiered, 'cpa', 500)).toEqual({ amountFen: 12_000 });
    });
    it('the 100th disbursement of a month earns 1.5%, the 101st 1.2%', () => {
      const loan = { rule: 'cps' as const, applicationId: 'a', baseAmountFen: 1_000_000 };
      expect(chargeFor(loan, tiered, { count: 99, amountFen: 0 })).toMatchObject({ ordinal: 100, amountFen: 15_000 });
      expect(chargeFor(loan, tiered, { count: 100, amountFen: 0 })).toMatchObject({ ordinal: 101, amountFen: 12_000 });
    });
  });

  it('per-event cap: CPS at most the cap per loan', () => {
    const capped = { ...base, cpsEventCapFen: 80_000 };
    expect(chargeFor({ rule: 'cps', applicationId: 'a', baseAmountFen: 5_333_300 }, capped, fresh)).toMatchObject({ amountFen: 80_000, capped: null });
    expect(chargeFor({ rule: 'cps', applicationId: 'a', baseAmountFen: 5_333_400 }, capped, fresh)).toMatchObject({ amountFen: 80_000, capped: 'event' });
    expect(chargeFor({ rule: 'cps', applicationId: 'a', baseAmountFen: 10_000_000 }, capped, fresh).amountFen).toBe(80_000);
  });

  it('monthly cap: what is left of it this month, then nothing', () => {
    const capped = { ...base, cpaMonthlyCapFen: 30_000 };
    const approval = { rule: 'cpa' as const, applicationId: 'a' };
    expect(chargeFor(approval, capped, { count: 1, amountFen: 12_000 })).toMatchObject({ amountFen: 12_000, capped: null });
    expect(chargeFor(approval, capped, { count: 2, amountFen: 24_000 })).toMatchObject({ amountFen: 6_000, capped: 'month' });
    expect(chargeFor(approval, capped, { count: 3, amountFen: 30_000 })).toMatchObject({ amountFen: 0, capped: 'month' });
    // the per-event cap applies first, then the monthly one
    const both = { ...base, cpsEventCapFen: 50_000, cpsMonthlyCapFen: 120_000 };
    expect(chargeFor({ rule: 'cps', applicationId: 'a', baseAmountFen: 10_000_000 }, both, { count: 2, amountFen: 100_000 }).amountFen).toBe(20_000);
  });

  it('source keys and memos name the rule', () => {
    expect(chargeFor({ rule: 'cps', applicationId: 'a', baseAmountFen: 5_000_000 }, base, fresh).memo).toContain('1.50%');
  });
});

describe('agreement in force and Asia/Shanghai dates', () => {
  const march = shanghaiMidnight('2026-03-01')!;
  const april = shanghaiMidnight('2026-04-01')!;
  const versions = [
    { id: 'v1', effectiveFrom: shanghaiMidnight('2026-01-01')!, effectiveTo: march },
    { id: 'v2', effectiveFrom: march, effectiveTo: april },
    { id: 'v3', effectiveFrom: april, effectiveTo: null },
  ];

  it('Shanghai midnight is 16:00 UTC the day before', () => {
    expect(march.toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(shanghaiMidnight('2026-02-30')).toBeUndefined();
    expect(shanghaiMidnight('2026-3-1')).toBeUndefined();
  });

  it('a version is in force from its first instant up to, not including, the next one', () => {
    expect(inForceAt(versions, new Date(march.getTime() - 1))?.id).toBe('v1');
    expect(inForceAt(versions, march)?.id).toBe('v2');
    expect(inForceAt(versions, new Date(april.getTime() - 1))?.id).toBe('v2');
    expect(inForceAt(versions, april)?.id).toBe('v3');
    expect(inForceAt(versions, new Date('2025-12-31T15:59:59.999Z'))).toBeUndefined();
    expect(inForceAt(versions, new Date('2030-01-01T00:00:00Z'))?.id).toBe('v3');
  });

  it('months are Asia/Shanghai months', () => {
    expect(shanghaiMonth(new Date('2026-02-28T15:59:59.999Z'))).toBe('2026-02');
    expect(shanghaiMonth(new Date('2026-02-28T16:00:00.000Z'))).toBe('2026-03');
    expect(shanghaiMonth(new Date('2026-12-31T16:00:00.000Z'))).toBe('2027-01');
  });
});

describe('reversal window', () => {
  const event = new Date('2026-03-01T10:00:00Z');
  it('allows a reversal up to exactly N days after the event, not after', () => {
    expect(withinReversalWindow(event, event, 7)).toBe(true);
    expect(withinReversalWindow(event, new Date(event.getTime() + 7 * 86_400_000), 7)).toBe(true);
    expect(withinReversalWindow(event, new Date(event.getTime() + 7 * 86_400_000 + 1), 7)).toBe(false);
    expect(withinReversalWindow(event, new Date(event.getTime() - 1), 7)).toBe(false);
  });
  it('a zero-day window allows only the same instant', () => {
    expect(withinReversalWindow(event, new Date(event.getTime() + 1), 0)).toBe(false);
  });
});

describe('new versions', () => {
  const now = new Date('2026-05-10T00:00:00Z');
  const v1 = { id: 'v1', version: 1, effectiveFrom: shanghaiMidnight('2026-01-01')!, effectiveTo: null };

  it('the first version may start at any date', () => {
    expect(planNewVersion([], { effectiveFrom: shanghaiMidnight('2025-01-01')!, effectiveTo: null }, now)).toEqual({ version: 1 });
  });
  it('a change starts in the future and ends the version in force', () => {
    const from = shanghaiMidnight('2026-06-01')!;
    expect(planNewVersion([v1], { effectiveFrom: from, effectiveTo: null }, now)).toEqual({ version: 2, truncate: { id: 'v1', effectiveTo: from } });
  });
  it('refuses a change in force already, and one overlapping the latest version', () => {
    expect(planNewVersion([v1], { effectiveFrom: shanghaiMidnight('2026-05-01')!, effectiveTo: null }, now)).toMatchObject({ refused: { field: 'effectiveFrom', conflict: false } });
    const v2 = { id: 'v2', version: 2, effectiveFrom: shanghaiMidnight('2026-07-01')!, effectiveTo: null };
    expect(planNewVersion([v1, v2], { effectiveFrom: shanghaiMidnight('2026-06-01')!, effectiveTo: null }, now)).toMatchObject({ refused: { field: 'effectiveFrom', conflict: true } });
    expect(planNewVersion([v1, v2], { effectiveFrom: shanghaiMidnight('2026-07-01')!, effectiveTo: null }, now)).toMatchObject({ refused: { conflict: true } });
  });
  it('refuses an end before the start', () => {
    const from = shanghaiMidnight('2026-06-01')!;
    expect(planNewVersion([v1], { effectiveFrom: from, effectiveTo: from }, now)).toMatchObject({ refused: { field: 'effectiveTo' } });
  });
  it('names each bad term', () => {
    expect(termProblems(base)).toEqual({});
    expect(
      Object.keys(termProblems({ ...base, cplFen: -1, cpsRate: '1.5', cpsEventCapFen: 0, reversalWindowDays: 400, tiers: [{ rule: 'cps', fromCount: 1, rate: '0.01' }] })).sort(),
    ).toEqual(['cpl', 'cpsEventCap', 'cpsRate', 'cpsTiers', 'reversalWindowDays']);
  });
});

describe('journal balance', () => {
  it('accepts balanced journals per currency and refuses the rest', () => {
    expect(() => assertBalanced([{ account: 'a', amountFen: 100 }, { account: 'b', amountFen: -100 }])).not.toThrow();
    expect(() => assertBalanced([{ account: 'a', amountFen: 100 }, { account: 'b', amountFen: -99 }])).toThrow(/balance/);
    expect(() =>
      assertBalanced([
        { account: 'a', amountFen: 100, currency: 'CNY' },
        { account: 'b', amountFen: -100, currency: 'USD' },
      ]),
    ).toThrow(/CNY/);
    expect(() => assertBalanced([{ account: 'a', amountFen: 0 }, { account: 'b', amountFen: 0 }])).toThrow(/zero/);
    expect(() => assertBalanced([{ account: 'a', amountFen: 1.5 }, { account: 'b', amountFen: -1.5 }])).toThrow(/integer/);
  });
});
