import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  buildSchedule,
  validateTerms,
  irr,
  allInApr,
  methodLabels,
  productFees,
  productSchedule,
  productAprRange,
  InvalidLoanTermsError,
  APR_LABEL_THRESHOLD,
  APR_LISTING_CAP,
} from './index';
import type { LoanTerms, RepaymentMethod, Schedule, ProductPricingInput } from './index';
import { quickApr } from './product-pricing';

// ---------------------------------------------------------------------------------------------
// Independent reference helpers: plain floats / integers, written without the module's code.
// ---------------------------------------------------------------------------------------------

/** Excel PMT for a positive loan: P·r / (1 − (1+r)^−n). */
function pmt(rate: number, n: number, principal: number): number {
  return (principal * rate) / (1 - Math.pow(1 + rate, -n));
}

/** Monthly IRR by plain bisection on [lo, hi] (NPV decreasing in r for a loan seen from the borrower). */
function bisectIrr(flows: number[], lo = -0.5, hi = 1): number {
  const npv = (r: number) => flows.reduce((acc, c, t) => acc + c / Math.pow(1 + r, t), 0);
  let fLo = npv(lo);
  for (let i = 0; i < 300; i++) {
    const mid = (lo + hi) / 2;
    const fMid = npv(mid);
    if (Math.sign(fMid) === Math.sign(fLo)) {
      lo = mid;
      fLo = fMid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}

const START = new Date('2026-01-31T00:00:00+08:00');
const yuan = (y: number) => Math.round(y * 100);

function terms(partial: Partial<LoanTerms> & Pick<LoanTerms, 'method'>): LoanTerms {
  return { principalFen: yuan(100_000), annualRate: '0.12', termMonths: 12, startDate: START, ...partial };
}

function flowsOf(s: Schedule, n: number, bullet: boolean): number[] {
  const pays = bullet ? [...Array<number>(n - 1).fill(0), s.instalments[0]!.paymentFen] : s.instalments.map((x) => x.paymentFen);
  return [s.netReceivedFen, ...pays.map((p) => -p)];
}

// ---------------------------------------------------------------------------------------------

describe('equal_installment (等额本息)', () => {
  const s = buildSchedule(terms({ method: 'equal_installment' }));

  it('pays 8884.88 a month for periods 1–11 (Excel PMT), the last absorbing rounding', () => {
    const A = pmt(0.01, 12, 100_000); // 8884.8788...
    expect(Math.abs(yuan(A) - 888_488)).toBeLessThanOrEqual(1);
    expect(s.instalments).toHaveLength(12);
    for (const x of s.instalments.slice(0, 11)) expect(x.paymentFen).toBe(888_488);

    // independent amortisation in integer fen: interest = round(balance × 1%)
    let balance = 10_000_000;
    let interestSum = 0;
    for (let k = 1; k <= 12; k++) {
      const interest = Math.round(balance / 100);
      const principal = k === 12 ? balance : 888_488 - interest;
      const row = s.instalments[k - 1]!;
      expect(row).toMatchObject({ period: k, interestFen: interest, principalFen: principal, feeFen: 0, paymentFen: principal + interest });
      balance -= principal;
      expect(row.balanceFen).toBe(balance);
      interestSum += interest;
    }
    expect(balance).toBe(0);
    expect(s.instalments[11]!.paymentFen).toBe(888_485);
    expect(s.totalInterestFen).toBe(interestSum);
  });

  it('total interest is 6618.55 ± 0.02 and agrees with the float PMT figure within a fen or two', () => {
    expect(Math.abs(s.totalInterestFen - 661_855)).toBeLessThanOrEqual(2);
    const floatTotalInterest = pmt(0.01, 12, 100_000) * 12 - 100_000; // 6618.5459...
    expect(Math.abs(s.totalInterestFen - yuan(floatTotalInterest))).toBeLessThanOrEqual(2);
    expect(s.totalPrincipalFen).toBe(10_000_000);
    expect(s.totalFeesFen).toBe(0);
    expect(s.netReceivedFen).toBe(10_000_000);
    expect(s.totalPaymentFen).toBe(10_000_000 + s.totalInterestFen);
    expect(s.totalPaymentFen).toBe(s.instalments.reduce((a, x) => a + x.paymentFen, 0));
  });

  it('APR is the IRR of the actual fen cash flows, which is the nominal 12% up to fen rounding', () => {
    const independent = bisectIrr(flowsOf(s, 12, false)) * 12;
    expect(Math.abs(s.apr - independent)).toBeLessThan(1e-12);
    // The cash flows are rounded to the fen (interest rounded each month), so their IRR is
    // 0.11999974 — 2.6e-7 below 12%, not within 1e-9. With unrounded flows it is exactly 12%:
    expect(Math.abs(s.apr - 0.12)).toBeLessThan(1e-6);
    const exact = pmt(0.01, 12, 1e7);
    expect(Math.abs(irr([1e7, ...Array<number>(12).fill(-exact)]) * 12 - 0.12)).toBeLessThan(1e-12);
  });

  it('zero rate splits the principal evenly', () => {
    const z = buildSchedule({ principalFen: 1_000_001, annualRate: 0, termMonths: 3, method: 'equal_installment', startDate: START });
    expect(z.instalments.map((x) => x.principalFen)).toEqual([333_334, 333_334, 333_333]);
    expect(z.totalInterestFen).toBe(0);
    expect(z.apr).toBe(0);
  });

  it('a rounded-up payment never overshoots the balance (4 fen over 6 months)', () => {
    const tiny = buildSchedule({ principalFen: 4, annualRate: 0, termMonths: 6, method: 'equal_installment', startDate: START });
    expect(tiny.instalments.map((x) => x.principalFen)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(tiny.instalments.map((x) => x.balanceFen)).toEqual([3, 2, 1, 0, 0, 0]);
  });
});

describe('equal_principal (等额本金)', () => {
  it('120000 at 12% for 12: 10000 principal a month, 1200.00 first interest, 7800.00 total', () => {
    const s = buildSchedule(terms({ method: 'equal_principal', principalFen: yuan(120_000) }));
    expect(s.instalments.map((x) => x.principalFen)).toEqual(Array(12).fill(1_000_000));
    expect(s.instalments[0]!.interestFen).toBe(120_000);
    // Σ 12,000,000·1%·(12 − k + 1)/12 for k = 1..12 = 120,000 · 78 / 12
    expect(s.totalInterestFen).toBe(780_000);
    expect(s.instalments.map((x) => x.interestFen)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((m) => m * 10_000));
    expect(Math.abs(s.apr - 0.12)).toBeLessThan(1e-12); // every interest is a whole fen: no rounding at all
  });

  it('the last period absorbs the remainder of floor(P/n)', () => {
    const s = buildSchedule(terms({ method: 'equal_principal', principalFen: 1_000, termMonths: 7 }));
    expect(s.instalments.map((x) => x.principalFen)).toEqual([142, 142, 142, 142, 142, 142, 148]);
  });
});

describe('interest_first (先息后本)', () => {
  it('100000 at 12%/12m: 11 payments of 1000.00, the last 101000.00, APR 12%', () => {
    const s = buildSchedule(terms({ method: 'interest_first' }));
    expect(s.instalments.slice(0, 11).map((x) => x.paymentFen)).toEqual(Array(11).fill(100_000));
    expect(s.instalments.slice(0, 11).every((x) => x.principalFen === 0 && x.balanceFen === 10_000_000)).toBe(true);
    expect(s.instalments[11]).toMatchObject({ paymentFen: 10_100_000, principalFen: 10_000_000, balanceFen: 0 });
    expect(s.totalInterestFen).toBe(1_200_000);
    expect(Math.abs(s.apr - 0.12)).toBeLessThan(1e-12);
  });
});

describe('bullet (一次性还本付息)', () => {
  it('10000 at 12% for 3 months: one payment of 10300.00; APR = ((10300/10000)^(1/3) − 1)·12', () => {
    const s = buildSchedule(terms({ method: 'bullet', principalFen: yuan(10_000), termMonths: 3 }));
    expect(s.instalments).toEqual([{ period: 1, dueDate: '2026-04-30', paymentFen: 1_030_000, principalFen: 1_000_000, interestFen: 30_000, feeFen: 0, balanceFen: 0 }]);
    expect(Math.abs(s.apr - (Math.pow(10_300 / 10_000, 1 / 3) - 1) * 12)).toBeLessThan(1e-12);
    expect(s.apr).toBeLessThan(0.12);
  });

  it('monthly fees accrue to the single payment', () => {
    const s = buildSchedule(terms({ method: 'bullet', principalFen: 1_000_000, termMonths: 3, fees: { monthlyFeeFen: 500 } }));
    expect(s.instalments[0]).toMatchObject({ feeFen: 1_500, paymentFen: 1_031_500 });
    expect(s.totalFeesFen).toBe(1_500);
    expect(Math.abs(s.apr - (Math.pow(1_031_500 / 1_000_000, 1 / 3) - 1) * 12)).toBeLessThan(1e-12);
  });
});

describe('fees', () => {
  it('2% upfront fee deducted: APR ≈ 15.85% (independent bisection: 0.158545)', () => {
    const s = buildSchedule(terms({ method: 'equal_installment', fees: { upfrontFen: 200_000 } }));
    expect(s.netReceivedFen).toBe(9_800_000);
    expect(s.totalFeesFen).toBe(200_000);
    expect(s.totalPaymentFen).toBe(10_000_000 + s.totalInterestFen + 200_000);
    const independent = bisectIrr(flowsOf(s, 12, false)) * 12;
    expect(Math.abs(s.apr - independent)).toBeLessThan(1e-12);
    expect(s.apr).toBeCloseTo(0.158545, 6);
    // 'paid' separately changes nothing about the borrower's net cash, so nothing about the APR
    const paid = buildSchedule(terms({ method: 'equal_installment', fees: { upfrontFen: 200_000, upfrontMode: 'paid' } }));
    expect(paid.apr).toBe(s.apr);
    expect(paid.totalPaymentFen).toBe(s.totalPaymentFen);
  });

  it('a 0.3% monthly fee is added to every instalment and lifts the APR above nominal', () => {
    const base = buildSchedule(terms({ method: 'equal_installment' }));
    const s = buildSchedule(terms({ method: 'equal_installment', fees: { monthlyFeeFen: 30_000 } }));
    expect(s.instalments.every((x, i) => x.feeFen === 30_000 && x.paymentFen === base.instalments[i]!.paymentFen + 30_000)).toBe(true);
    expect(s.totalFeesFen).toBe(360_000);
    expect(s.apr).toBeGreaterThan(0.12);
    expect(s.apr).toBeGreaterThan(base.apr);
    expect(Math.abs(s.apr - bisectIrr(flowsOf(s, 12, false)) * 12)).toBeLessThan(1e-12);
    // roughly nominal + 0.3%·12 ÷ (average outstanding / principal ≈ 0.54)
    expect(s.apr).toBeGreaterThan(0.18);
    expect(s.apr).toBeLessThan(0.2);
  });
});

describe('due dates (Asia/Shanghai, clamped to month end)', () => {
  it('Jan 31 → Feb 28, Mar 31, Apr 30 …', () => {
    const s = buildSchedule(terms({ method: 'equal_principal', termMonths: 4 }));
    expect(s.instalments.map((x) => x.dueDate)).toEqual(['2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31']);
  });

  it('leap year: Feb 29 2028, and Feb 29 start → Feb 28 the next year', () => {
    const s = buildSchedule(terms({ method: 'equal_principal', termMonths: 2, startDate: new Date('2028-01-31T12:00:00+08:00') }));
    expect(s.instalments.map((x) => x.dueDate)).toEqual(['2028-02-29', '2028-03-31']);
    const leap = buildSchedule(terms({ method: 'equal_principal', termMonths: 12, startDate: new Date('2028-02-29T09:00:00+08:00') }));
    expect(leap.instalments[0]!.dueDate).toBe('2028-03-29');
    expect(leap.instalments[11]!.dueDate).toBe('2029-02-28');
  });

  it('takes the calendar date in Shanghai, not UTC, and rolls over years', () => {
    // 2026-01-30T20:00Z is already Jan 31 04:00 in Shanghai
    const s = buildSchedule(terms({ method: 'interest_first', termMonths: 13, startDate: new Date('2026-01-30T20:00:00Z') }));
    expect(s.instalments[0]!.dueDate).toBe('2026-02-28');
    expect(s.instalments[12]!.dueDate).toBe('2027-02-28');
    expect(s.instalments[11]!.dueDate).toBe('2027-01-31');
  });

  it('defaults to today', () => {
    const s = buildSchedule({ principalFen: 100_000, annualRate: 0.1, termMonths: 2, method: 'equal_installment' });
    expect(s.instalments[0]!.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('rounding to the fen, half up, exactly', () => {
  it('half a fen rounds up, even when the monthly rate is not a terminating decimal', () => {
    // 50 × 12% / 12 = 0.5 fen → 1; 60 × 10% / 12 = 0.5 fen exactly (10%/12 = 0.00833…) → 1
    expect(buildSchedule({ principalFen: 50, annualRate: '0.12', termMonths: 1, method: 'interest_first', startDate: START }).totalInterestFen).toBe(1);
    expect(buildSchedule({ principalFen: 60, annualRate: '0.1', termMonths: 1, method: 'interest_first', startDate: START }).totalInterestFen).toBe(1);
    expect(buildSchedule({ principalFen: 60, annualRate: 0.1, termMonths: 1, method: 'interest_first', startDate: START }).totalInterestFen).toBe(1);
    // bullet simple interest: 1 × 0.5 × 1/12 … and 3 fen × 50% × 4/12 = 0.5 → 1
    expect(buildSchedule({ principalFen: 3, annualRate: '0.5', termMonths: 4, method: 'bullet', startDate: START }).totalInterestFen).toBe(1);
  });

  it('string and number rates give the same schedule', () => {
    const a = buildSchedule(terms({ method: 'equal_installment', annualRate: '0.0725' }));
    const b = buildSchedule(terms({ method: 'equal_installment', annualRate: 0.0725 }));
    expect(a).toEqual(b);
  });

  it('large loans stay exact (1e12 fen over 360 months)', () => {
    const s = buildSchedule({ principalFen: 1e12, annualRate: '1', termMonths: 360, method: 'equal_principal', startDate: START });
    expect(s.instalments.reduce((a, x) => a + x.principalFen, 0)).toBe(1e12);
    expect(Number.isSafeInteger(s.totalPaymentFen)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

const methods: RepaymentMethod[] = ['equal_installment', 'equal_principal', 'interest_first', 'bullet'];
const arbLoan = fc
  .record({
    principalFen: fc.integer({ min: 10_000, max: 1_000_000_000 }), // 100 .. 10,000,000 yuan
    rateMicro: fc.integer({ min: 0, max: 360_000 }), // 0 .. 36%
    asString: fc.boolean(),
    termMonths: fc.integer({ min: 1, max: 60 }),
    method: fc.constantFrom(...methods),
    upfrontPpm: fc.integer({ min: 0, max: 100_000 }), // 0 .. 10% of principal
    monthlyPpm: fc.integer({ min: 0, max: 10_000 }), // 0 .. 1% of principal a month
    upfrontMode: fc.constantFrom('deducted' as const, 'paid' as const),
  })
  .map((x) => ({
    base: {
      principalFen: x.principalFen,
      annualRate: x.asString ? (x.rateMicro / 1e6).toFixed(6) : x.rateMicro / 1e6,
      termMonths: x.termMonths,
      method: x.method,
      startDate: START,
    } satisfies LoanTerms,
    fees: {
      upfrontFen: Math.floor((x.principalFen * x.upfrontPpm) / 1e6),
      monthlyFeeFen: Math.floor((x.principalFen * x.monthlyPpm) / 1e6),
      upfrontMode: x.upfrontMode,
    },
  }));

describe('properties (fast-check)', () => {
  it('schedules amortise exactly, in integer fen, and the totals add up', () => {
    fc.assert(
      fc.property(arbLoan, ({ base, fees }) => {
        const s = buildSchedule({ ...base, fees });
        const n = base.method === 'bullet' ? 1 : base.termMonths;
        expect(s.instalments).toHaveLength(n);
        expect(s.instalments.reduce((a, x) => a + x.principalFen, 0)).toBe(base.principalFen);
        let previous = base.principalFen;
        for (const x of s.instalments) {
          for (const v of [x.paymentFen, x.principalFen, x.interestFen, x.feeFen, x.balanceFen]) {
            expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
          }
          expect(x.balanceFen).toBeLessThanOrEqual(previous);
          expect(x.balanceFen).toBe(previous - x.principalFen);
          expect(x.paymentFen).toBe(x.principalFen + x.interestFen + x.feeFen);
          previous = x.balanceFen;
        }
        expect(previous).toBe(0);
        for (const v of [s.totalPrincipalFen, s.totalInterestFen, s.totalFeesFen, s.totalPaymentFen, s.netReceivedFen]) expect(Number.isSafeInteger(v)).toBe(true);
        expect(s.totalPrincipalFen).toBe(base.principalFen);
        expect(s.totalInterestFen).toBe(s.instalments.reduce((a, x) => a + x.interestFen, 0));
        expect(s.totalFeesFen).toBe(fees.upfrontFen + fees.monthlyFeeFen * base.termMonths);
        expect(s.totalPaymentFen).toBe(s.totalPrincipalFen + s.totalInterestFen + s.totalFeesFen);
        expect(s.totalPaymentFen).toBe(s.instalments.reduce((a, x) => a + x.paymentFen, 0) + fees.upfrontFen);
        expect(s.netReceivedFen).toBe(base.principalFen - fees.upfrontFen);
      }),
      { numRuns: 200 },
    );
  });

  it('APR is finite, ≥ 0, never lower with fees, and matches an independent bisection', () => {
    fc.assert(
      fc.property(arbLoan, ({ base, fees }) => {
        const withFees = buildSchedule({ ...base, fees });
        const without = buildSchedule(base);
        expect(Number.isFinite(withFees.apr)).toBe(true);
        expect(withFees.apr).toBeGreaterThanOrEqual(0);
        expect(without.apr).toBeGreaterThanOrEqual(0);
        expect(withFees.apr).toBeGreaterThanOrEqual(without.apr - 1e-9);
        const reference = bisectIrr(flowsOf(withFees, base.termMonths, base.method === 'bullet'), -0.5, 2) * 12;
        expect(Math.abs(withFees.apr - reference)).toBeLessThan(1e-9);
      }),
      { numRuns: 200 },
    );
  });

  it('without fees the APR is the nominal rate up to the fen rounding of interest (bullet: compounded)', () => {
    fc.assert(
      fc.property(arbLoan, ({ base }) => {
        const s = buildSchedule(base);
        const nominal = Number(base.annualRate);
        const n = base.termMonths;
        if (base.method === 'bullet') {
          const payment = s.instalments[0]!.paymentFen;
          expect(Math.abs(s.apr - (Math.pow(payment / base.principalFen, 1 / n) - 1) * 12)).toBeLessThan(1e-10);
          // compounding the (rounded) simple interest: below nominal unless rounding up by ≤ ½ fen lifted it
          const ceiling = (Math.pow(1 + (nominal * n) / 12 + 0.5 / base.principalFen, 1 / n) - 1) * 12;
          expect(s.apr).toBeLessThanOrEqual(ceiling + 1e-12);
          if (n > 1 && nominal >= 0.01 && base.principalFen >= 1_000_000) expect(s.apr).toBeLessThan(nominal);
          return;
        }
        // Each interest is within ½ fen of balance·r, so the NPV at r is within n/2 fen of 0; divided by
        // the NPV's slope, which is at least Σ k·payment_k·(1+ρ)^−(k+1) ≥ that sum·(1+ρmax)^−(n+1).
        const rho = Math.max(nominal, s.apr) / 12;
        const slope = s.instalments.reduce((a, x) => a + x.period * x.paymentFen, 0) * Math.pow(1 + rho, -(n + 1));
        const bound = (12 * (n / 2)) / slope;
        expect(Math.abs(s.apr - nominal)).toBeLessThanOrEqual(bound * 1.000001 + 1e-12);
        if (base.principalFen >= 1_000_000) expect(Math.abs(s.apr - nominal)).toBeLessThan(1e-5);
      }),
      { numRuns: 200 },
    );
  });

  it('the fast float path used by productAprRange agrees with buildSchedule', () => {
    fc.assert(
      fc.property(arbLoan, ({ base, fees }) => {
        const s = buildSchedule({ ...base, fees });
        const fast = quickApr(base.principalFen, Number(base.annualRate), base.termMonths, base.method, fees.upfrontFen, fees.monthlyFeeFen);
        expect(Math.abs(fast - s.apr)).toBeLessThan(1e-8);
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('irr / allInApr', () => {
  it('throws when the cash flows never change sign', () => {
    expect(() => irr([100, 50, 25])).toThrow(RangeError);
    expect(() => irr([-100, -50])).toThrow(RangeError);
    expect(() => irr([0, 0, 0])).toThrow(RangeError);
    expect(() => irr([100])).toThrow(RangeError);
    expect(() => irr([100, Number.NaN, -50])).toThrow(RangeError);
    expect(() => allInApr(1000, [0, 0])).toThrow(RangeError);
  });

  it('zero rate → 0', () => {
    expect(irr([100, -50, -50])).toBe(0);
    expect(irr([-300, 100, 100, 100])).toBe(0);
    expect(allInApr(1200, [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100])).toBe(0);
  });

  it('known values', () => {
    expect(irr([-1000, 1100])).toBeCloseTo(0.1, 14);
    expect(irr([1000, -1100])).toBeCloseTo(0.1, 14);
    expect(irr([-100, 0, 0, 121])).toBeCloseTo(Math.pow(1.21, 1 / 3) - 1, 14);
    expect(irr([-100, 60, 60])).toBeCloseTo(bisectIrr([100, -60, -60]), 12); // ≈ 13.07%
    expect(irr([100, -50])).toBeCloseTo(-0.5, 14); // negative rates are found too
    expect(irr([1e6, -1e9])).toBeCloseTo(999, 9); // and very large ones
  });

  it('copes with a bad guess and with non-conventional flows', () => {
    expect(irr([-1000, 1100], 50)).toBeCloseTo(0.1, 14);
    expect(irr([-1000, 1100], -0.99)).toBeCloseTo(0.1, 14);
    // −100, +230, −132: roots at 10% and 20%; either one is a correct IRR
    const root = irr([-100, 230, -132]);
    expect([0.1, 0.2].some((r) => Math.abs(root - r) < 1e-12)).toBe(true);
  });

  it('finds absurd but valid rates at the edges of validateTerms', () => {
    // net 1 fen, then ~1e12 fen a month: a monthly IRR around 1e12
    const s = buildSchedule({ principalFen: 1e12, annualRate: 1, termMonths: 360, method: 'equal_installment', fees: { upfrontFen: 1e12 - 1, monthlyFeeFen: 1e12 }, startDate: START });
    expect(Number.isFinite(s.apr) && s.apr > 1e12).toBe(true);
    expect(irr([1, ...Array<number>(359).fill(0), -1e15])).toBeCloseTo(Math.pow(1e15, 1 / 360) - 1, 12);
    expect(irr([-1, ...Array<number>(359).fill(0), 1e-6])).toBeCloseTo(Math.pow(1e-6, 1 / 360) - 1, 12);
  });

  it('allInApr is the monthly IRR × 12', () => {
    const flows = [1000, -300, -400, -400];
    expect(allInApr(1000, [300, 400, 400])).toBeCloseTo(bisectIrr(flows) * 12, 12);
  });
});

describe('validateTerms', () => {
  const valid: LoanTerms = { principalFen: 1_000_000, annualRate: '0.18', termMonths: 12, method: 'equal_installment' };

  it('accepts valid terms', () => {
    expect(validateTerms(valid)).toEqual({});
    expect(validateTerms({ ...valid, annualRate: 0, fees: { upfrontFen: 999_999, monthlyFeeFen: 0, upfrontMode: 'paid' } })).toEqual({});
    expect(validateTerms({ ...valid, principalFen: 1e12, annualRate: 1, termMonths: 360 })).toEqual({});
  });

  it('names each bad field', () => {
    expect(Object.keys(validateTerms({ ...valid, principalFen: 0 }))).toEqual(['principal']);
    expect(Object.keys(validateTerms({ ...valid, principalFen: 1e12 + 1 }))).toEqual(['principal']);
    expect(Object.keys(validateTerms({ ...valid, principalFen: 10.5 }))).toEqual(['principal']);
    expect(Object.keys(validateTerms({ ...valid, termMonths: 0 }))).toEqual(['termMonths']);
    expect(Object.keys(validateTerms({ ...valid, termMonths: 1.5 }))).toEqual(['termMonths']);
    expect(Object.keys(validateTerms({ ...valid, termMonths: 361 }))).toEqual(['termMonths']);
    expect(Object.keys(validateTerms({ ...valid, annualRate: -0.1 }))).toEqual(['annualRate']);
    expect(Object.keys(validateTerms({ ...valid, annualRate: '1.01' }))).toEqual(['annualRate']);
    expect(Object.keys(validateTerms({ ...valid, annualRate: 'abc' }))).toEqual(['annualRate']);
    expect(Object.keys(validateTerms({ ...valid, annualRate: '0x1' }))).toEqual(['annualRate']);
    expect(Object.keys(validateTerms({ ...valid, annualRate: Number.NaN }))).toEqual(['annualRate']);
    expect(Object.keys(validateTerms({ ...valid, method: 'x' as RepaymentMethod }))).toEqual(['method']);
    expect(Object.keys(validateTerms({ ...valid, fees: { upfrontFen: 1_000_000 } }))).toEqual(['upfrontFee']);
    expect(Object.keys(validateTerms({ ...valid, fees: { upfrontFen: -1 } }))).toEqual(['upfrontFee']);
    expect(Object.keys(validateTerms({ ...valid, fees: { monthlyFeeFen: 0.5 } }))).toEqual(['monthlyFee']);
    expect(Object.keys(validateTerms({ ...valid, startDate: new Date('nope') }))).toEqual(['startDate']);
    const all = validateTerms({ principalFen: 0, annualRate: -1, termMonths: 0, method: 'x' as RepaymentMethod, fees: { upfrontFen: -1, monthlyFeeFen: -1 } });
    expect(Object.keys(all).sort()).toEqual(['annualRate', 'method', 'monthlyFee', 'principal', 'termMonths', 'upfrontFee']);
    for (const reason of Object.values(all)) expect(reason).toMatch(/[\u4e00-\u9fff]/);
  });

  it('buildSchedule throws a RangeError carrying the field errors', () => {
    expect(() => buildSchedule({ ...valid, termMonths: 0 })).toThrow(RangeError);
    try {
      buildSchedule({ ...valid, fees: { upfrontFen: 1_000_000 } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidLoanTermsError);
      expect((e as InvalidLoanTermsError).fields).toHaveProperty('upfrontFee');
    }
  });

  it('labels every method', () => {
    expect(methodLabels).toEqual({ equal_installment: '等额本息', equal_principal: '等额本金', interest_first: '先息后本', bullet: '一次性还本付息' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('product pricing', () => {
  const product: ProductPricingInput = {
    minAmountFen: yuan(1_000),
    maxAmountFen: yuan(200_000),
    termOptions: [3, 6, 12, 24, 36],
    repaymentMethods: ['equal_installment', 'equal_principal', 'interest_first', 'bullet'],
    rateMin: '0.072000',
    rateMax: '0.180000',
    upfrontFeeRate: '0.01',
    monthlyFeeRate: '0.001',
    guaranteeFeeRate: '0.0005',
    insuranceFeeRate: '0.00025',
  };
  const noFees: ProductPricingInput = { ...product, repaymentMethods: ['equal_installment'], upfrontFeeRate: '0', monthlyFeeRate: '0', guaranteeFeeRate: undefined, insuranceFeeRate: undefined };

  it('productFees rounds principal × rate half up to the fen and sums the monthly components', () => {
    expect(productFees(product, 1_234_567)).toEqual({ upfrontFen: 12_346, upfrontMode: 'deducted', monthlyFeeFen: 2_160 }); // 12345.67 → 12346; 1234567 × 0.00175 = 2160.49 → 2160
    expect(productFees({ ...product, monthlyFeeRate: '0.001', guaranteeFeeRate: undefined, insuranceFeeRate: undefined }, 500)).toEqual({ upfrontFen: 5, upfrontMode: 'deducted', monthlyFeeFen: 1 }); // 0.5 → 1
    expect(productFees({ ...product, upfrontFeeMode: 'paid' }, 100).upfrontMode).toBe('paid');
    expect(() => productFees({ ...product, monthlyFeeRate: '-0.01' }, 100)).toThrow(RangeError);
  });

  it('productFees reads an input’s fee rates again once they changed (they are kept per input object)', () => {
    const input = { ...product };
    expect(productFees(input, 1_000_000).upfrontFen).toBe(10_000);
    input.upfrontFeeRate = '0.02';
    input.guaranteeFeeRate = '0.001';
    expect(productFees(input, 1_000_000)).toEqual({ upfrontFen: 20_000, upfrontMode: 'deducted', monthlyFeeFen: productFees({ ...input }, 1_000_000).monthlyFeeFen });
    expect(productFees(input, 1_000_000).monthlyFeeFen!).toBeGreaterThan(productFees(product, 1_000_000).monthlyFeeFen!);
  });

  it('productSchedule uses rateMin by default and applies the product fees', () => {
    const s = productSchedule(product, { principalFen: yuan(10_000), termMonths: 12, method: 'equal_principal', startDate: START });
    expect(s.instalments[0]!.interestFen).toBe(6_000); // 1,000,000 × 7.2% / 12
    expect(s.instalments[0]!.feeFen).toBe(1_750);
    expect(s.netReceivedFen).toBe(990_000);
    const high = productSchedule(product, { principalFen: yuan(10_000), termMonths: 12, method: 'equal_principal', annualRate: '0.18', startDate: START });
    expect(high.apr).toBeGreaterThan(s.apr);
    expect(() => productSchedule(product, { principalFen: yuan(10_000), termMonths: 9, method: 'bullet' })).toThrow(RangeError);
    expect(() => productSchedule(product, { principalFen: yuan(500), termMonths: 12, method: 'bullet' })).toThrow(RangeError);
    expect(() => productSchedule(product, { principalFen: yuan(10_000), termMonths: 12, method: 'bullet', annualRate: 0.2 })).toThrow(RangeError);
  });

  it('productAprRange: min ≤ max; nominal bounds without fees; higher with fees', () => {
    const plain = productAprRange(noFees);
    // equal_installment without fees: the nominal rate, up to the fen rounding of interest, which
    // at 1000 yuan over 36 months moves the APR by ~2e-5 (see the bound in the property test)
    expect(Math.abs(plain.min - 0.072)).toBeLessThan(1e-4);
    expect(Math.abs(plain.max - 0.18)).toBeLessThan(1e-4);
    const big = productAprRange({ ...noFees, minAmountFen: yuan(100_000), maxAmountFen: yuan(100_000) });
    expect(Math.abs(big.min - 0.072)).toBeLessThan(1e-6);
    expect(Math.abs(big.max - 0.18)).toBeLessThan(1e-6);

    const range = productAprRange(product);
    expect(range.min).toBeLessThanOrEqual(range.max);
    expect(range.min).toBeGreaterThan(plain.min);
    expect(range.max).toBeGreaterThan(plain.max);

    // it is exactly the extreme of the grid, each point checked with the exact (Decimal) schedule
    const aprs: number[] = [];
    for (const principalFen of [product.minAmountFen, product.maxAmountFen])
      for (const termMonths of product.termOptions)
        for (const method of product.repaymentMethods)
          for (const annualRate of [product.rateMin, product.rateMax]) aprs.push(productSchedule(product, { principalFen, termMonths, method, annualRate, startDate: START }).apr);
    expect(Math.abs(range.min - Math.min(...aprs))).toBeLessThan(1e-8);
    expect(Math.abs(range.max - Math.max(...aprs))).toBeLessThan(1e-8);
  });

  it('flags products against the 24% label threshold and the 36% listing cap', () => {
    expect(APR_LABEL_THRESHOLD).toBe(0.24);
    expect(APR_LISTING_CAP).toBe(0.36);
    const pricey = productAprRange({ ...noFees, rateMax: '0.24', monthlyFeeRate: '0.01' });
    expect(pricey.max).toBeGreaterThan(APR_LISTING_CAP);
    expect(productAprRange(noFees).max).toBeLessThan(APR_LABEL_THRESHOLD);
  });

  it('rejects products it cannot price', () => {
    expect(() => productAprRange({ ...product, termOptions: [] })).toThrow(RangeError);
    expect(() => productAprRange({ ...product, minAmountFen: 10, maxAmountFen: 5 })).toThrow(RangeError);
    expect(() => productAprRange({ ...product, rateMin: '0.3', rateMax: '0.2' })).toThrow(RangeError);
    expect(() => productAprRange({ ...product, termOptions: [0] })).toThrow(RangeError);
  });
});
