import { formatYuan } from '../../lib/money';
import type { Eligibility } from './catalogue.schema';

/** What a consumer told us about themselves, as far as eligibility rules need it. */
export interface EligibilityProfile {
  age?: number;
  city?: string;
  monthlyIncomeFen?: number;
  employment?: string; // 上班族 | 个体户 | 企业主 | 自由职业 | 学生
  creditScore?: number; // 350–950: the latest 信用评估, else the self-assessed dropdown
}

export const employmentTypes = ['上班族', '个体户', '企业主', '自由职业', '学生'] as const;

/** Self-assessed credit, mapped to a score band mid-point the rules can compare with. */
export const creditSelfAssessment = {
  excellent: { label: '信用极好（无逾期，负债低）', score: 800 },
  good: { label: '信用良好（偶有小额逾期已结清）', score: 700 },
  fair: { label: '信用一般（有逾期记录）', score: 600 },
  poor: { label: '信用较差（当前有逾期）', score: 450 },
  unknown: { label: '不清楚 / 没有信用记录', score: 550 },
} as const;
export type CreditSelfAssessment = keyof typeof creditSelfAssessment;

/**
 * Checks a product's eligibility rules against a profile. Unknown facts do not disqualify
 * (we cannot hold against someone what they did not tell us); known facts that break a
 * rule do, each with a reason in words.
 */
export function checkEligibility(rules: Eligibility, profile: EligibilityProfile): { eligible: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (profile.age !== undefined && (profile.age < rules.minAge || profile.age > rules.maxAge)) {
    reasons.push(`年龄需在 ${rules.minAge}–${rules.maxAge} 岁之间`);
  }
  if (profile.city && rules.regions.length > 0 && !rules.regions.some((r) => profile.city!.startsWith(r))) {
    reasons.push(`仅限 ${rules.regions.join('、')} 地区`);
  }
  if (profile.monthlyIncomeFen !== undefined && profile.monthlyIncomeFen < rules.minMonthlyIncomeFen) {
    reasons.push(`月收入需不低于 ${formatYuan(rules.minMonthlyIncomeFen)}`);
  }
  if (profile.employment) {
    if (profile.employment === '学生' && rules.studentsExcluded) reasons.push('不向在校学生放款');
    else if (profile.employment !== '学生' && rules.employmentTypes.length > 0 && !rules.employmentTypes.includes(profile.employment)) {
      reasons.push(`仅限 ${rules.employmentTypes.join('、')}`);
    }
  }
  if (profile.creditScore !== undefined && rules.minCreditScore !== undefined && profile.creditScore < rules.minCreditScore) {
    reasons.push(`信用评分需不低于 ${rules.minCreditScore}`);
  }
  return { eligible: reasons.length === 0, reasons };
}

/**
 * The facts of a stored profile that eligibility rules look at. The credit score is the latest
 * 信用评估's (`assessedCreditScore`, from the credit module) when the borrower has one; the
 * profile's self-assessed dropdown is the fallback.
 */
export function eligibilityProfileOf(
  p: {
    age?: number | null;
    city?: string | null;
    monthlyIncomeFen?: number | null;
    employment?: string | null;
    creditSelfAssessment?: string | null;
  },
  assessedCreditScore?: number | null,
): EligibilityProfile {
  const credit = p.creditSelfAssessment ? creditSelfAssessment[p.creditSelfAssessment as CreditSelfAssessment] : undefined;
  return {
    age: p.age ?? undefined,
    city: p.city ?? undefined,
    monthlyIncomeFen: p.monthlyIncomeFen ?? undefined,
    employment: p.employment ?? undefined,
    creditScore: assessedCreditScore ?? credit?.score,
  };
}
