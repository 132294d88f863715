import { z } from 'zod';
import { assetLabels, creditBandLabels, incomeProofLabels, keysOf, overdueLabels, type CreditAnswers, type CreditHistoryPoint, type CreditProfile } from '../../../modules/credit';
import { employmentTypes } from '../../../modules/catalogue';
import { intFrom, manyOf, yuanAmount } from '../../validate';
import { instant } from '../responses';

/** Said wherever a 信用评估 score is shown: it is our estimate, not a bureau's. */
export const CREDIT_ESTIMATE_NOTICE = '这是平台根据你填写的信息估算的参考分，不是征信机构的信用分';

/** yes or no: true/false, or from a form 1/0 (on for a checkbox) */
const yesNo = (what: string) =>
  z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'on'])], { error: `请选择是否${what}` }).transform((v) => v === true || v === '1' || v === 'true' || v === 'on');


/**
 * `PUT /api/v1/credit-profile` and the `/account/credit` form: the questionnaire, amounts in yuan
 * (turned into fen), yes/no as true/false (or 1/0, on), assets as a list. Strict: unknown fields
 * are refused.
 */
export const creditAnswersBody = z
  .strictObject({
    monthlyIncome: yuanAmount('月收入', 'non_negative'),
    incomeProof: z.enum(keysOf(incomeProofLabels), { error: '请选择收入证明方式' }),
    employment: z.enum(employmentTypes, { error: '请选择职业类型' }),
    tenureMonths: intFrom('当前工作年限（月）', 0, 600),
    housingFundPaid: yesNo('缴纳公积金'),
    housingFundMonths: intFrom('公积金连续缴纳月数', 0, 600).optional(),
    socialInsurancePaid: yesNo('缴纳社保'),
    monthlyDebt: yuanAmount('每月负债还款', 'non_negative'),
    creditCards: intFrom('信用卡张数', 0, 100),
    cardUtilisationPercent: intFrom('信用卡额度使用率', 0, 100).optional(),
    overdue: z.enum(keysOf(overdueLabels), { error: '请选择逾期情况' }),
    inquiries6m: intFrom('近 6 个月征信查询次数', 0, 200),
    assets: manyOf('资产', Object.keys(assetLabels)).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.housingFundPaid && b.housingFundMonths === undefined) ctx.addIssue({ code: 'custom', path: ['housingFundMonths'], message: '请填写公积金连续缴纳月数' });
    if (b.creditCards > 0 && b.cardUtilisationPercent === undefined) ctx.addIssue({ code: 'custom', path: ['cardUtilisationPercent'], message: '请填写信用卡额度使用率' });
  });

/** The parsed body as the credit service takes it (fen). */
export function creditAnswersOf(body: z.output<typeof creditAnswersBody>): CreditAnswers {
  return {
    monthlyIncomeFen: body.monthlyIncome,
    incomeProof: body.incomeProof,
    employment: body.employment,
    tenureMonths: body.tenureMonths,
    housingFundPaid: body.housingFundPaid,
    housingFundMonths: body.housingFundPaid ? (body.housingFundMonths ?? 0) : 0,
    socialInsurancePaid: body.socialInsurancePaid,
    monthlyDebtFen: body.monthlyDebt,
    creditCards: body.creditCards,
    cardUtilisationPercent: body.creditCards > 0 ? (body.cardUtilisationPercent ?? 0) : 0,
    overdue: body.overdue,
    inquiries6m: body.inquiries6m,
    assets: (body.assets ?? []) as CreditAnswers['assets'],
  };
}

const band = z.enum(keysOf(creditBandLabels)).describe('excellent ≥ 750, good 650–749, fair 550–649, poor < 550');
const historyPoint = z.object({ score: z.number().int(), band, bandLabel: z.string(), source: z.enum(['self_reported', 'bureau']), at: instant });

/** The latest 信用评估 and the history; every field null / empty before the first one. */
export const creditProfileResponse = z.object({
  score: z.number().int().min(350).max(950).nullable().describe('350–950; null before the first assessment'),
  band: band.nullable(),
  bandLabel: z.string().nullable().describe('极好 / 良好 / 一般 / 较差'),
  source: z.enum(['self_reported', 'bureau']).nullable().describe('self_reported: estimated from the borrower’s own answers'),
  notice: z.string().describe('the label every score carries: an estimate, not a bureau score'),
  debtToIncome: z.number().nullable().describe('monthly debt payments ÷ monthly income, a fraction'),
  assessedAt: instant.nullable(),
  factors: z.array(z.object({ name: z.string(), effect: z.enum(['raised', 'lowered', 'neutral']), points: z.number().int(), text: z.string() })),
  tips: z.array(z.object({ text: z.string(), points: z.number().int().describe('the score rise if only this changes, rescored') })),
  history: z.array(historyPoint).describe('newest first'),
});

export function creditProfileJson(current: CreditProfile | null, history: CreditHistoryPoint[]): z.input<typeof creditProfileResponse> {
  return {
    score: current?.score ?? null,
    band: current?.band ?? null,
    bandLabel: current ? creditBandLabels[current.band] : null,
    source: current?.source ?? null,
    notice: CREDIT_ESTIMATE_NOTICE,
    debtToIncome: current?.debtToIncome ?? null,
    assessedAt: current?.assessedAt.toISOString() ?? null,
    factors: current?.factors ?? [],
    tips: current?.tips ?? [],
    history: history.map((h) => ({ score: h.score, band: h.band, bandLabel: creditBandLabels[h.band], source: h.source, at: h.at.toISOString() })),
  };
}
