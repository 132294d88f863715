/**
 * Pricing of a catalogue product: its fees at a given amount, a schedule for a borrower's
 * choice, and the all-in APR range used for labelling (> 24%) and listing (≤ 36%).
 */
import type { Decimal } from 'decimal.js';
import { solveIrr } from './apr';
import { buildSchedule, methodLabels, parseRate, roundedShare, scaledRate, scheduleFigures, Dec } from './schedule';
import type { LoanFees, LoanTerms, RepaymentMethod, Schedule, ScheduleFigures } from './schedule';

export interface ProductPricingInput {
  minAmountFen: number;
  maxAmountFen: number;
  termOptions: number[];
  repaymentMethods: RepaymentMethod[];
  /** nominal annual rates, fractions */
  rateMin: string;
  rateMax: string;
  /** fractions of principal */
  upfrontFeeRate: string;
  monthlyFeeRate: string;
  /** monthly, fractions of principal; added to the monthly fee */
  guaranteeFeeRate?: string;
  insuranceFeeRate?: string;
  upfrontFeeMode?: 'deducted' | 'paid';
}

/** Products whose all-in APR can exceed this are labelled. */
export const APR_LABEL_THRESHOLD = 0.24;
/** Products whose all-in APR can exceed this cannot be listed. */
export const APR_LISTING_CAP = 0.36;

function feeRate(value: string | undefined, what: string): Decimal {
  if (value === undefined) return new Dec(0);
  const rate = parseRate(value);
  if (rate === null || rate.isNegative()) throw new RangeError(`${what} must be a non-negative decimal fraction`);
  return rate;
}

/**
 * Loan fees for a given principal: upfrontFen = round(principal × upfrontFeeRate);
 * monthlyFeeFen = round(principal × (monthlyFeeRate + guaranteeFeeRate + insuranceFeeRate)).
 */
export function productFees(p: ProductPricingInput, principalFen: number): LoanFees {
  if (!Number.isSafeInteger(principalFen) || principalFen <= 0) throw new RangeError('principal must be a positive integer number of fen');
  const { upfront, monthly } = feeRatesOf(p);
  // round(principal × rate) half-up: integer arithmetic where exact (as the interest), else decimal.js
  return {
    upfrontFen: roundedShare(principalFen, upfront.rate, upfront.scaled, 1),
    upfrontMode: p.upfrontFeeMode ?? 'deducted',
    monthlyFeeFen: roundedShare(principalFen, monthly.rate, monthly.scaled, 1),
  };
}

interface FeeRate {
  rate: Decimal;
  scaled: ReturnType<typeof scaledRate>;
}

/** a product's fee rates (the monthly ones summed), per combination of rate strings: every price needs them twice */
const feeRatesByText = new Map<string, { upfront: FeeRate; monthly: FeeRate }>();
const MAX_FEE_RATES = 10_000;

/** the same, per pricing input object (a product's is kept with its view): no key to build while its rate texts are those read */
const feeRatesByInput = new WeakMap<ProductPricingInput, { texts: FeeTexts; rates: { upfront: FeeRate; monthly: FeeRate } }>();
type FeeTexts = [string, string, string | undefined, string | undefined];

function feeRatesOf(p: ProductPricingInput): { upfront: FeeRate; monthly: FeeRate } {
  const kept = feeRatesByInput.get(p);
  if (kept && kept.texts[0] === p.upfrontFeeRate && kept.texts[1] === p.monthlyFeeRate && kept.texts[2] === p.guaranteeFeeRate && kept.texts[3] === p.insuranceFeeRate) return kept.rates;
  const key = JSON.stringify([p.upfrontFeeRate, p.monthlyFeeRate, p.guaranteeFeeRate, p.insuranceFeeRate]);
  let rates = feeRatesByText.get(key);
  if (!rates) {
    const upfront = feeRate(p.upfrontFeeRate, 'upfrontFeeRate');
    const monthly = feeRate(p.monthlyFeeRate, 'monthlyFeeRate')
      .plus(feeRate(p.guaranteeFeeRate, 'guaranteeFeeRate'))
      .plus(feeRate(p.insuranceFeeRate, 'insuranceFeeRate'));
    rates = { upfront: { rate: upfront, scaled: scaledRate(upfront) }, monthly: { rate: monthly, scaled: scaledRate(monthly) } };
    if (feeRatesByText.size >= MAX_FEE_RATES) feeRatesByText.clear();
    feeRatesByText.set(key, rates);
  }
  feeRatesByInput.set(p, { texts: [p.upfrontFeeRate, p.monthlyFeeRate, p.guaranteeFeeRate, p.insuranceFeeRate], rates });
  return rates;
}

/**
 * Schedule for a product at a chosen amount/term/method/rate (rate defaults to rateMin).
 * Throws RangeError when the choice is outside what the product offers.
 */
export function productSchedule(p: ProductPricingInput, choice: ProductChoice & { startDate?: Date }): Schedule {
  return buildSchedule(productTerms(p, choice));
}

/** productSchedule's first and last payments, totals and APR, without the dated instalments (lists and sorts need no more). */
export function productScheduleFigures(p: ProductPricingInput, choice: ProductChoice): ScheduleFigures {
  return scheduleFigures(productTerms(p, choice));
}

interface ProductChoice {
  principalFen: number;
  termMonths: number;
  method: RepaymentMethod;
  annualRate?: string | number;
}

function productTerms(p: ProductPricingInput, choice: ProductChoice & { startDate?: Date }): LoanTerms {
  const problems: string[] = [];
  if (choice.principalFen < p.minAmountFen || choice.principalFen > p.maxAmountFen) problems.push('amount outside the product range');
  if (!p.termOptions.includes(choice.termMonths)) problems.push('term not offered');
  if (!p.repaymentMethods.includes(choice.method)) problems.push('repayment method not offered');
  const rate = choice.annualRate ?? p.rateMin;
  const chosen = parseRate(rate);
  const lo = parseRate(p.rateMin);
  const hi = parseRate(p.rateMax);
  if (chosen === null || lo === null || hi === null || chosen.lt(lo) || chosen.gt(hi)) problems.push('rate outside the product range');
  if (problems.length > 0) throw new RangeError(`choice not offered by the product: ${problems.join(', ')}`);
  return {
    principalFen: choice.principalFen,
    annualRate: rate,
    termMonths: choice.termMonths,
    method: choice.method,
    fees: productFees(p, choice.principalFen),
    startDate: choice.startDate,
  };
}

/** Reused cash-flow buffer for the hot loop (t0 plus up to 360 months). */
const flows = new Float64Array(361);

/**
 * All-in APR of one loan computed in plain floating point (no Decimal, no dates, no objects):
 * the same rules as buildSchedule, with Math.round for the fen rounding. It can differ from
 * buildSchedule by a fen where a product lands exactly on half a fen, which moves the APR by
 * far less than 1e-8. Internal; exported for tests and productAprRange.
 */
export function quickApr(principalFen: number, annualRate: number, n: number, method: RepaymentMethod, upfrontFen: number, monthlyFeeFen: number, guess = annualRate / 12): number {
  const P = principalFen;
  flows[0] = P - upfrontFen;
  const perMonth = annualRate / 12;
  switch (method) {
    case 'equal_installment': {
      const payment = annualRate === 0 ? Math.round(P / n) : Math.round((P * perMonth) / (1 - Math.pow(1 + perMonth, -n)));
      let balance = P;
      for (let k = 1; k < n; k++) {
        const interest = Math.round((balance * annualRate) / 12);
        const part = Math.min(balance, Math.max(0, payment - interest));
        balance -= part;
        flows[k] = -(part + interest + monthlyFeeFen);
      }
      flows[n] = -(balance + Math.round((balance * annualRate) / 12) + monthlyFeeFen);
      break;
    }
    case 'equal_principal': {
      const part = Math.floor(P / n);
      let balance = P;
      for (let k = 1; k <= n; k++) {
        const paid = k === n ? balance : part;
        flows[k] = -(paid + Math.round((balance * annualRate) / 12) + monthlyFeeFen);
        balance -= paid;
      }
      break;
    }
    case 'interest_first': {
      const interest = Math.round((P * annualRate) / 12);
      for (let k = 1; k < n; k++) flows[k] = -(interest + monthlyFeeFen);
      flows[n] = -(P + interest + monthlyFeeFen);
      break;
    }
    case 'bullet': {
      for (let k = 1; k < n; k++) flows[k] = 0;
      flows[n] = -(P + Math.round((P * annualRate * n) / 12) + monthlyFeeFen * n);
      break;
    }
  }
  return solveIrr(flows, n + 1, guess) * 12;
}

/** The all-in APR range over every term option × method × {rateMin, rateMax} × {minAmount, maxAmount}. */
export function productAprRange(p: ProductPricingInput): { min: number; max: number } {
  if (p.termOptions.length === 0 || p.repaymentMethods.length === 0) throw new RangeError('product has no term options or no repayment methods');
  if (!Number.isSafeInteger(p.minAmountFen) || !Number.isSafeInteger(p.maxAmountFen) || p.minAmountFen <= 0 || p.minAmountFen > p.maxAmountFen) {
    throw new RangeError('product amount range is invalid');
  }
  for (const n of p.termOptions) if (!Number.isInteger(n) || n < 1 || n > 360) throw new RangeError(`invalid term option: ${n}`);
  for (const m of p.repaymentMethods) if (!Object.prototype.hasOwnProperty.call(methodLabels, m)) throw new RangeError(`invalid repayment method: ${m}`);
  const rLo = parseRate(p.rateMin);
  const rHi = parseRate(p.rateMax);
  if (rLo === null || rHi === null || rLo.isNegative() || rHi.gt(1) || rLo.gt(rHi)) throw new RangeError('product rate range is invalid');

  const rates = rLo.eq(rHi) ? [rLo.toNumber()] : [rLo.toNumber(), rHi.toNumber()];
  const amounts = p.minAmountFen === p.maxAmountFen ? [p.minAmountFen] : [p.minAmountFen, p.maxAmountFen];
  let min = Infinity;
  let max = -Infinity;
  for (const amount of amounts) {
    const fees = productFees(p, amount);
    const upfront = fees.upfrontFen ?? 0;
    const monthly = fees.monthlyFeeFen ?? 0;
    if (upfront >= amount) throw new RangeError('upfront fee would swallow the whole principal');
    for (const method of p.repaymentMethods) {
      for (const rate of rates) {
        // the previous term's APR is a good Newton start for the next
        let guess = rate / 12;
        for (const n of p.termOptions) {
          const apr = quickApr(amount, rate, n, method, upfront, monthly, guess);
          guess = apr / 12;
          if (apr < min) min = apr;
          if (apr > max) max = apr;
        }
      }
    }
  }
  return { min, max };
}
