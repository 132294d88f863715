import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { employmentTypes, repaymentMethods } from '../modules/catalogue';
import type { ProductParams } from '../modules/products';
import { intFrom, yuanAmount } from './validate';

/**
 * Product parameters at the edge: the portal form (yuan, percentages, comma lists) and the JSON
 * API (yuan, fractions, arrays). Both are strict and give the service the same ProductParams.
 */

const text = (label: string, max: number) => z.string({ error: `${label}必填` }).trim().max(max, `${label}最多 ${max} 个字`);

/** "7.2" (%) → "0.072000"; at most 4 decimals, within [0, max]%. */
const percent = (label: string, max = 100) =>
  z.string({ error: `${label}必填` }).transform((v, ctx) => {
    const t = v.trim();
    if (!/^\d{1,3}(\.\d{1,4})?$/.test(t) || Number(t) > max) {
      ctx.addIssue({ code: 'custom', message: `${label}须为 0–${max} 之间的百分数，最多四位小数` });
      return z.NEVER;
    }
    return new Decimal(t).div(100).toFixed(6);
  });

/** A fraction 0–1 (API) → "0.072000". */
const fraction = (label: string) =>
  z
    .number({ error: `${label}须为小数（0.12 表示 12%）` })
    .min(0, `${label}不能为负`)
    .max(1, `${label}须为小数（0.12 表示 12%）`)
    .transform((n) => n.toFixed(6));

const splitList = (v: string) =>
  v
    .split(/[\n,，、;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);

const listText = (label: string, maxItems: number, maxLen = 20) =>
  z
    .string()
    .default('')
    .transform(splitList)
    .pipe(z.array(z.string().max(maxLen, `${label}每项最多 ${maxLen} 个字`)).max(maxItems, `${label}最多 ${maxItems} 项`));

const terms = z
  .array(intFrom('期限', 1, 360), { error: '至少选择一个期限' })
  .min(1, '至少提供一个期限（1–360 个月）')
  .max(24, '期限最多 24 个');

const methods = z.array(z.enum(repaymentMethods, { error: '还款方式无效' }), { error: '至少选择一种还款方式' }).min(1, '至少选择一种还款方式');
const employment = z.array(z.enum(employmentTypes, { error: '职业类型无效' })).default([]);

/** Checkbox groups arrive as one string or several; text areas as one string. */
function arr(v: unknown): unknown[] {
  if (v === undefined || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

export const productFormFields = [
  'name', 'category', 'summary', 'minAmount', 'maxAmount', 'termOptions', 'rateMin', 'rateMax', 'upfrontFeeRate', 'upfrontFeeMode',
  'monthlyFeeRate', 'guaranteeFeeRate', 'insuranceFeeRate', 'earlyRepaymentFeeRate', 'earlyRepaymentFreeAfterMonths', 'repaymentMethods',
  'minAge', 'maxAge', 'regions', 'minMonthlyIncome', 'minCreditScore', 'employmentTypes', 'studentsExcluded', 'requiredDocuments',
  'decisionMinutes', 'disbursementHours', 'tags',
] as const;

const productForm = z.strictObject({
  name: text('产品名称', 30).min(2, '产品名称 2–30 个字'),
  category: text('类别', 10).min(1, '请选择类别'),
  summary: text('简介', 200).min(1, '请填写简介'),
  minAmount: yuanAmount('最低额度'),
  maxAmount: yuanAmount('最高额度'),
  termOptions: z.string({ error: '请填写期限' }).transform((v, ctx) => {
    const list = splitList(v).map(Number);
    if (list.length === 0 || list.length > 24 || list.some((n) => !Number.isInteger(n) || n < 1 || n > 360)) {
      ctx.addIssue({ code: 'custom', message: '期限为 1–360 的整数月，用逗号分隔，如 6,12,24' });
      return z.NEVER;
    }
    return list;
  }),
  rateMin: percent('最低年利率'),
  rateMax: percent('最高年利率'),
  upfrontFeeRate: percent('一次性服务费率', 99),
  upfrontFeeMode: z.enum(['deducted', 'paid'], { error: '请选择服务费收取方式' }),
  monthlyFeeRate: percent('每月管理费率', 10),
  guaranteeFeeRate: percent('每月担保费率', 10),
  insuranceFeeRate: percent('每月保险费率', 10),
  earlyRepaymentFeeRate: percent('提前还款违约金率', 10),
  earlyRepaymentFreeAfterMonths: intFrom('免违约金期数', 0, 360),
  repaymentMethods: methods,
  minAge: intFrom('最低年龄', 18, 100),
  maxAge: intFrom('最高年龄', 18, 100),
  regions: listText('地区', 50, 10),
  minMonthlyIncome: yuanAmount('最低月收入', 'non_negative'),
  minCreditScore: z.union([z.literal(''), intFrom('最低信用分', 350, 950)]).optional(),
  employmentTypes: employment,
  studentsExcluded: z.literal('1').optional(),
  requiredDocuments: listText('所需材料', 20).pipe(z.array(z.string()).min(1, '至少列出一项所需材料')),
  decisionMinutes: intFrom('审批时间', 1, 60 * 24 * 30),
  disbursementHours: intFrom('放款时间', 1, 24 * 90),
  tags: listText('标签', 8, 10),
});

/** The portal form's body (strings, checkbox groups) → ProductParams. Throws zod errors keyed by form field. */
export function productFromForm(body: Record<string, unknown>) {
  const { _csrf: _ignored, ...rest } = body;
  void _ignored;
  const input = { ...rest, repaymentMethods: arr(rest.repaymentMethods), employmentTypes: arr(rest.employmentTypes) };
  return productForm.transform(
    (f): ProductParams => ({
      name: f.name,
      category: f.category,
      summary: f.summary,
      minAmountFen: f.minAmount,
      maxAmountFen: f.maxAmount,
      termOptions: f.termOptions,
      rateMin: f.rateMin,
      rateMax: f.rateMax,
      upfrontFeeRate: f.upfrontFeeRate,
      upfrontFeeMode: f.upfrontFeeMode,
      monthlyFeeRate: f.monthlyFeeRate,
      guaranteeFeeRate: f.guaranteeFeeRate,
      insuranceFeeRate: f.insuranceFeeRate,
      earlyRepaymentFeeRate: f.earlyRepaymentFeeRate,
      earlyRepaymentFreeAfterMonths: f.earlyRepaymentFreeAfterMonths,
      repaymentMethods: f.repaymentMethods,
      eligibility: {
        minAge: f.minAge,
        maxAge: f.maxAge,
        regions: f.regions,
        minMonthlyIncomeFen: f.minMonthlyIncome,
        employmentTypes: f.employmentTypes,
        studentsExcluded: f.studentsExcluded === '1',
        ...(typeof f.minCreditScore === 'number' ? { minCreditScore: f.minCreditScore } : {}),
      },
      requiredDocuments: f.requiredDocuments,
      decisionMinutes: f.decisionMinutes,
      disbursementHours: f.disbursementHours,
      tags: f.tags,
    }),
  ).safeParse(input);
}

const pct = (fraction: string) => new Decimal(fraction).times(100).toDecimalPlaces(4).toString();
const yuanText = (fen: number) => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2));

/** ProductParams → what the form shows (for editing an existing version). */
export function formValuesOf(p: ProductParams): Record<string, unknown> {
  return {
    name: p.name,
    category: p.category,
    summary: p.summary,
    minAmount: yuanText(p.minAmountFen),
    maxAmount: yuanText(p.maxAmountFen),
    termOptions: p.termOptions.join(','),
    rateMin: pct(p.rateMin),
    rateMax: pct(p.rateMax),
    upfrontFeeRate: pct(p.upfrontFeeRate),
    upfrontFeeMode: p.upfrontFeeMode,
    monthlyFeeRate: pct(p.monthlyFeeRate),
    guaranteeFeeRate: pct(p.guaranteeFeeRate),
    insuranceFeeRate: pct(p.insuranceFeeRate),
    earlyRepaymentFeeRate: pct(p.earlyRepaymentFeeRate),
    earlyRepaymentFreeAfterMonths: String(p.earlyRepaymentFreeAfterMonths),
    repaymentMethods: p.repaymentMethods,
    minAge: String(p.eligibility.minAge),
    maxAge: String(p.eligibility.maxAge),
    regions: p.eligibility.regions.join(','),
    minMonthlyIncome: yuanText(p.eligibility.minMonthlyIncomeFen),
    minCreditScore: p.eligibility.minCreditScore ? String(p.eligibility.minCreditScore) : '',
    employmentTypes: p.eligibility.employmentTypes,
    studentsExcluded: p.eligibility.studentsExcluded ? '1' : undefined,
    requiredDocuments: p.requiredDocuments.join(','),
    decisionMinutes: String(p.decisionMinutes),
    disbursementHours: String(p.disbursementHours),
    tags: p.tags.join(','),
  };
}

/** The blank form's starting values. */
export const blankFormValues: Record<string, unknown> = {
  termOptions: '6,12,24',
  upfrontFeeRate: '0',
  upfrontFeeMode: 'deducted',
  monthlyFeeRate: '0',
  guaranteeFeeRate: '0',
  insuranceFeeRate: '0',
  earlyRepaymentFeeRate: '0',
  earlyRepaymentFreeAfterMonths: '0',
  repaymentMethods: ['equal_installment'],
  minAge: '22',
  maxAge: '55',
  minMonthlyIncome: '0',
  studentsExcluded: '1',
  requiredDocuments: '身份证',
  decisionMinutes: '30',
  disbursementHours: '24',
};

const apiList = (label: string, maxItems: number, maxLen = 20) => z.array(z.string().trim().min(1).max(maxLen, `${label}每项最多 ${maxLen} 个字`)).max(maxItems);

/** The JSON API's product body: yuan numbers, rates as fractions. */
export const productBody = z
  .strictObject({
    name: text('产品名称', 30).min(2, '产品名称 2–30 个字'),
    category: text('类别', 10).min(1, '请选择类别'),
    summary: text('简介', 200).min(1, '请填写简介'),
    minAmount: yuanAmount('最低额度'),
    maxAmount: yuanAmount('最高额度'),
    termOptions: terms,
    rateMin: fraction('最低年利率'),
    rateMax: fraction('最高年利率'),
    upfrontFeeRate: fraction('一次性服务费率').prefault(0),
    upfrontFeeMode: z.enum(['deducted', 'paid']).default('deducted'),
    monthlyFeeRate: fraction('每月管理费率').prefault(0),
    guaranteeFeeRate: fraction('每月担保费率').prefault(0),
    insuranceFeeRate: fraction('每月保险费率').prefault(0),
    earlyRepaymentFeeRate: fraction('提前还款违约金率').prefault(0),
    earlyRepaymentFreeAfterMonths: z.number().int().min(0).max(360).default(0),
    repaymentMethods: methods,
    eligibility: z.strictObject({
      minAge: z.number().int().min(18, '最低 18 岁').max(100),
      maxAge: z.number().int().min(18).max(100),
      regions: apiList('地区', 50, 10).default([]),
      minMonthlyIncome: yuanAmount('最低月收入', 'non_negative').prefault(0),
      minCreditScore: z.number().int().min(350).max(950).optional(),
      employmentTypes: employment,
      studentsExcluded: z.boolean(),
    }),
    requiredDocuments: apiList('所需材料', 20).min(1, '至少列出一项所需材料'),
    decisionMinutes: z.number().int().min(1).max(60 * 24 * 30),
    disbursementHours: z.number().int().min(1).max(24 * 90),
    tags: apiList('标签', 8, 10).default([]),
  })
  .transform(
    (b): ProductParams => ({
      name: b.name,
      category: b.category,
      summary: b.summary,
      minAmountFen: b.minAmount,
      maxAmountFen: b.maxAmount,
      termOptions: b.termOptions,
      rateMin: b.rateMin,
      rateMax: b.rateMax,
      upfrontFeeRate: b.upfrontFeeRate,
      upfrontFeeMode: b.upfrontFeeMode,
      monthlyFeeRate: b.monthlyFeeRate,
      guaranteeFeeRate: b.guaranteeFeeRate,
      insuranceFeeRate: b.insuranceFeeRate,
      earlyRepaymentFeeRate: b.earlyRepaymentFeeRate,
      earlyRepaymentFreeAfterMonths: b.earlyRepaymentFreeAfterMonths,
      repaymentMethods: b.repaymentMethods,
      eligibility: {
        minAge: b.eligibility.minAge,
        maxAge: b.eligibility.maxAge,
        regions: b.eligibility.regions,
        minMonthlyIncomeFen: b.eligibility.minMonthlyIncome,
        employmentTypes: b.eligibility.employmentTypes,
        studentsExcluded: b.eligibility.studentsExcluded,
        ...(b.eligibility.minCreditScore !== undefined ? { minCreditScore: b.eligibility.minCreditScore } : {}),
      },
      requiredDocuments: b.requiredDocuments,
      decisionMinutes: b.decisionMinutes,
      disbursementHours: b.disbursementHours,
      tags: b.tags,
    }),
  );

export const reasonBody = z.strictObject({ reason: z.string({ error: '请填写原因' }).trim().min(1, '请填写原因').max(500, '原因最多 500 字') });
