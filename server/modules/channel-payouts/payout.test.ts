import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { burstAround, evidenceText, pays, payoutFor, shareOf, termProblems, unitFor, withinWindow, type ChannelTerms } from './payout';

const terms = (over: Partial<ChannelTerms> = {}): ChannelTerms => ({
  perEvent: [
    { rule: 'disbursement', amountFen: 5_000, tiers: [{ fromCount: 100, amountFen: 8_000 }] },
    { rule: 'registration', amountFen: 200, tiers: [] },
  ],
  shareRate: '0.1',
  monthlyCapFen: null,
  reversalWindowDays: 30,
  ...over,
});

describe('channel payout tiers', () => {
  it('pays the base up to the 99th disbursement of the month and the tier from the 100th (0–99 → ¥50, 100+ → ¥80)', () => {
    expect(unitFor(terms(), 'disbursement', 1)).toBe(5_000);
    expect(unitFor(terms(), 'disbursement', 99)).toBe(5_000);
    expect(unitFor(terms(), 'disbursement', 100)).toBe(8_000);
    expect(unitFor(terms(), 'disbursement', 250)).toBe(8_000);
    expect(payoutFor({ rule: 'disbursement' }, terms(), { ruleCount: 98, totalFen: 0 })).toMatchObject({ ordinal: 99, amountFen: 5_000, capped: false });
    expect(payoutFor({ rule: 'disbursement' }, terms(), { ruleCount: 99, totalFen: 0 })).toMatchObject({ ordinal: 100, amountFen: 8_000 });
  });

  it('takes the highest tier reached among several, in any order', () => {
    const t = terms({ perEvent: [{ rule: 'approval', amountFen: 1_000, tiers: [{ fromCount: 50, amountFen: 3_000 }, { fromCount: 10, amountFen: 2_000 }] }] });
    expect([1, 9, 10, 49, 50, 51].map((n) => unitFor(t, 'approval', n))).toEqual([1_000, 1_000, 2_000, 2_000, 3_000, 3_000]);
  });

  it('pays nothing for a rule the agreement does not name', () => {
    expect(unitFor(terms(), 'application', 1)).toBe(0);
    expect(pays(terms(), 'application')).toBe(false);
    expect(pays(terms(), 'disbursement')).toBe(true);
    expect(pays(terms({ shareRate: '0' }), 'commission_share')).toBe(false);
    expect(pays(terms(), 'commission_share')).toBe(true);
  });
});

describe('the monthly cap', () => {
  it('cuts an event to what is left of the cap, then pays ¥0 once it is reached', () => {
    const t = terms({ monthlyCapFen: 12_000 });
    expect(payoutFor({ rule: 'disbursement' }, t, { ruleCount: 0, totalFen: 5_000 })).toMatchObject({ amountFen: 5_000, capped: false });
    const cut = payoutFor({ rule: 'disbursement' }, t, { ruleCount: 1, totalFen: 10_000 });
    expect(cut).toMatchObject({ amountFen: 2_000, capped: true });
    expect(cut.memo).toContain('月度封顶 ¥120.00');
    expect(payoutFor({ rule: 'registration' }, t, { ruleCount: 5, totalFen: 12_000 })).toMatchObject({ amountFen: 0, capped: true });
  });

  it('counts every rule of the channel against one cap', () => {
    const t = terms({ monthlyCapFen: 5_100 });
    expect(payoutFor({ rule: 'registration' }, t, { ruleCount: 0, totalFen: 5_000 })).toMatchObject({ amountFen: 100, capped: true });
  });
});

describe('the commission share', () => {
  it('rounds down to the fen, exactly', () => {
    expect(shareOf(1_999, '0.1')).toBe(199); // 199.9 → 199
    expect(shareOf(1_000, '0.333333')).toBe(333); // 333.333 → 333
    expect(shareOf(1, '0.5')).toBe(0);
    expect(shareOf(12_345, '0.15')).toBe(1_851); // 1851.75 → 1851
    expect(shareOf(9_007_199_254_740_99, '0.999999')).toBe(Number((900719925474099n * 999999n) / 1000000n));
  });

  it('is the share of the accrued commission, described in the memo, and capped like the rest', () => {
    expect(payoutFor({ rule: 'commission_share', commissionFen: 15_005 }, terms(), { ruleCount: 3, totalFen: 0 })).toMatchObject({ amountFen: 1_500 });
    expect(payoutFor({ rule: 'commission_share', commissionFen: 15_005 }, terms(), { ruleCount: 3, totalFen: 0 }).memo).toBe('佣金 ¥150.05 × 10.00%（向下取整到分）');
    expect(payoutFor({ rule: 'commission_share', commissionFen: 15_005 }, terms({ monthlyCapFen: 1_000 }), { ruleCount: 0, totalFen: 400 })).toMatchObject({ amountFen: 600, capped: true });
  });
});

describe('agreement terms', () => {
  it('accepts valid terms and names each problem by its field', () => {
    expect(termProblems(terms())).toEqual({});
    expect(
      termProblems({
        perEvent: [{ rule: 'approval', amountFen: -1, tiers: [{ fromCount: 1, amountFen: 10 }] }],
        shareRate: '1.5',
        monthlyCapFen: 0,
        reversalWindowDays: 400,
      }),
    ).toEqual({
      approval: '单价须为不小于 0 的金额',
      approvalTiers: '阶梯须从本月第 2 笔或之后开始',
      shareRate: '佣金分成比例须在 0 至 100% 之间，最多 4 位小数',
      monthlyCap: '月度封顶须大于 0，不封顶请留空',
      reversalWindowDays: '冲回期限须为 0 至 365 天',
    });
    expect(termProblems({ perEvent: [], shareRate: '0', monthlyCapFen: null, reversalWindowDays: 30 })).toEqual({ perEvent: '请至少约定一项计费：按事件单价或佣金分成' });
  });
});

describe('bursts', () => {
  const base = new Date('2026-03-01T02:00:00Z').getTime();
  const at = (minutes: number) => new Date(base + minutes * 60_000);

  it('finds the busiest 10-minute window containing the registration', () => {
    const times = [0, 1, 2, 3, 9.5, 12, 30].map(at);
    expect(burstAround(times, at(3))).toMatchObject({ count: 5, from: at(0), to: at(10) });
    // the window from 3 to 13 holds 3, 9.5 and 12: fewer than from 0
    expect(burstAround(times, at(12)).count).toBe(3);
    expect(burstAround(times, at(30)).count).toBe(1);
  });

  it('says in words what the evidence is', () => {
    expect(evidenceText({ code: 'burst', evidence: { channelId: 'c', subId: 'camp-7', from: at(0).toISOString(), to: at(10).toISOString(), count: 25, threshold: 20 } })).toBe(
      '子渠道「camp-7」在 2026-03-01 10:00–10:10 的 10 分钟内注册 25 个（上限 20 个）',
    );
    expect(evidenceText({ code: 'shared_device', evidence: { deviceRef: 'abcd1234', accounts: 5, threshold: 3 } })).toBe('设备 abcd1234 上已有 5 个账号（上限 3 个）');
    expect(evidenceText({ code: 'risk_flag', evidence: { flags: [{ code: 'id_phone_mismatch', label: '身份证号已绑定其他手机号', at: at(0).toISOString() }] } })).toBe(
      '账号有风险提示：身份证号已绑定其他手机号（2026-03-01 10:00）',
    );
  });
});

describe('the reversal window', () => {
  it('is inclusive of the last moment and refuses earlier times', () => {
    const e = new Date('2026-03-01T00:00:00Z');
    expect(withinWindow(e, new Date('2026-03-31T00:00:00Z'), 30)).toBe(true);
    expect(withinWindow(e, new Date('2026-03-31T00:00:01Z'), 30)).toBe(false);
    expect(withinWindow(e, new Date('2026-02-28T00:00:00Z'), 30)).toBe(false);
  });
});

describe('a month of payouts, over random agreements and event streams', () => {
  it('never exceeds the monthly cap, pays each event its tier until the cap, and never shares more than the exact product', () => {
    fc.assert(
      fc.property(
        fc.record({
          base: fc.integer({ min: 0, max: 20_000 }),
          tier: fc.record({ fromCount: fc.integer({ min: 2, max: 30 }), amountFen: fc.integer({ min: 0, max: 30_000 }) }),
          shareRate: fc.integer({ min: 0, max: 999_999 }).map((n) => `0.${String(n).padStart(6, '0')}`),
          cap: fc.option(fc.integer({ min: 1, max: 500_000 }), { nil: null }),
          events: fc.array(fc.oneof(fc.constant({ rule: 'disbursement' as const }), fc.integer({ min: 0, max: 10_000_000 }).map((c) => ({ rule: 'commission_share' as const, commissionFen: c }))), { maxLength: 80 }),
        }),
        ({ base, tier, shareRate, cap, events }) => {
          const t: ChannelTerms = { perEvent: [{ rule: 'disbursement', amountFen: base, tiers: [tier] }], shareRate, monthlyCapFen: cap, reversalWindowDays: 30 };
          let total = 0;
          let disbursements = 0;
          for (const e of events) {
            const charge = payoutFor(e, t, { ruleCount: e.rule === 'disbursement' ? disbursements : 0, totalFen: total });
            expect(Number.isSafeInteger(charge.amountFen) && charge.amountFen >= 0).toBe(true);
            const uncapped = e.rule === 'disbursement' ? (disbursements + 1 >= tier.fromCount ? tier.amountFen : base) : shareOf(e.commissionFen, shareRate);
            if (e.rule === 'commission_share') {
              // floor: at most the exact product, and less than a fen below it
              expect(uncapped * 1_000_000).toBeLessThanOrEqual(e.commissionFen * Number(shareRate.slice(2)));
              expect((uncapped + 1) * 1_000_000).toBeGreaterThan(e.commissionFen * Number(shareRate.slice(2)));
            }
            expect(charge.amountFen).toBe(cap === null ? uncapped : Math.min(uncapped, cap - total));
            total += charge.amountFen;
            if (e.rule === 'disbursement') disbursements += 1;
            if (cap !== null) expect(total).toBeLessThanOrEqual(cap);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
