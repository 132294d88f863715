/**
 * "My price": what one product costs a borrower for the amount, term and method in view, at
 * both ends of the product's nominal rate range. The platform does not know which rate an
 * institution will offer, so every place a borrower sees a price shows the range, never only
 * the best case.
 */
import { formatRate, formatYuan } from '../../lib/money';
import { productSchedule, productScheduleFigures, type ProductPricingInput } from './product-pricing';
import type { RepaymentMethod, Schedule } from './schedule';

export interface PriceChoice {
  amountFen: number;
  termMonths: number;
  method: RepaymentMethod;
}

/** Money in integer fen, APRs as fractions (all-in, IRR method, every fee included). */
export interface PriceRange {
  method: RepaymentMethod;
  /** all-in APR at the product's lowest and highest nominal rate */
  aprLow: number;
  aprHigh: number;
  /** the first instalment (首期月供), fees included, at the lowest and highest rate */
  monthlyLow: number;
  monthlyHigh: number;
  /** interest plus every fee over the whole loan (总利息 + 费用) */
  totalCostLow: number;
  totalCostHigh: number;
  /** the last instalment, when the method makes it differ from the first (先息后本, 一次性还本付息, 等额本金) */
  lastPaymentLow?: number;
  lastPaymentHigh?: number;
  /** the two schedules, for pages that show a plan */
  best: Schedule;
  worst: Schedule;
}

/** True when the product lends this amount for this term by this method. */
export function offersChoice(p: ProductPricingInput, choice: PriceChoice): boolean {
  return (
    Number.isSafeInteger(choice.amountFen) &&
    choice.amountFen >= p.minAmountFen &&
    choice.amountFen <= p.maxAmountFen &&
    p.termOptions.includes(choice.termMonths) &&
    p.repaymentMethods.includes(choice.method)
  );
}

/**
 * The price range of one product for one choice. A choice the product does not offer (amount
 * outside its limits, a term or method it does not have) is refused with a RangeError, never
 * clamped: a price for another amount than the one asked would be a price the borrower did
 * not ask for. Use `priceRangeIfOffered` where "not offered" is an answer.
 */
export function priceRange(p: ProductPricingInput, choice: PriceChoice): PriceRange {
  if (!offersChoice(p, choice)) {
    // productSchedule names what is wrong
    productSchedule(p, { principalFen: choice.amountFen, termMonths: choice.termMonths, method: choice.method });
    throw new RangeError('choice not offered by the product');
  }
  const base = { principalFen: choice.amountFen, termMonths: choice.termMonths, method: choice.method };
  const best = productSchedule(p, { ...base, annualRate: p.rateMin });
  const worst = productSchedule(p, { ...base, annualRate: p.rateMax });
  const first = (s: Schedule) => s.instalments[0]!.paymentFen;
  const last = (s: Schedule) => s.instalments[s.instalments.length - 1]!.paymentFen;
  const cost = (s: Schedule) => s.totalInterestFen + s.totalFeesFen;
  const range: PriceRange = {
    method: choice.method,
    aprLow: best.apr,
    aprHigh: worst.apr,
    monthlyLow: first(best),
    monthlyHigh: first(worst),
    totalCostLow: cost(best),
    totalCostHigh: cost(worst),
    best,
    worst,
  };
  // equal instalments differ only by the last one absorbing rounding; other methods change shape
  if (choice.method !== 'equal_installment' && choice.termMonths > 1) {
    range.lastPaymentLow = last(best);
    range.lastPaymentHigh = last(worst);
  }
  return range;
}

/** A price range's figures without its two schedules. */
export type PriceFigures = Omit<PriceRange, 'best' | 'worst'>;

/**
 * priceRange's figures without building the two dated schedules: what a list item and the cost
 * sort show (the same numbers, from the same rounding; a property test compares them).
 */
export function priceFigures(p: ProductPricingInput, choice: PriceChoice): PriceFigures {
  if (!offersChoice(p, choice)) return priceRange(p, choice); // throws, naming what is wrong
  const base = { principalFen: choice.amountFen, termMonths: choice.termMonths, method: choice.method };
  const best = productScheduleFigures(p, { ...base, annualRate: p.rateMin });
  const worst = productScheduleFigures(p, { ...base, annualRate: p.rateMax });
  const figures: PriceFigures = {
    method: choice.method,
    aprLow: best.apr,
    aprHigh: worst.apr,
    monthlyLow: best.firstPaymentFen,
    monthlyHigh: worst.firstPaymentFen,
    totalCostLow: best.totalInterestFen + best.totalFeesFen,
    totalCostHigh: worst.totalInterestFen + worst.totalFeesFen,
  };
  if (choice.method !== 'equal_installment' && choice.termMonths > 1) {
    figures.lastPaymentLow = best.lastPaymentFen;
    figures.lastPaymentHigh = worst.lastPaymentFen;
  }
  return figures;
}

/** priceFigures, or undefined when the product does not offer this choice. */
export function priceFiguresIfOffered(p: ProductPricingInput, choice: PriceChoice): PriceFigures | undefined {
  return offersChoice(p, choice) ? priceFigures(p, choice) : undefined;
}

/** The price range, or undefined when the product does not offer this choice. */
export function priceRangeIfOffered(p: ProductPricingInput, choice: PriceChoice): PriceRange | undefined {
  return offersChoice(p, choice) ? priceRange(p, choice) : undefined;
}

/** The method to price a product by: the one asked for if the product offers it, else its first. */
export function methodFor(p: ProductPricingInput, wanted?: string): RepaymentMethod {
  return wanted && p.repaymentMethods.includes(wanted as RepaymentMethod) ? (wanted as RepaymentMethod) : p.repaymentMethods[0]!;
}

/** ¥1,234.00–¥1,456.00, or one figure when both ends are the same. */
export function formatYuanRange(low: number, high: number): string {
  return low === high ? formatYuan(low) : `${formatYuan(low)}–${formatYuan(high)}`;
}

/** 7.20%–18.00%, or one figure when both ends round to the same two decimals. */
export function formatRateRange(low: number, high: number): string {
  const a = formatRate(low);
  const b = formatRate(high);
  return a === b ? a : `${a}–${b}`;
}

/** The range in words for pages: 月供, 总利息+费用 and 综合年化, each one figure when low = high. */
export function priceRangeText(r: PriceRange): { monthly: string; totalCost: string; apr: string; lastPayment?: string } {
  return {
    monthly: formatYuanRange(r.monthlyLow, r.monthlyHigh),
    totalCost: formatYuanRange(r.totalCostLow, r.totalCostHigh),
    apr: formatRateRange(r.aprLow, r.aprHigh),
    lastPayment: r.lastPaymentLow !== undefined ? formatYuanRange(r.lastPaymentLow, r.lastPaymentHigh!) : undefined,
  };
}

/**
 * 总成本最低 (the catalogue's 'cost' sort): interest plus every fee for the amount and term asked,
 * at the product's highest rate (the honest worst case orders the list; the best case breaks
 * ties). Without an amount or a term in the query, these stand in (and the page says so).
 */
export const COST_SORT_DEFAULT = { amountFen: 5_000_000, termMonths: 12 } as const;

/** The amount, term and method the cost sort prices each product at. */
export function costSortChoice(query: { amountFen?: number; termMonths?: number; repayment?: string[] }): { amountFen: number; termMonths: number; method?: string } {
  return {
    amountFen: query.amountFen ?? COST_SORT_DEFAULT.amountFen,
    termMonths: query.termMonths ?? COST_SORT_DEFAULT.termMonths,
    // one repayment method ticked: price by it; otherwise each product's first method (as its card shows)
    method: query.repayment?.length === 1 ? query.repayment[0] : undefined,
  };
}

/**
 * The amount and term a comparison prices at when the borrower gave none: ¥50,000 brought inside
 * every product's limits where possible, and 12 months when every product offers it (else the
 * first term they share, else the first product's first term).
 */
export function compareChoice(products: Pick<ProductPricingInput, 'minAmountFen' | 'maxAmountFen' | 'termOptions'>[], asked: { amountFen?: number; termMonths?: number }): { amountFen: number; termMonths: number; sharedTerms: number[] } {
  if (products.length === 0) throw new RangeError('nothing to compare');
  const amountFen = asked.amountFen ?? Math.max(...products.map((p) => p.minAmountFen), Math.min(5_000_000, ...products.map((p) => p.maxAmountFen)));
  const all = products.map((p) => new Set(p.termOptions));
  const sharedTerms = [...all[0]!].filter((t) => all.every((s) => s.has(t))).sort((a, b) => a - b);
  const termMonths = asked.termMonths ?? (sharedTerms.includes(12) ? 12 : (sharedTerms[0] ?? products[0]!.termOptions[0]!));
  return { amountFen, termMonths, sharedTerms };
}
