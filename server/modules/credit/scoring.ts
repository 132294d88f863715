import { formatYuan } from '../../lib/money';
import { assetLabels, incomeProofLabels, type CreditAnswers } from './questionnaire';

/**
 * 信用评估: the platform's own estimate of a borrower's credit, from what they told us. It is not a
 * bureau score (征信机构的信用分) and is always labelled so.
 *
 * Scale 350–950, the scale `EligibilityProfile.creditScore` and products' `minCreditScore` use.
 * Every assessment starts at {@link BASE_SCORE} and each answer adds or takes away a fixed number
 * of points (the tables below); the sum is clamped to 350–950.
 *
 * | answer | points |
 * |---|---|
 * | 月收入 | < 3,000 元 −40 · 3,000–5,999 0 · 6,000–9,999 +25 · 10,000–19,999 +45 · ≥ 20,000 +60 |
 * | 收入证明 | 银行代发 +25 · 纳税或社保记录 +15 · 无法证明 −15 |
 * | 职业 | 上班族 +15 · 企业主 +10 · 个体户 0 · 自由职业 −15 · 学生 −40 |
 * | 当前工作年限 | < 6 个月 −20 · 6–23 个月 0 · 24–59 个月 +15 · ≥ 60 个月 +25 |
 * | 公积金 | 未缴 0 · 缴纳 < 12 个月 +10 · 12–23 个月 +25 · ≥ 24 个月 +35 |
 * | 社保 | 未缴 0 · 缴纳 +15 |
 * | 负债收入比 (每月负债还款 ÷ 月收入) | 无负债 +20 · < 20% +10 · 20–34% 0 · 35–49% −30 · 50–69% −60 · ≥ 70%（或无收入有负债）−100 |
 * | 信用卡张数 | 0 张 −10（信用记录少）· 1–4 张 +15 · ≥ 5 张 +5 |
 * | 额度使用率（有信用卡时） | < 30% +20 · 30–49% 0 · 50–79% −25 · ≥ 80% −50 |
 * | 逾期记录 | 无 +40 · 有已结清 −30 · 当前有逾期 −150 |
 * | 近 6 个月征信查询 | 0–2 次 +10 · 3–5 次 −15 · 6–9 次 −40 · ≥ 10 次 −70 |
 * | 资产 | 房产 +40 · 车辆 +15 · 存款理财 +25（可叠加） |
 *
 * Bands: 极好 ≥ 750, 良好 650–749, 一般 550–649, 较差 < 550.
 *
 * A tip's points are never estimated: the answers are changed in that one respect and scored
 * again, and the tip carries the difference (tips that would not raise the score are left out).
 */
export const BASE_SCORE = 600;
export const MIN_SCORE = 350;
export const MAX_SCORE = 950;

export const creditBandLabels = {
  excellent: '极好',
  good: '良好',
  fair: '一般',
  poor: '较差',
} as const;
export type CreditBand = keyof typeof creditBandLabels;

/** The band of a score: 极好 ≥ 750, 良好 650–749, 一般 550–649, 较差 < 550. */
export function bandOf(score: number): CreditBand {
  if (score >= 750) return 'excellent';
  if (score >= 650) return 'good';
  if (score >= 550) return 'fair';
  return 'poor';
}

export interface CreditFactor {
  /** what was looked at, e.g. 月收入 */
  name: string;
  /** raised, lowered or left the score as it was */
  effect: 'raised' | 'lowered' | 'neutral';
  /** signed points this answer added to the base score */
  points: number;
  /** the same in words */
  text: string;
}

export interface CreditTip {
  text: string;
  /** how many points the score rises when only this changes (rescored, never estimated) */
  points: number;
}

export interface CreditScoring {
  score: number;
  band: CreditBand;
  /** monthly debt payments ÷ monthly income; null when there is no income */
  debtToIncome: number | null;
  factors: CreditFactor[];
  tips: CreditTip[];
}

const YUAN = 100;

/** Monthly debt payments ÷ monthly income; no income with debt counts as Infinity, neither as null. */
export function debtToIncome(a: Pick<CreditAnswers, 'monthlyIncomeFen' | 'monthlyDebtFen'>): number | null {
  if (a.monthlyIncomeFen <= 0) return a.monthlyDebtFen > 0 ? Infinity : null;
  return a.monthlyDebtFen / a.monthlyIncomeFen;
}

const percent = (r: number) => `${Math.round(r * 100)}%`;

/** Each answer's points with its words, before clamping. */
function rawFactors(a: CreditAnswers): { name: string; points: number; text: string }[] {
  const out: { name: string; points: number; text: string }[] = [];
  const add = (name: string, points: number, text: string) => out.push({ name, points, text });

  const income = a.monthlyIncomeFen;
  const incomePoints = income < 3_000 * YUAN ? -40 : income < 6_000 * YUAN ? 0 : income < 10_000 * YUAN ? 25 : income < 20_000 * YUAN ? 45 : 60;
  add('月收入', incomePoints, `月收入 ${formatYuan(income)}${incomePoints > 0 ? '，收入较高' : incomePoints < 0 ? '，收入偏低' : ''}`);

  const proofPoints = { payroll: 25, tax_social: 15, none: -15 }[a.incomeProof];
  add('收入证明', proofPoints, a.incomeProof === 'none' ? '收入无法证明' : `收入可由${incomeProofLabels[a.incomeProof]}证明`);

  const employmentPoints = { 上班族: 15, 企业主: 10, 个体户: 0, 自由职业: -15, 学生: -40 }[a.employment];
  add('职业', employmentPoints, `职业：${a.employment}${employmentPoints < 0 ? '，收入稳定性较低' : employmentPoints > 0 ? '，收入较稳定' : ''}`);

  const t = a.tenureMonths;
  add('工作年限', t < 6 ? -20 : t < 24 ? 0 : t < 60 ? 15 : 25, `当前工作已做 ${t} 个月${t < 6 ? '，时间较短' : t >= 24 ? '，工作稳定' : ''}`);

  if (a.housingFundPaid) {
    const m = a.housingFundMonths;
    add('公积金', m >= 24 ? 35 : m >= 12 ? 25 : 10, `已连续缴纳公积金 ${m} 个月`);
  } else add('公积金', 0, '未缴纳公积金');

  add('社保', a.socialInsurancePaid ? 15 : 0, a.socialInsurancePaid ? '正在缴纳社保' : '未缴纳社保');

  const dti = debtToIncome(a);
  if (dti === null || a.monthlyDebtFen === 0) add('负债收入比', a.monthlyDebtFen === 0 && income > 0 ? 20 : 0, '没有每月负债还款');
  else if (dti === Infinity) add('负债收入比', -100, `每月负债还款 ${formatYuan(a.monthlyDebtFen)}，但没有收入`);
  else {
    const points = dti < 0.2 ? 10 : dti < 0.35 ? 0 : dti < 0.5 ? -30 : dti < 0.7 ? -60 : -100;
    add('负债收入比', points, `每月负债还款占收入的 ${percent(dti)}${points < 0 ? '，负债偏高' : points > 0 ? '，负债较低' : ''}`);
  }

  const cards = a.creditCards;
  add('信用卡', cards === 0 ? -10 : cards <= 4 ? 15 : 5, cards === 0 ? '没有信用卡，信用记录较少' : `持有 ${cards} 张信用卡${cards >= 5 ? '，张数较多' : ''}`);
  if (cards > 0) {
    const u = a.cardUtilisationPercent;
    add('额度使用率', u < 30 ? 20 : u < 50 ? 0 : u < 80 ? -25 : -50, `信用卡额度已用 ${u}%${u >= 50 ? '，使用率偏高' : u < 30 ? '，使用率健康' : ''}`);
  }

  const overduePoints = { none: 40, settled: -30, current: -150 }[a.overdue];
  add('逾期记录', overduePoints, { none: '没有逾期记录', settled: '有过逾期，已结清', current: '当前有逾期未还' }[a.overdue]);

  const q = a.inquiries6m;
  add('征信查询', q <= 2 ? 10 : q <= 5 ? -15 : q <= 9 ? -40 : -70, `近 6 个月征信查询 ${q} 次${q >= 3 ? '，申请较频繁' : ''}`);

  const assetPoints = { property: 40, vehicle: 15, savings: 25 };
  const assets = [...new Set(a.assets)];
  add(
    '资产',
    assets.reduce((s, x) => s + assetPoints[x], 0),
    assets.length ? `有${assets.map((x) => assetLabels[x]).join('、')}` : '未填写房产、车辆或存款理财',
  );
  return out;
}

/** The score alone: base plus every answer's points, clamped to 350–950. */
function scoreOnly(a: CreditAnswers): number {
  const sum = BASE_SCORE + rawFactors(a).reduce((s, f) => s + f.points, 0);
  return Math.min(MAX_SCORE, Math.max(MIN_SCORE, sum));
}

/** The improvements a borrower can make, each as the answers with that one thing changed. */
function improvements(a: CreditAnswers): { text: string; answers: CreditAnswers }[] {
  const out: { text: string; answers: CreditAnswers }[] = [];
  if (a.overdue === 'current') out.push({ text: '尽快还清当前逾期的欠款', answers: { ...a, overdue: 'settled' } });
  const dti = debtToIncome(a);
  if (dti !== null && dti !== Infinity && dti >= 0.2) {
    const target = Math.floor(a.monthlyIncomeFen * 0.2) - 1;
    if (target >= 0) out.push({ text: `把每月负债还款降到 ${formatYuan(target)} 以下（月收入的 20%），如提前还清一笔贷款`, answers: { ...a, monthlyDebtFen: target } });
  }
  if (a.creditCards > 0 && a.cardUtilisationPercent >= 30) {
    out.push({ text: '把信用卡已用额度降到总额度的 30% 以下', answers: { ...a, cardUtilisationPercent: 29 } });
  }
  if (a.creditCards === 0) out.push({ text: '办一张信用卡，少量使用并按时全额还款，积累信用记录', answers: { ...a, creditCards: 1, cardUtilisationPercent: 10 } });
  if (a.inquiries6m > 2) out.push({ text: '暂停申请新的贷款和信用卡，等近 6 个月的征信查询降到 2 次以内', answers: { ...a, inquiries6m: 2 } });
  if (a.incomeProof === 'none') out.push({ text: '通过银行代发工资，或准备纳税、社保记录来证明收入', answers: { ...a, incomeProof: 'tax_social' } });
  if (!a.socialInsurancePaid) out.push({ text: '连续缴纳社保', answers: { ...a, socialInsurancePaid: true } });
  if (!a.housingFundPaid) out.push({ text: '缴纳公积金并连续缴满 12 个月', answers: { ...a, housingFundPaid: true, housingFundMonths: 12 } });
  else if (a.housingFundMonths < 24) out.push({ text: '公积金连续缴满 24 个月', answers: { ...a, housingFundMonths: 24 } });
  return out;
}

/**
 * Scores a borrower's answers (pure: the same answers always give the same result). The factors
 * say, in words and points, what raised and lowered the score; the tips say what would raise it
 * and by exactly how much (each tip's points are the rescored difference).
 */
export function scoreCredit(answers: CreditAnswers): CreditScoring {
  const score = scoreOnly(answers);
  const factors = rawFactors(answers).map((f) => ({
    name: f.name,
    points: f.points,
    effect: f.points > 0 ? ('raised' as const) : f.points < 0 ? ('lowered' as const) : ('neutral' as const),
    text: `${f.text}${f.points > 0 ? `（+${f.points} 分）` : f.points < 0 ? `（${f.points} 分）` : '（不加不减）'}`,
  }));
  const tips = improvements(answers)
    .map((i) => ({ text: i.text, points: scoreOnly(i.answers) - score }))
    .filter((t) => t.points > 0)
    .sort((x, y) => y.points - x.points);
  const dti = debtToIncome(answers);
  return { score, band: bandOf(score), debtToIncome: dti === Infinity ? null : dti, factors, tips };
}
