import { APR_LABEL_THRESHOLD, methodLabels, type ProductPricingInput, type RepaymentMethod } from '../pricing';
import type { ProductWithInstitution, ProductRow } from './catalogue.repository';

/** A product as the surfaces show it: the row, its institution, and what people need to judge the price. */
export interface ProductView extends ProductRow {
  institutionName: string;
  institutionFullName: string;
  institutionKind: string;
  /** all-in APR range as fractions */
  apr: { min: number; max: number };
  /** can exceed 24% all-in: labelled on every card */
  aprAbove24: boolean;
  hasFees: boolean;
  /** each fee in words, e.g. 一次性服务费 1.00%（从放款中扣除） */
  feeLines: string[];
  methodNames: string[];
  /** boosted by a promotion running now: labelled 推广 wherever it appears boosted */
  promoted?: boolean;
}

const pct = (rate: string) => `${(Number(rate) * 100).toFixed(2)}%`;

export function pricingInput(p: ProductRow): ProductPricingInput {
  return {
    minAmountFen: p.minAmountFen,
    maxAmountFen: p.maxAmountFen,
    termOptions: p.termOptions,
    repaymentMethods: p.repaymentMethods as RepaymentMethod[],
    rateMin: p.rateMin,
    rateMax: p.rateMax,
    upfrontFeeRate: p.upfrontFeeRate,
    monthlyFeeRate: p.monthlyFeeRate,
    guaranteeFeeRate: p.guaranteeFeeRate,
    insuranceFeeRate: p.insuranceFeeRate,
    upfrontFeeMode: p.upfrontFeeMode,
  };
}

export function feeLines(p: ProductRow): string[] {
  const lines: string[] = [];
  if (Number(p.upfrontFeeRate) > 0) {
    lines.push(`一次性服务费 ${pct(p.upfrontFeeRate)}（${p.upfrontFeeMode === 'deducted' ? '从放款金额中扣除' : '放款时另行支付'}）`);
  }
  if (Number(p.monthlyFeeRate) > 0) lines.push(`每月管理费 本金的 ${pct(p.monthlyFeeRate)}`);
  if (Number(p.guaranteeFeeRate) > 0) lines.push(`每月担保费 本金的 ${pct(p.guaranteeFeeRate)}`);
  if (Number(p.insuranceFeeRate) > 0) lines.push(`每月保险费 本金的 ${pct(p.insuranceFeeRate)}`);
  if (Number(p.earlyRepaymentFeeRate) > 0) {
    lines.push(
      `提前还款违约金 提前归还本金的 ${pct(p.earlyRepaymentFeeRate)}${p.earlyRepaymentFreeAfterMonths > 0 ? `（满 ${p.earlyRepaymentFreeAfterMonths} 期后免收）` : ''}`,
    );
  }
  return lines;
}

export function toProductView(row: ProductWithInstitution): ProductView {
  const p = row.product;
  const apr = { min: Number(p.aprMin), max: Number(p.aprMax) };
  const fees = feeLines(p);
  return {
    ...p,
    institutionName: row.institutionName,
    institutionFullName: row.institutionFullName,
    institutionKind: row.institutionKind,
    apr,
    aprAbove24: apr.max > APR_LABEL_THRESHOLD,
    hasFees: fees.some((l) => !l.startsWith('提前还款')),
    feeLines: fees,
    methodNames: p.repaymentMethods.map((m) => methodLabels[m as RepaymentMethod] ?? m),
  };
}
