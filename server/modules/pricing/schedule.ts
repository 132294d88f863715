/**
 * Repayment schedules. Money is integer fen; every product, quotient and rounding is done
 * exactly and rounded to the fen half-up: with decimal.js (40 significant digits), or, where the
 * rate has at most 9 decimals, with integer arithmetic that gives the same fen (the interest of a
 * period, the bullet interest, the equal principal part on safe integers; the equal instalment as
 * a ratio of BigInts).
 * Sums and differences of fen amounts are exact integer arithmetic on safe integers.
 */
import { Decimal } from 'decimal.js';
import { solveIrr } from './apr';

export type RepaymentMethod = 'equal_installment' | 'equal_principal' | 'interest_first' | 'bullet';

export interface LoanFees {
  /** one-off service fee in fen */
  upfrontFen?: number;
  /** 'deducted' (default): taken from the disbursed amount; 'paid': paid separately at disbursement. Either way the borrower's net cash at t0 is principal − upfront. */
  upfrontMode?: 'deducted' | 'paid';
  /** fixed fee in fen added to every instalment (management + guarantee + insurance) */
  monthlyFeeFen?: number;
}

export interface LoanTerms {
  /** > 0 integer fen */
  principalFen: number;
  /** nominal annual interest rate as a fraction (0.12 = 12%), 0..1 */
  annualRate: string | number;
  /** integer 1..360 */
  termMonths: number;
  method: RepaymentMethod;
  fees?: LoanFees;
  /** disbursement date; due dates fall on the same day of following months (clamped to month end), as YYYY-MM-DD in Asia/Shanghai. Default: now. */
  startDate?: Date;
}

export interface Instalment {
  period: number;
  dueDate: string;
  paymentFen: number;
  principalFen: number;
  interestFen: number;
  feeFen: number;
  /** principal remaining after this payment */
  balanceFen: number;
}

export interface Schedule {
  instalments: Instalment[];
  /** === terms.principalFen exactly */
  totalPrincipalFen: number;
  totalInterestFen: number;
  /** upfront fee + every instalment's fee */
  totalFeesFen: number;
  /** the total cost view: principal + totalInterest + totalFees (instalments plus the upfront fee) */
  totalPaymentFen: number;
  /** principal − upfront fee: the borrower's net cash at t0 */
  netReceivedFen: number;
  /** all-in APR (IRR method, monthly IRR × 12), a fraction, not rounded */
  apr: number;
}

export const methodLabels: Record<RepaymentMethod, string> = {
  equal_installment: '等额本息',
  equal_principal: '等额本金',
  interest_first: '先息后本',
  bullet: '一次性还本付息',
};

export const MAX_PRINCIPAL_FEN = 1e12;
export const MAX_TERM_MONTHS = 360;
/** Upper bound on the per-instalment fee, so every total stays a safe integer. */
export const MAX_MONTHLY_FEE_FEN = 1e12;

/** Decimal with enough precision that (1 + r)^360 and P·r·g/(g − 1) are exact to well below a fen. */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** A Decimal rounded half-up to a whole fen, as a number. */
export function toFen(value: Decimal): number {
  return safeFen(value.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber());
}

/** A whole number of fen, refused outside the safe integer range. */
function safeFen(fen: number): number {
  if (!Number.isSafeInteger(fen)) throw new RangeError('amount is outside the safe integer range of fen');
  return fen;
}

const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Rate strings already parsed. A product's price reads its rates and fee rates about twenty
 * times (both ends of the range, validation, fees), and products share a few hundred distinct
 * rate strings; a Decimal is immutable, so one parse serves every reader.
 */
const parsedRates = new Map<string, Decimal | null>();
const MAX_PARSED_RATES = 10_000;

/** A rate given as a decimal string or a finite number, or null when it is not a number at all. */
export function parseRate(rate: unknown): Decimal | null {
  if (typeof rate === 'number') return Number.isFinite(rate) ? new Dec(rate) : null;
  if (typeof rate === 'string') {
    let parsed = parsedRates.get(rate);
    if (parsed === undefined) {
      const text = rate.trim();
      parsed = DECIMAL_TEXT.test(text) ? new Dec(text) : null;
      if (parsedRates.size >= MAX_PARSED_RATES) parsedRates.clear();
      parsedRates.set(rate, parsed);
    }
    return parsed;
  }
  return null;
}

function isMethod(value: unknown): value is RepaymentMethod {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(methodLabels, value);
}

/** Field → reason (Chinese); `{}` when the terms are valid. */
export function validateTerms(terms: LoanTerms): Record<string, string> {
  const errors: Record<string, string> = {};
  const principalOk = Number.isSafeInteger(terms.principalFen) && terms.principalFen >= 1 && terms.principalFen <= MAX_PRINCIPAL_FEN;
  if (!principalOk) errors.principal = '借款金额必须是 0.01 元至 100 亿元之间的整数分';

  const rate = parseRate(terms.annualRate);
  if (rate === null) errors.annualRate = '年利率必须是数字';
  else if (rate.isNegative() || rate.gt(1)) errors.annualRate = '年利率必须在 0 至 100% 之间';

  if (!Number.isInteger(terms.termMonths) || terms.termMonths < 1 || terms.termMonths > MAX_TERM_MONTHS) {
    errors.termMonths = '借款期限必须是 1 至 360 之间的整数（月）';
  }
  if (!isMethod(terms.method)) errors.method = '不支持的还款方式';

  const upfront = terms.fees?.upfrontFen ?? 0;
  const mode = terms.fees?.upfrontMode;
  if (!Number.isSafeInteger(upfront) || upfront < 0) errors.upfrontFee = '一次性服务费必须是不小于 0 的整数分';
  else if (principalOk && upfront >= terms.principalFen) errors.upfrontFee = '一次性服务费必须小于借款金额';
  else if (mode !== undefined && mode !== 'deducted' && mode !== 'paid') errors.upfrontFee = '服务费收取方式必须是“从放款中扣除”或“放款时另行支付”';

  const monthly = terms.fees?.monthlyFeeFen ?? 0;
  if (!Number.isSafeInteger(monthly) || monthly < 0 || monthly > MAX_MONTHLY_FEE_FEN) {
    errors.monthlyFee = '每期费用必须是 0 至 100 亿元之间的整数分';
  }

  if (terms.startDate !== undefined && !(terms.startDate instanceof Date && Number.isFinite(terms.startDate.getTime()))) {
    errors.startDate = '放款日期无效';
  }
  return errors;
}

/** Thrown by buildSchedule; `fields` is what validateTerms returned. */
export class InvalidLoanTermsError extends RangeError {
  constructor(readonly fields: Record<string, string>) {
    super(`invalid loan terms: ${Object.entries(fields).map(([field, reason]) => `${field}: ${reason}`).join('; ')}`);
    this.name = 'InvalidLoanTermsError';
  }
}

const shanghaiDate = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric' });

/** The calendar date of an instant in Asia/Shanghai. */
export function shanghaiYmd(date: Date): { year: number; month: number; day: number } {
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of shanghaiDate.formatToParts(date)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
  }
  return { year, month, day };
}

/** Same day `months` months later, clamped to the month's last day, as YYYY-MM-DD. */
export function addMonthsClamped(start: { year: number; month: number; day: number }, months: number): string {
  const index = start.year * 12 + (start.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(start.day, daysInMonth);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** ⌊a / b⌋ and a − b·⌊a / b⌋ for a safe integer a ≥ 0 and b > 0, exactly (the float quotient corrected). */
function divMod(a: number, b: number): [number, number] {
  let q = Math.floor(a / b);
  let r = a - q * b;
  while (r < 0) {
    q--;
    r += b;
  }
  while (r >= b) {
    q++;
    r -= b;
  }
  return [q, r];
}

/** a / b rounded half-up, for a safe integer a ≥ 0 and b > 0, exactly. */
export function divRoundHalfUp(a: number, b: number): number {
  const [q, r] = divMod(a, b);
  return 2 * r >= b ? q + 1 : q;
}

/**
 * A rate as an integer count of 10^-k (0.072 → 72 thousandths) when it has at most 9 decimals,
 * else undefined. x × rate / d is then x × units / (d × scale): a fraction of integers, whose
 * half-up rounding is the same fen decimal.js gives (its 40 digits hold such a product exactly,
 * and a quotient by 12·10^k is either an exact half or at least 1/(12·10^k) away from one).
 */
export function scaledRate(rate: Decimal): { units: number; scale: number } | undefined {
  let scaled = scaledRates.get(rate);
  if (scaled === undefined) scaledRates.set(rate, (scaled = scaledRateOf(rate) ?? null));
  return scaled ?? undefined;
}

/** scaledRate of each Decimal (parsed rates are shared, so this is computed once per rate) */
const scaledRates = new WeakMap<Decimal, { units: number; scale: number } | null>();

function scaledRateOf(rate: Decimal): { units: number; scale: number } | undefined {
  const places = rate.decimalPlaces();
  if (places > 9 || rate.isNegative()) return undefined;
  const scale = 10 ** places;
  const units = rate.times(scale).toNumber();
  return Number.isSafeInteger(units) ? { units, scale } : undefined;
}

/**
 * What the payment of an equal-instalment loan, P·r·g / (g − 1) with r = rate / 12 and
 * g = (1 + r)^n, is worked out from, per rate and term, once:
 * - for a rate of at most 9 decimals (scaledRate: units / scale), the payment as a ratio of
 *   integers. With D = 12·scale and A = D + units, r = units / D and g = A^n / D^n, so the payment
 *   is P·units·A^n / (D·(A^n − D^n)): `numerator` / `denominator` times P, divided exactly in
 *   BigInt and rounded half-up (0.4 µs where decimal.js took 4.3 µs, and exact where its 40
 *   digits could round a payment lying within 10^-25 of a half fen the wrong way);
 * - for any other rate, r, g and g − 1 in decimal.js, as before.
 */
type AnnuityFactors = { exact: { numerator: bigint; denominator: bigint } } | { exact: undefined; r: Decimal; growth: Decimal; growthLess1: Decimal };
let annuityFactors = new WeakMap<Decimal, Map<number, AnnuityFactors>>();
/** entries kept (a few hundred bytes each at the terms and rates products have) before starting afresh */
const MAX_ANNUITY_FACTORS = 20_000;
let annuityFactorCount = 0;

function annuityFactorsOf(rate: Decimal, n: number): AnnuityFactors {
  let byTerm = annuityFactors.get(rate);
  if (!byTerm) annuityFactors.set(rate, (byTerm = new Map()));
  let factors = byTerm.get(n);
  if (!factors) {
    const scaled = scaledRate(rate);
    if (scaled) {
      const d = 12n * BigInt(scaled.scale);
      const units = BigInt(scaled.units);
      const grown = (d + units) ** BigInt(n);
      factors = { exact: { numerator: units * grown, denominator: d * (grown - d ** BigInt(n)) } };
    } else {
      const r = rate.div(12);
      const growth = r.plus(1).pow(n);
      factors = { exact: undefined, r, growth, growthLess1: growth.minus(1) };
    }
    if (++annuityFactorCount > MAX_ANNUITY_FACTORS) {
      annuityFactors = new WeakMap();
      annuityFactorCount = 1;
      annuityFactors.set(rate, (byTerm = new Map()));
    }
    byTerm.set(n, factors);
  }
  return factors;
}

/** The equal instalment P·r·g / (g − 1) in fen, rounded half-up (rate > 0). */
function equalInstalment(principal: number, rate: Decimal, n: number): number {
  const factors = annuityFactorsOf(rate, n);
  if (factors.exact === undefined) return toFen(new Dec(principal).times(factors.r).times(factors.growth).div(factors.growthLess1));
  const { numerator, denominator } = factors.exact;
  // ⌊x / y + 1/2⌋ = ⌊(2x + y) / 2y⌋: half-up for x, y > 0
  return safeFen(Number((2n * BigInt(principal) * numerator + denominator) / (2n * denominator)));
}

/** round(x × rate / divisor) half-up for an integer x ≥ 0: integer arithmetic when exact, else decimal.js. */
export function roundedShare(x: number, rate: Decimal, scaled: { units: number; scale: number } | undefined, divisor: number): number {
  if (scaled) {
    const numerator = x * scaled.units;
    if (Number.isSafeInteger(numerator)) return divRoundHalfUp(numerator, divisor * scaled.scale);
  }
  return toFen(new Dec(x).times(rate).div(divisor));
}

/**
 * The rows of the schedule being worked out: principal and interest of each period (a bullet
 * has one row, due at month n), and the cash flows whose IRR is the all-in APR (t0: the net
 * cash received; then each month's payment, negative). Pricing a result page works out forty
 * schedules: one set of arrays serves every one of them (the work is synchronous and each
 * caller reads them before it returns), instead of an object per month.
 */
const rowPrincipal = new Float64Array(MAX_TERM_MONTHS);
const rowInterest = new Float64Array(MAX_TERM_MONTHS);
const cashFlows = new Float64Array(MAX_TERM_MONTHS + 1);

/** Fills rowPrincipal and rowInterest; returns the number of rows (n, or 1 for a bullet). */
function principalAndInterest(principal: number, rate: Decimal, n: number, method: RepaymentMethod): number {
  const scaled = scaledRate(rate);
  /** round(balance × annualRate / 12): the product first, so an exact half-fen stays exact. */
  const monthlyInterest = (balance: number): number => roundedShare(balance, rate, scaled, 12);

  switch (method) {
    case 'equal_installment': {
      const payment = rate.isZero() ? toFen(new Dec(principal).div(n)) : equalInstalment(principal, rate, n);
      let balance = principal;
      for (let k = 1; k <= n; k++) {
        const interest = monthlyInterest(balance);
        // the payment always covers the interest (A ≥ round(P·r) ≥ round(balance·r)); the clamp only
        // matters for a few fen spread over many months, where a rounded-up payment would overshoot
        const part = k === n ? balance : Math.min(balance, Math.max(0, payment - interest));
        rowPrincipal[k - 1] = part;
        rowInterest[k - 1] = interest;
        balance -= part;
      }
      return n;
    }
    case 'equal_principal': {
      const part = divMod(principal, n)[0];
      let balance = principal;
      for (let k = 1; k <= n; k++) {
        const paid = k === n ? balance : part;
        rowPrincipal[k - 1] = paid;
        rowInterest[k - 1] = monthlyInterest(balance);
        balance -= paid;
      }
      return n;
    }
    case 'interest_first': {
      const interest = monthlyInterest(principal);
      for (let k = 1; k <= n; k++) {
        rowPrincipal[k - 1] = k === n ? principal : 0;
        rowInterest[k - 1] = interest;
      }
      return n;
    }
    case 'bullet':
      rowPrincipal[0] = principal;
      rowInterest[0] = roundedShare(principal * n, rate, scaled, 12);
      return 1;
  }
}

/** A schedule without its dates: how many rows (in rowPrincipal and rowInterest), the fee of each instalment, the totals and the all-in APR. */
interface Amortised {
  rows: number;
  /** the fee of each instalment (a bullet's one instalment carries every month's fee) */
  feeFen: number;
  totalInterestFen: number;
  totalFeesFen: number;
  totalPaymentFen: number;
  netReceivedFen: number;
  apr: number;
}

/** Works the schedule out into rowPrincipal and rowInterest (read them before the next schedule), with its totals and APR. */
function amortise(terms: LoanTerms): Amortised {
  const errors = validateTerms(terms);
  if (Object.keys(errors).length > 0) throw new InvalidLoanTermsError(errors);

  const principal = terms.principalFen;
  const n = terms.termMonths;
  const rate = parseRate(terms.annualRate) as Decimal;
  const upfront = terms.fees?.upfrontFen ?? 0;
  const monthlyFee = terms.fees?.monthlyFeeFen ?? 0;

  const rows = principalAndInterest(principal, rate, n, terms.method);
  const bullet = terms.method === 'bullet';
  const fee = bullet ? monthlyFee * n : monthlyFee;
  const netReceived = principal - upfront;
  let balance = principal;
  let totalInterest = 0;
  cashFlows[0] = netReceived;
  if (bullet) cashFlows.fill(0, 1, n); // nothing is due before month n
  for (let i = 0; i < rows; i++) {
    balance -= rowPrincipal[i]!;
    totalInterest += rowInterest[i]!;
    cashFlows[bullet ? n : i + 1] = -(rowPrincipal[i]! + rowInterest[i]! + fee);
  }
  if (balance !== 0) throw new Error(`schedule does not amortise: ${balance} fen left`); // unreachable

  const totalFees = upfront + fee * rows;
  const totalPayment = principal + totalInterest + totalFees;
  for (const value of [totalInterest, totalFees, totalPayment]) {
    if (!Number.isSafeInteger(value)) throw new RangeError('schedule totals exceed the safe integer range');
  }
  return { rows, feeFen: fee, totalInterestFen: totalInterest, totalFeesFen: totalFees, totalPaymentFen: totalPayment, netReceivedFen: netReceived, apr: solveIrr(cashFlows, n + 1) * 12 };
}

/** The full schedule with totals and the all-in APR. Throws InvalidLoanTermsError (a RangeError) on invalid terms. */
export function buildSchedule(terms: LoanTerms): Schedule {
  const a = amortise(terms);
  const n = terms.termMonths;
  const bullet = terms.method === 'bullet';
  const start = shanghaiYmd(terms.startDate ?? new Date());
  const instalments: Instalment[] = [];
  let balance = terms.principalFen;
  for (let i = 0; i < a.rows; i++) {
    const period = i + 1;
    const principalFen = rowPrincipal[i]!;
    const interestFen = rowInterest[i]!;
    balance -= principalFen;
    instalments.push({
      period,
      dueDate: addMonthsClamped(start, bullet ? n : period),
      paymentFen: principalFen + interestFen + a.feeFen,
      principalFen,
      interestFen,
      feeFen: a.feeFen,
      balanceFen: balance,
    });
  }
  return {
    instalments,
    totalPrincipalFen: terms.principalFen,
    totalInterestFen: a.totalInterestFen,
    totalFeesFen: a.totalFeesFen,
    totalPaymentFen: a.totalPaymentFen,
    netReceivedFen: a.netReceivedFen,
    apr: a.apr,
  };
}

/** What a schedule's first and last instalments, totals and APR come to, as buildSchedule gives them, without building the dated instalments. */
export interface ScheduleFigures {
  firstPaymentFen: number;
  lastPaymentFen: number;
  totalInterestFen: number;
  totalFeesFen: number;
  apr: number;
}

export function scheduleFigures(terms: LoanTerms): ScheduleFigures {
  const a = amortise(terms);
  const payment = (i: number) => rowPrincipal[i]! + rowInterest[i]! + a.feeFen;
  return {
    firstPaymentFen: payment(0),
    lastPaymentFen: payment(a.rows - 1),
    totalInterestFen: a.totalInterestFen,
    totalFeesFen: a.totalFeesFen,
    apr: a.apr,
  };
}
