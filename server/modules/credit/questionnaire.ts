import { z } from 'zod';
import { employmentTypes } from '../catalogue';

/** 收入证明: how the borrower could prove the income they state. */
export const incomeProofLabels = {
  payroll: '银行代发',
  tax_social: '纳税或社保记录',
  none: '无法证明',
} as const;
export type IncomeProof = keyof typeof incomeProofLabels;

/** 逾期记录 in the borrower's credit history. */
export const overdueLabels = {
  none: '无',
  settled: '有，已结清',
  current: '当前有逾期',
} as const;
export type OverdueHistory = keyof typeof overdueLabels;

/** 资产 the borrower holds (several may apply). */
export const assetLabels = {
  property: '房产',
  vehicle: '车辆',
  savings: '存款理财',
} as const;
export type Asset = keyof typeof assetLabels;

/** A label table's keys as a zod enum's values. */
export const keysOf = <T extends Record<string, string>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];
const whole = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label}须为整数` })
    .int(`${label}须为整数`)
    .min(min, `${label}不能小于 ${min}`)
    .max(max, `${label}不能大于 ${max}`);
/** up to 1 亿元 a month, in fen */
const MAX_FEN = 10_000_000_000;

/**
 * The 信用评估 questionnaire as the credit module takes it, amounts already in integer fen (the
 * doors turn typed yuan into fen with `yuanAmount`). Strict: unknown fields are refused.
 */
export const creditAnswersSchema = z.strictObject({
  monthlyIncomeFen: whole('月收入', 0, MAX_FEN),
  incomeProof: z.enum(keysOf(incomeProofLabels), { error: '请选择收入证明方式' }),
  employment: z.enum(employmentTypes, { error: '请选择职业类型' }),
  tenureMonths: whole('当前工作年限（月）', 0, 600),
  housingFundPaid: z.boolean({ error: '请选择是否缴纳公积金' }),
  housingFundMonths: whole('公积金连续缴纳月数', 0, 600),
  socialInsurancePaid: z.boolean({ error: '请选择是否缴纳社保' }),
  monthlyDebtFen: whole('每月负债还款', 0, MAX_FEN),
  creditCards: whole('信用卡张数', 0, 100),
  cardUtilisationPercent: whole('信用卡额度使用率', 0, 100),
  overdue: z.enum(keysOf(overdueLabels), { error: '请选择逾期情况' }),
  inquiries6m: whole('近 6 个月征信查询次数', 0, 200),
  assets: z.array(z.enum(keysOf(assetLabels), { error: '资产选项无效' })).max(3, '资产最多选 3 项'),
});

export type CreditAnswers = z.output<typeof creditAnswersSchema>;
