import { formatRate, formatYuan } from '../../lib/money';
import type { Eligibility, ProductRow } from '../catalogue';
import { methodLabels, type RepaymentMethod } from '../pricing';

/** Every parameter of a product an institution sets: the snapshot a version keeps. Money in fen, rates as 6-decimal fraction strings. */
export interface ProductParams {
  name: string;
  category: string;
  summary: string;
  minAmountFen: number;
  maxAmountFen: number;
  termOptions: number[];
  rateMin: string;
  rateMax: string;
  upfrontFeeRate: string;
  upfrontFeeMode: 'deducted' | 'paid';
  monthlyFeeRate: string;
  guaranteeFeeRate: string;
  insuranceFeeRate: string;
  earlyRepaymentFeeRate: string;
  earlyRepaymentFreeAfterMonths: number;
  repaymentMethods: string[];
  eligibility: Eligibility;
  requiredDocuments: string[];
  decisionMinutes: number;
  disbursementHours: number;
  tags: string[];
}

const rateKeys = ['rateMin', 'rateMax', 'upfrontFeeRate', 'monthlyFeeRate', 'guaranteeFeeRate', 'insuranceFeeRate', 'earlyRepaymentFeeRate'] as const;

/** The same rate written one way (`0.072000`), so snapshots compare equal to what the database returns. */
export function normalizeParams(p: ProductParams): ProductParams {
  const out = { ...p, eligibility: { ...p.eligibility } };
  for (const k of rateKeys) out[k] = Number(p[k]).toFixed(6);
  out.termOptions = [...new Set(p.termOptions)].sort((a, b) => a - b);
  if (out.eligibility.minCreditScore === undefined) delete out.eligibility.minCreditScore;
  return out;
}

/** The parameters of a stored product row. */
export function paramsOf(row: ProductRow): ProductParams {
  return normalizeParams({
    name: row.name,
    category: row.category,
    summary: row.summary,
    minAmountFen: row.minAmountFen,
    maxAmountFen: row.maxAmountFen,
    termOptions: row.termOptions,
    rateMin: row.rateMin,
    rateMax: row.rateMax,
    upfrontFeeRate: row.upfrontFeeRate,
    upfrontFeeMode: row.upfrontFeeMode,
    monthlyFeeRate: row.monthlyFeeRate,
    guaranteeFeeRate: row.guaranteeFeeRate,
    insuranceFeeRate: row.insuranceFeeRate,
    earlyRepaymentFeeRate: row.earlyRepaymentFeeRate,
    earlyRepaymentFreeAfterMonths: row.earlyRepaymentFreeAfterMonths,
    repaymentMethods: row.repaymentMethods,
    eligibility: row.eligibility,
    requiredDocuments: row.requiredDocuments,
    decisionMinutes: row.decisionMinutes,
    disbursementHours: row.disbursementHours,
    tags: row.tags,
  });
}

const list = (v: string[]) => (v.length ? v.join('、') : '—');
const yesNo = (v: boolean) => (v ? '是' : '否');

/** Each parameter with its label and how a person reads it (¥, %, 万), in form order. */
export const paramFields: { key: string; label: string; show: (p: ProductParams) => string }[] = [
  { key: 'name', label: '产品名称', show: (p) => p.name },
  { key: 'category', label: '类别', show: (p) => p.category },
  { key: 'summary', label: '简介', show: (p) => p.summary || '—' },
  { key: 'minAmount', label: '最低额度', show: (p) => formatYuan(p.minAmountFen) },
  { key: 'maxAmount', label: '最高额度', show: (p) => formatYuan(p.maxAmountFen) },
  { key: 'termOptions', label: '期限（月）', show: (p) => p.termOptions.join('、') },
  { key: 'rateMin', label: '最低名义年利率', show: (p) => formatRate(p.rateMin) },
  { key: 'rateMax', label: '最高名义年利率', show: (p) => formatRate(p.rateMax) },
  { key: 'upfrontFeeRate', label: '一次性服务费率', show: (p) => formatRate(p.upfrontFeeRate) },
  { key: 'upfrontFeeMode', label: '服务费收取方式', show: (p) => (p.upfrontFeeMode === 'deducted' ? '从放款中扣除' : '放款时另付') },
  { key: 'monthlyFeeRate', label: '每月管理费率', show: (p) => formatRate(p.monthlyFeeRate) },
  { key: 'guaranteeFeeRate', label: '每月担保费率', show: (p) => formatRate(p.guaranteeFeeRate) },
  { key: 'insuranceFeeRate', label: '每月保险费率', show: (p) => formatRate(p.insuranceFeeRate) },
  { key: 'earlyRepaymentFeeRate', label: '提前还款违约金率', show: (p) => formatRate(p.earlyRepaymentFeeRate) },
  { key: 'earlyRepaymentFreeAfterMonths', label: '满几期后提前还款免费', show: (p) => (p.earlyRepaymentFreeAfterMonths ? `${p.earlyRepaymentFreeAfterMonths} 期` : '—') },
  { key: 'repaymentMethods', label: '还款方式', show: (p) => list(p.repaymentMethods.map((m) => methodLabels[m as RepaymentMethod] ?? m)) },
  { key: 'minAge', label: '最低年龄', show: (p) => `${p.eligibility.minAge} 岁` },
  { key: 'maxAge', label: '最高年龄', show: (p) => `${p.eligibility.maxAge} 岁` },
  { key: 'regions', label: '限定地区', show: (p) => (p.eligibility.regions.length ? p.eligibility.regions.join('、') : '全国') },
  { key: 'minMonthlyIncome', label: '最低月收入', show: (p) => formatYuan(p.eligibility.minMonthlyIncomeFen) },
  { key: 'minCreditScore', label: '最低信用分', show: (p) => (p.eligibility.minCreditScore ? String(p.eligibility.minCreditScore) : '不限') },
  { key: 'employmentTypes', label: '职业', show: (p) => (p.eligibility.employmentTypes.length ? p.eligibility.employmentTypes.join('、') : '不限') },
  { key: 'studentsExcluded', label: '不向在校学生放款', show: (p) => yesNo(p.eligibility.studentsExcluded) },
  { key: 'requiredDocuments', label: '所需材料', show: (p) => list(p.requiredDocuments) },
  { key: 'decisionMinutes', label: '审批时间（分钟）', show: (p) => String(p.decisionMinutes) },
  { key: 'disbursementHours', label: '放款时间（小时）', show: (p) => String(p.disbursementHours) },
  { key: 'tags', label: '标签', show: (p) => list(p.tags) },
];
