import { describe, expect, it } from 'vitest';
import { checkEligibility, eligibilityProfileOf } from './eligibility';

const rules = { minAge: 22, maxAge: 55, minMonthlyIncomeFen: 500_000, regions: ['北京', '上海'], employmentTypes: ['上班族'], studentsExcluded: true, minCreditScore: 650 };

describe('eligibility', () => {
  it('accepts a profile that meets every rule', () => {
    expect(checkEligibility(rules, { age: 30, city: '上海市', monthlyIncomeFen: 800_000, employment: '上班族', creditScore: 700 })).toEqual({ eligible: true, reasons: [] });
  });

  it('names every rule a profile breaks', () => {
    const r = checkEligibility(rules, { age: 20, city: '成都', monthlyIncomeFen: 300_000, employment: '个体户', creditScore: 600 });
    expect(r.eligible).toBe(false);
    expect(r.reasons).toEqual(['年龄需在 22–55 岁之间', '仅限 北京、上海 地区', '月收入需不低于 ¥5,000.00', '仅限 上班族', '信用评分需不低于 650']);
    expect(checkEligibility(rules, { employment: '学生' }).reasons).toEqual(['不向在校学生放款']);
  });

  it('does not hold unknown facts against anyone', () => {
    expect(checkEligibility(rules, {})).toEqual({ eligible: true, reasons: [] });
  });

  it('maps a stored profile, credit self-assessment to a score', () => {
    expect(eligibilityProfileOf({ age: 30, city: '上海', monthlyIncomeFen: 1, employment: '上班族', creditSelfAssessment: 'good' })).toEqual({
      age: 30,
      city: '上海',
      monthlyIncomeFen: 1,
      employment: '上班族',
      creditScore: 700,
    });
    expect(eligibilityProfileOf({}).creditScore).toBeUndefined();
  });
});
