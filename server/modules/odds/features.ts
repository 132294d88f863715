/**
 * From an application (decided or prospective) to the numeric feature vector the odds model reads.
 *
 * Every feature is scaled to a small range around 0 so that one L2 penalty treats them alike.
 * A fact we were not told is never silently 0: its value is set to the feature's reference point
 * (the value that means "typical") AND its own `*_missing` indicator is 1, so the model learns how
 * people who leave it out actually fare instead of treating them as typical.
 */

/** Employment as the questionnaire names it; 上班族 (salaried) is the reference category. */
export const ODDS_EMPLOYMENT_TYPES = ['上班族', '个体户', '企业主', '自由职业', '学生'] as const;

/** A borrower's facts for one application; absent or null = not told. */
export interface OddsApplicant {
  /** 信用分 on the platform's 350–950 scale */
  creditScore?: number | null;
  monthlyIncomeFen?: number | null;
  /** existing monthly debt payments, in fen */
  monthlyDebtFen?: number | null;
  employment?: string | null;
  /** the amount asked for, in fen */
  amountFen: number;
}

/** What the product states (money in fen). */
export interface OddsProductTerms {
  minAmountFen: number;
  maxAmountFen: number;
  minMonthlyIncomeFen: number;
}

/**
 * The institution's recent decisions (e.g. the last 90 days), across its products. For a decided
 * application in the training data, take them as they stood BEFORE that decision, so its own
 * outcome does not leak into its features.
 */
export interface InstitutionRecord {
  approved: number;
  decided: number;
}

/** One application as the model sees it. */
export interface OddsCase {
  applicant: OddsApplicant;
  product: OddsProductTerms;
  institution: InstitutionRecord;
}

/** Score reference and scale: (score − 650) / 100, clamped to ±3 (350 → −3, 950 → +3). */
export const SCORE_REFERENCE = 650;
export const SCORE_SCALE = 100;
/** Income is compared with the product's minimum, or with ¥3,000 a month when the product states none. */
export const INCOME_FLOOR_FEN = 300_000;
/** Debt-to-income is capped here (150%): beyond it more debt tells the model nothing new. */
export const DTI_CAP = 1.5;
/** The institution's approval rate is smoothed with a Beta(2, 2) prior before its logit is taken. */
export const INSTITUTION_PRIOR = { approved: 2, declined: 2 } as const;

/**
 * The features, in vector order, with their scaling. The model adds its own intercept.
 *
 * | name | value | unknown |
 * |---|---|---|
 * | score | (信用分 − 650) / 100, clamped to [−3, 3] | 0 and score_missing = 1 |
 * | income_vs_min | log2(monthly income / max(product minimum, ¥3,000)), clamped to [−3, 3] (0 income → −3) | 0 and income_missing = 1 |
 * | amount_position | where the amount sits in the product's range: −1 at its minimum, +1 at its maximum (clamped; a one-amount product → 0) | always known |
 * | dti | existing monthly debt payments / monthly income, clamped to [0, 1.5] | 0 and dti_missing = 1 (debt or income not told) |
 * | emp_* | one-hot employment, 上班族 the reference (all 0) | emp_missing = 1 (not told, or a type we do not know) |
 * | institution_rate | logit((approved + 2) / (decided + 4)), clamped to [−4, 4] | 0 and institution_missing = 1 when it decided nothing |
 */
export const FEATURE_NAMES = [
  'score',
  'score_missing',
  'income_vs_min',
  'income_missing',
  'amount_position',
  'dti',
  'dti_missing',
  'emp_self_employed',
  'emp_business_owner',
  'emp_freelance',
  'emp_student',
  'emp_missing',
  'institution_rate',
  'institution_missing',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** What each feature means, in the words an operator reads on the calibration page. */
export const featureLabels: Record<FeatureName, string> = {
  score: '信用分（以 650 为基准，每 100 分一档）',
  score_missing: '未填写信用评估',
  income_vs_min: '月收入相对产品最低要求（倍数的对数）',
  income_missing: '未填写月收入',
  amount_position: '申请金额在产品额度范围中的位置',
  dti: '负债收入比（现有月供 / 月收入）',
  dti_missing: '负债收入比未知',
  emp_self_employed: '职业：个体户（相对上班族）',
  emp_business_owner: '职业：企业主（相对上班族）',
  emp_freelance: '职业：自由职业（相对上班族）',
  emp_student: '职业：学生（相对上班族）',
  emp_missing: '未填写职业',
  institution_rate: '机构近期批核率（平滑后的对数几率）',
  institution_missing: '机构近期没有审批记录',
};

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const known = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** The institution's smoothed recent approval rate (Beta(2, 2) prior): 0.5 when it decided nothing. */
export function smoothedInstitutionRate(r: InstitutionRecord): number {
  return (r.approved + INSTITUTION_PRIOR.approved) / (r.decided + INSTITUTION_PRIOR.approved + INSTITUTION_PRIOR.declined);
}

/** The feature vector of one application, in FEATURE_NAMES order. */
export function oddsFeatures(c: OddsCase): number[] {
  const { applicant: a, product: p, institution: inst } = c;
  const x = new Array<number>(FEATURE_NAMES.length).fill(0);

  if (known(a.creditScore)) x[0] = clamp((a.creditScore - SCORE_REFERENCE) / SCORE_SCALE, -3, 3);
  else x[1] = 1;

  const income = known(a.monthlyIncomeFen) ? Math.max(0, a.monthlyIncomeFen) : undefined;
  if (income !== undefined) {
    const reference = Math.max(p.minMonthlyIncomeFen, INCOME_FLOOR_FEN);
    x[2] = income === 0 ? -3 : clamp(Math.log2(income / reference), -3, 3);
  } else x[3] = 1;

  const span = p.maxAmountFen - p.minAmountFen;
  x[4] = span > 0 ? clamp((2 * (a.amountFen - p.minAmountFen)) / span - 1, -1, 1) : 0;

  if (income !== undefined && known(a.monthlyDebtFen)) {
    const debt = Math.max(0, a.monthlyDebtFen);
    x[5] = debt === 0 ? 0 : income === 0 ? DTI_CAP : clamp(debt / income, 0, DTI_CAP);
  } else x[6] = 1;

  switch (a.employment) {
    case '上班族':
      break;
    case '个体户':
      x[7] = 1;
      break;
    case '企业主':
      x[8] = 1;
      break;
    case '自由职业':
      x[9] = 1;
      break;
    case '学生':
      x[10] = 1;
      break;
    default:
      x[11] = 1;
  }

  if (inst.decided > 0) {
    const rate = smoothedInstitutionRate(inst);
    x[12] = clamp(Math.log(rate / (1 - rate)), -4, 4);
  } else x[13] = 1;

  return x;
}
