import { describe, expect, it } from 'vitest';
import { bandOf, BASE_SCORE, MAX_SCORE, MIN_SCORE, scoreCredit } from './scoring';
import type { CreditAnswers } from './questionnaire';

/** A middling borrower: every answer has room to move both ways without hitting a bound. */
const middle: CreditAnswers = {
  monthlyIncomeFen: 800_000,
  incomeProof: 'tax_social',
  employment: '个体户',
  tenureMonths: 12,
  housingFundPaid: true,
  housingFundMonths: 12,
  socialInsurancePaid: false,
  monthlyDebtFen: 200_000,
  creditCards: 2,
  cardUtilisationPercent: 40,
  overdue: 'settled',
  inquiries6m: 4,
  assets: ['vehicle'],
};
const score = (a: Partial<CreditAnswers>) => scoreCredit({ ...middle, ...a }).score;

const best: CreditAnswers = {
  monthlyIncomeFen: 5_000_000,
  incomeProof: 'payroll',
  employment: '上班族',
  tenureMonths: 120,
  housingFundPaid: true,
  housingFundMonths: 120,
  socialInsurancePaid: true,
  monthlyDebtFen: 0,
  creditCards: 2,
  cardUtilisationPercent: 5,
  overdue: 'none',
  inquiries6m: 0,
  assets: ['property', 'vehicle', 'savings'],
};
const worst: CreditAnswers = {
  monthlyIncomeFen: 0,
  incomeProof: 'none',
  employment: '学生',
  tenureMonths: 0,
  housingFundPaid: false,
  housingFundMonths: 0,
  socialInsurancePaid: false,
  monthlyDebtFen: 500_000,
  creditCards: 3,
  cardUtilisationPercent: 100,
  overdue: 'current',
  inquiries6m: 30,
  assets: [],
};

describe('scoreCredit', () => {
  it('starts from the base and explains every point: the factors sum to the score', () => {
    const r = scoreCredit(middle);
    expect(r.score).toBe(BASE_SCORE + r.factors.reduce((s, f) => s + f.points, 0));
    expect(r.debtToIncome).toBe(0.25);
    for (const f of r.factors) {
      expect(f.effect).toBe(f.points > 0 ? 'raised' : f.points < 0 ? 'lowered' : 'neutral');
      expect(f.text.length).toBeGreaterThan(2);
    }
    expect(r.factors.find((f) => f.name === '逾期记录')).toMatchObject({ effect: 'lowered', points: -30 });
  });

  it('moves in the documented direction for each answer', () => {
    const base = score({});
    // higher is better
    expect(score({ monthlyIncomeFen: 2_500_000 })).toBeGreaterThan(base);
    expect(score({ monthlyIncomeFen: 250_000 })).toBeLessThan(base);
    expect(score({ incomeProof: 'payroll' })).toBeGreaterThan(base);
    expect(score({ incomeProof: 'none' })).toBeLessThan(base);
    expect(score({ employment: '上班族' })).toBeGreaterThan(base);
    expect(score({ employment: '学生' })).toBeLessThan(base);
    expect(score({ tenureMonths: 36 })).toBeGreaterThan(base);
    expect(score({ tenureMonths: 3 })).toBeLessThan(base);
    expect(score({ housingFundMonths: 30 })).toBeGreaterThan(base);
    expect(score({ housingFundPaid: false, housingFundMonths: 0 })).toBeLessThan(base);
    expect(score({ socialInsurancePaid: true })).toBeGreaterThan(base);
    expect(score({ assets: ['vehicle', 'property'] })).toBeGreaterThan(base);
    expect(score({ assets: [] })).toBeLessThan(base);
    // lower is better
    expect(score({ monthlyDebtFen: 100_000 })).toBeGreaterThan(base);
    expect(score({ monthlyDebtFen: 0 })).toBeGreaterThan(score({ monthlyDebtFen: 100_000 }));
    expect(score({ monthlyDebtFen: 480_000 })).toBeLessThan(base);
    expect(score({ monthlyDebtFen: 600_000 })).toBeLessThan(score({ monthlyDebtFen: 480_000 }));
    expect(score({ cardUtilisationPercent: 10 })).toBeGreaterThan(base);
    expect(score({ cardUtilisationPercent: 90 })).toBeLessThan(base);
    expect(score({ overdue: 'none' })).toBeGreaterThan(base);
    expect(score({ overdue: 'current' })).toBeLessThan(base);
    expect(score({ inquiries6m: 1 })).toBeGreaterThan(base);
    expect(score({ inquiries6m: 12 })).toBeLessThan(base);
    // no card at all is a thin file: worse than a few cards used lightly
    expect(score({ creditCards: 0 })).toBeLessThan(base);
  });

  it('computes debt-to-income from income and debt', () => {
    expect(scoreCredit({ ...middle, monthlyDebtFen: 400_000 }).debtToIncome).toBe(0.5);
    expect(scoreCredit({ ...middle, monthlyIncomeFen: 0, monthlyDebtFen: 0 }).debtToIncome).toBeNull();
    // debt without income is the worst debt-to-income there is
    expect(scoreCredit({ ...middle, monthlyIncomeFen: 0 }).factors.find((f) => f.name === '负债收入比')!.points).toBe(-100);
  });

  it('gives tips whose points are exactly the rescoring difference', () => {
    const r = scoreCredit(middle);
    expect(r.tips.length).toBeGreaterThan(3);
    const expected: Record<string, number> = {
      '把信用卡已用额度降到总额度的 30% 以下': score({ cardUtilisationPercent: 29 }) - r.score,
      '暂停申请新的贷款和信用卡，等近 6 个月的征信查询降到 2 次以内': score({ inquiries6m: 2 }) - r.score,
      连续缴纳社保: score({ socialInsurancePaid: true }) - r.score,
      公积金连续缴满_24_个月: score({ housingFundMonths: 24 }) - r.score,
    };
    for (const [text, points] of Object.entries(expected)) {
      expect(r.tips.find((t) => t.text === text.replaceAll('_', ' '))?.points).toBe(points);
    }
    const debtTip = r.tips.find((t) => t.text.startsWith('把每月负债还款降到'))!;
    expect(debtTip.points).toBe(score({ monthlyDebtFen: 159_999 }) - r.score);
    // biggest first, and none that would not help
    expect(r.tips.map((t) => t.points)).toEqual([...r.tips.map((t) => t.points)].sort((a, b) => b - a));
    for (const t of r.tips) expect(t.points).toBeGreaterThan(0);
    // the worst borrower is told to clear the current overdue first
    const w = scoreCredit({ ...middle, overdue: 'current' });
    expect(w.tips[0]).toEqual({ text: '尽快还清当前逾期的欠款', points: score({ overdue: 'settled' }) - score({ overdue: 'current' }) });
  });

  it('stays within 350–950, with tips honest at the bounds', () => {
    const top = scoreCredit(best);
    const bottom = scoreCredit(worst);
    expect(top.score).toBe(MAX_SCORE);
    expect(bottom.score).toBe(MIN_SCORE);
    expect(top.tips).toEqual([]);
    // at the floor a single improvement may not lift the clamped score: such tips are left out
    for (const t of bottom.tips) expect(t.points).toBeGreaterThan(0);
  });

  it('bands: 极好 ≥ 750, 良好 650–749, 一般 550–649, 较差 < 550', () => {
    expect([950, 750, 749, 650, 649, 550, 549, 350].map(bandOf)).toEqual(['excellent', 'excellent', 'good', 'good', 'fair', 'fair', 'poor', 'poor']);
    expect(scoreCredit(best).band).toBe('excellent');
    expect(scoreCredit(worst).band).toBe('poor');
  });
});
