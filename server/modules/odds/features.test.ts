import { describe, it, expect } from 'vitest';
import { oddsFeatures, FEATURE_NAMES, featureLabels, smoothedInstitutionRate } from './index';
import type { OddsCase, FeatureName } from './index';

const product = { minAmountFen: 100_000, maxAmountFen: 5_100_000, minMonthlyIncomeFen: 500_000 };
const base: OddsCase = {
  applicant: { creditScore: 650, monthlyIncomeFen: 500_000, monthlyDebtFen: 0, employment: '上班族', amountFen: 2_600_000 },
  product,
  institution: { approved: 8, decided: 16 },
};
const at = (c: OddsCase) => {
  const x = oddsFeatures(c);
  return (name: FeatureName) => x[FEATURE_NAMES.indexOf(name)];
};
const withApplicant = (over: Partial<OddsCase['applicant']>): OddsCase => ({ ...base, applicant: { ...base.applicant, ...over } });

describe('odds features', () => {
  it('a typical salaried borrower at the references is all zeros', () => {
    const x = oddsFeatures(base);
    expect(x).toHaveLength(FEATURE_NAMES.length);
    expect(x.every((v) => v === 0)).toBe(true);
    expect(Object.keys(featureLabels).sort()).toEqual([...FEATURE_NAMES].sort());
  });

  it('scales the score as (score − 650) / 100, clamped to ±3', () => {
    expect(at(withApplicant({ creditScore: 750 }))('score')).toBe(1);
    expect(at(withApplicant({ creditScore: 350 }))('score')).toBe(-3);
    expect(at(withApplicant({ creditScore: 2000 }))('score')).toBe(3);
  });

  it('an unknown fact is flagged by its indicator, never silently 0', () => {
    const f = at(withApplicant({ creditScore: null, monthlyIncomeFen: undefined, employment: null }));
    expect(f('score')).toBe(0);
    expect(f('score_missing')).toBe(1);
    expect(f('income_missing')).toBe(1);
    expect(f('dti_missing')).toBe(1); // no income, no ratio
    expect(f('emp_missing')).toBe(1);
    const known = at(base);
    for (const n of ['score_missing', 'income_missing', 'dti_missing', 'emp_missing', 'institution_missing'] as const) expect(known(n)).toBe(0);
  });

  it('compares income with the product minimum, or ¥3,000 when it states none', () => {
    expect(at(withApplicant({ monthlyIncomeFen: 1_000_000 }))('income_vs_min')).toBe(1);
    expect(at(withApplicant({ monthlyIncomeFen: 250_000 }))('income_vs_min')).toBe(-1);
    expect(at(withApplicant({ monthlyIncomeFen: 0 }))('income_vs_min')).toBe(-3);
    expect(at({ ...base, product: { ...product, minMonthlyIncomeFen: 0 }, applicant: { ...base.applicant, monthlyIncomeFen: 600_000 } })('income_vs_min')).toBe(1);
  });

  it('places the amount in the product range from −1 to +1', () => {
    expect(at(withApplicant({ amountFen: 100_000 }))('amount_position')).toBe(-1);
    expect(at(withApplicant({ amountFen: 5_100_000 }))('amount_position')).toBe(1);
    expect(at(withApplicant({ amountFen: 9_000_000 }))('amount_position')).toBe(1);
    expect(at({ ...base, product: { ...product, maxAmountFen: 100_000 } })('amount_position')).toBe(0);
  });

  it('takes debt-to-income from existing monthly payments, capped at 150%', () => {
    expect(at(withApplicant({ monthlyDebtFen: 250_000 }))('dti')).toBe(0.5);
    expect(at(withApplicant({ monthlyDebtFen: 5_000_000 }))('dti')).toBe(1.5);
    expect(at(withApplicant({ monthlyIncomeFen: 0, monthlyDebtFen: 100 }))('dti')).toBe(1.5);
    const unknownDebt = at(withApplicant({ monthlyDebtFen: null }));
    expect([unknownDebt('dti'), unknownDebt('dti_missing')]).toEqual([0, 1]);
  });

  it('one-hot employment with 上班族 as the reference, an unknown type counted as not told', () => {
    expect(at(withApplicant({ employment: '学生' }))('emp_student')).toBe(1);
    expect(at(withApplicant({ employment: '个体户' }))('emp_self_employed')).toBe(1);
    expect(at(withApplicant({ employment: '企业主' }))('emp_business_owner')).toBe(1);
    expect(at(withApplicant({ employment: '自由职业' }))('emp_freelance')).toBe(1);
    expect(at(withApplicant({ employment: '宇航员' }))('emp_missing')).toBe(1);
  });

  it("smooths the institution's rate with Beta(2, 2) and flags an institution with no decisions", () => {
    expect(smoothedInstitutionRate({ approved: 0, decided: 0 })).toBe(0.5);
    expect(smoothedInstitutionRate({ approved: 16, decided: 16 })).toBe(0.9);
    expect(at({ ...base, institution: { approved: 16, decided: 16 } })('institution_rate')).toBeCloseTo(Math.log(9), 12);
    const none = at({ ...base, institution: { approved: 0, decided: 0 } });
    expect([none('institution_rate'), none('institution_missing')]).toEqual([0, 1]);
  });
});
