import { ValidationError } from '../../lib/errors';
import { formatRate, formatYuan, type Fen } from '../../lib/money';
import { APR_LABEL_THRESHOLD, APR_LISTING_CAP, InvalidLoanTermsError, buildSchedule, methodLabels, nominalRateForApr, offersChoice, priceRange, productFees, type ProductPricingInput, type RepaymentMethod } from '../pricing';

/**
 * Why an institution may offer an all-in APR above the range its product advertises for that
 * amount and term. Only these; anything else above the range is refused.
 */
export const pricingReasons = {
  risk_based: '按产品公布的风险定价规则上浮',
  guarantee_required: '需追加担保服务（费用已计入综合年化）',
  term_changed: '批准期限与申请不同，按该期限定价',
  amount_changed: '批准金额与申请不同，按该金额定价',
} as const;
export type PricingReason = keyof typeof pricingReasons;

/** Offers above this all-in APR are labelled to the borrower (the platform's warning line). */
export const OFFER_LABEL_APR = APR_LABEL_THRESHOLD;
/** Offers above this are refused outright (the legal ceiling, as for listing). */
export const OFFER_REFUSE_APR = APR_LISTING_CAP;

/** What the institution states when it approves. */
export interface OfferInput {
  amountFen: Fen;
  termMonths: number;
  method: RepaymentMethod;
  /** all-in APR (综合年化, IRR with every fee), a fraction as a decimal string ("0.150000") */
  apr: string;
  pricingReason?: PricingReason;
}

/** An offer's figures, computed once when it is made and shown unchanged until it is decided. */
export interface OfferTerms {
  amountFen: Fen;
  termMonths: number;
  method: RepaymentMethod;
  apr: string;
  /** the nominal rate that, with the product's fees, costs exactly `apr` all-in (what the loan will charge) */
  nominalRate: string;
  firstPaymentFen: Fen;
  /** every payment: principal, interest and fees */
  totalRepaymentFen: Fen;
  /** interest plus fees */
  totalCostFen: Fen;
  /** the product's advertised all-in APR for this amount, term and method, at its lowest and highest rate */
  advertisedAprLow: number;
  advertisedAprHigh: number;
  aboveAdvertised: boolean;
  pricingReason: PricingReason | null;
}

/** Rounding of the stated APR against the advertised one (APRs are written to two decimals of a percent): 0.01 percentage points. */
const APR_TOLERANCE = 0.0001;

/**
 * Checks an approval against what the product advertised and computes the figures the borrower
 * decides on. Refused (400, naming the field): terms the product does not lend, an APR above the
 * platform's ceiling, an APR above the advertised range without a reason from `pricingReasons`,
 * an APR the fees alone already exceed. `cap` is the platform's refusal line (a system parameter,
 * never above 36%). Pure.
 */
export function offerTerms(product: ProductPricingInput, input: OfferInput, cap = OFFER_REFUSE_APR): OfferTerms {
  const choice = { amountFen: input.amountFen, termMonths: input.termMonths, method: input.method };
  if (!product.repaymentMethods.includes(input.method)) {
    throw new ValidationError('还款方式有误', { repaymentMethod: `本产品支持：${product.repaymentMethods.map((m) => methodLabels[m]).join('、')}` });
  }
  if (!offersChoice(product, choice)) {
    if (input.amountFen < product.minAmountFen || input.amountFen > product.maxAmountFen) {
      throw new ValidationError('批准金额超出产品额度', { offeredAmount: `本产品额度为 ${formatYuan(product.minAmountFen)} 至 ${formatYuan(product.maxAmountFen)}` });
    }
    throw new ValidationError('批准期限不在产品可选期限内', { offeredTermMonths: `可选期限：${product.termOptions.join('、')} 个月` });
  }
  const apr = Number(input.apr);
  const ceiling = Math.min(cap, OFFER_REFUSE_APR);
  if (!Number.isFinite(apr) || apr < 0) throw new ValidationError('综合年化有误', { offeredApr: '请填写综合年化，如 0.1200' });
  if (apr > ceiling + 1e-9) throw new ValidationError('综合年化超过平台上限', { offeredApr: `综合年化不得超过 ${formatRate(ceiling)}` });
  const advertised = priceRange(product, choice);
  const aboveAdvertised = apr > advertised.aprHigh + APR_TOLERANCE;
  if (aboveAdvertised && !input.pricingReason) {
    throw new ValidationError('综合年化高于产品公示范围', {
      offeredApr: `该金额和期限下本产品公示的综合年化为 ${formatRate(advertised.aprLow)}–${formatRate(advertised.aprHigh)}；高于公示范围须选择定价原因`,
      pricingReason: '请选择定价原因',
    });
  }
  const fees = productFees(product, input.amountFen);
  let nominalRate: string | null;
  let schedule;
  try {
    nominalRate = nominalRateForApr({ principalFen: input.amountFen, termMonths: input.termMonths, method: input.method, fees }, input.apr);
    if (nominalRate === null) throw new ValidationError('综合年化低于本产品费用本身的成本', { offeredApr: `本产品的费用已使综合年化不低于 ${formatRate(advertised.aprLow)} 附近，请重新填写` });
    // not productSchedule: a reasoned offer may charge above the product's listed rates
    schedule = buildSchedule({ principalFen: input.amountFen, annualRate: nominalRate, termMonths: input.termMonths, method: input.method, fees });
  } catch (err) {
    if (err instanceof InvalidLoanTermsError) throw new ValidationError('无法按该金额和期限生成还款计划', { offeredAmount: Object.values(err.fields).join('；') });
    throw err;
  }
  return {
    amountFen: input.amountFen,
    termMonths: input.termMonths,
    method: input.method,
    apr: apr.toFixed(6),
    nominalRate,
    firstPaymentFen: schedule.instalments[0]!.paymentFen,
    totalRepaymentFen: schedule.instalments.reduce((sum, i) => sum + i.paymentFen, 0),
    totalCostFen: schedule.totalInterestFen + schedule.totalFeesFen,
    advertisedAprLow: advertised.aprLow,
    advertisedAprHigh: advertised.aprHigh,
    aboveAdvertised,
    pricingReason: aboveAdvertised ? (input.pricingReason ?? null) : null,
  };
}
