import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSchedule, priceFigures, priceRange, type ProductPricingInput, type RepaymentMethod } from './index';
import { productFees } from './product-pricing';
import { Dec, divRoundHalfUp, parseRate, toFen } from './schedule';

const methods: RepaymentMethod[] = ['equal_installment', 'equal_principal', 'interest_first', 'bullet'];
const START = new Date('2026-01-31T04:00:00Z');

/** The interest of each period as decimal.js computes it (the code before integer arithmetic), per method. */
function decimalInterest(principal: number, annualRate: string | number, n: number, method: RepaymentMethod, principalParts: number[]): number[] {
  const rate = parseRate(annualRate)!;
  if (method === 'bullet') return [toFen(new Dec(principal).times(rate).times(n).div(12))];
  let balance = principal;
  return principalParts.map((part) => {
    const interest = toFen(new Dec(balance).times(rate).div(12));
    balance -= part;
    return interest;
  });
}

/** rates as products carry them (up to 6 decimals), with more decimals than integer arithmetic takes, and as numbers */
const arbRate = fc.oneof(
  fc.integer({ min: 0, max: 360_000 }).map((micro) => (micro / 1e6).toFixed(6)),
  fc.integer({ min: 0, max: 36_000 }).map((x) => (x / 1e5).toString()),
  fc.bigInt({ min: 0n, max: 360_000_000_000_000n }).map((x) => `0.${x.toString().padStart(15, '0')}`),
  fc.integer({ min: 0, max: 360_000 }).map((micro) => micro / 1e6),
);

describe('integer fen arithmetic gives what decimal.js gives', () => {
  it('divRoundHalfUp is a / b rounded half-up, exactly, up to the largest safe integer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: 2 ** 40 }), (a, b) => {
        const q = BigInt(a) / BigInt(b);
        const r = BigInt(a) % BigInt(b);
        expect(divRoundHalfUp(a, b)).toBe(Number(2n * r >= BigInt(b) ? q + 1n : q));
      }),
      { numRuns: 2000 },
    );
    expect(divRoundHalfUp(5, 10)).toBe(1);
    expect(divRoundHalfUp(14, 10)).toBe(1);
    expect(divRoundHalfUp(15, 10)).toBe(2);
  });

  it('every period of a schedule carries the interest decimal.js computes, halves of a fen included', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 1_000_000_000 }), fc.integer({ min: 1, max: 1_000_000_000_000 })),
        arbRate,
        fc.integer({ min: 1, max: 360 }),
        fc.constantFrom(...methods),
        (principalFen, annualRate, termMonths, method) => {
          const s = buildSchedule({ principalFen, annualRate, termMonths, method, startDate: START });
          const parts = s.instalments.map((x) => x.principalFen);
          expect(s.instalments.map((x) => x.interestFen)).toEqual(decimalInterest(principalFen, annualRate, termMonths, method, parts));
          if (method === 'equal_principal') expect(parts[0]).toBe(new Dec(principalFen).divToInt(termMonths).toNumber());
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the equal instalment is P·r·g/(g − 1) rounded half-up, the fen decimal.js gives, at every term up to 360 months', () => {
    /** the payment as decimal.js computes it (the code before the BigInt ratio) */
    const decimalInstalment = (principalFen: number, annualRate: string | number, n: number) => {
      const r = parseRate(annualRate)!.div(12);
      const growth = r.plus(1).pow(n);
      return toFen(new Dec(principalFen).times(r).times(growth).div(growth.minus(1)));
    };
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 1_000_000_000 }), fc.integer({ min: 1, max: 1_000_000_000_000 })),
        arbRate.filter((rate) => Number(rate) > 0),
        fc.integer({ min: 2, max: 360 }),
        (principalFen, annualRate, termMonths) => {
          const s = buildSchedule({ principalFen, annualRate, termMonths, method: 'equal_installment', startDate: START });
          expect(s.instalments[0]!.paymentFen).toBe(decimalInstalment(principalFen, annualRate, termMonths));
        },
      ),
      { numRuns: 1000 },
    );
    // ¥100,000 at 12% over 12 months: ¥8,884.88 a month
    expect(buildSchedule({ principalFen: 10_000_000, annualRate: '0.12', termMonths: 12, method: 'equal_installment', startDate: START }).instalments[0]!.paymentFen).toBe(888_488);
  });

  it('an exact half fen rounds up (12,000 fen at 0.0005 a year: 0.5 fen a month)', () => {
    const s = buildSchedule({ principalFen: 12_000, annualRate: '0.0005', termMonths: 2, method: 'interest_first', startDate: START });
    expect(s.instalments[0]!.interestFen).toBe(1);
  });
});

const arbProduct = fc
  .record({
    minAmountFen: fc.integer({ min: 10_000, max: 5_000_000 }),
    spread: fc.integer({ min: 0, max: 200_000_000 }),
    termOptions: fc.uniqueArray(fc.constantFrom(1, 3, 6, 9, 12, 18, 24, 36, 48, 60, 120, 360), { minLength: 1, maxLength: 5 }),
    repaymentMethods: fc.uniqueArray(fc.constantFrom(...methods), { minLength: 1, maxLength: 4 }),
    rateMinMicro: fc.integer({ min: 0, max: 240_000 }),
    rateSpreadMicro: fc.integer({ min: 0, max: 120_000 }),
    upfrontFeeRate: fc.constantFrom('0', '0.01', '0.015', '0.0333'),
    monthlyFeeRate: fc.constantFrom('0', '0.001', '0.0025'),
    guaranteeFeeRate: fc.constantFrom(undefined, '0', '0.0005'),
    upfrontFeeMode: fc.constantFrom('deducted' as const, 'paid' as const),
  })
  .map(
    (x): ProductPricingInput => ({
      minAmountFen: x.minAmountFen,
      maxAmountFen: x.minAmountFen + x.spread,
      termOptions: x.termOptions,
      repaymentMethods: x.repaymentMethods,
      rateMin: (x.rateMinMicro / 1e6).toFixed(6),
      rateMax: ((x.rateMinMicro + x.rateSpreadMicro) / 1e6).toFixed(6),
      upfrontFeeRate: x.upfrontFeeRate,
      monthlyFeeRate: x.monthlyFeeRate,
      guaranteeFeeRate: x.guaranteeFeeRate,
      upfrontFeeMode: x.upfrontFeeMode,
    }),
  );

describe('priceFigures', () => {
  it('gives every figure priceRange gives, without the schedules', () => {
    fc.assert(
      fc.property(arbProduct, fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), fc.nat(), (p, at, ti, mi) => {
        const choice = {
          amountFen: p.minAmountFen + Math.floor(at * (p.maxAmountFen - p.minAmountFen)),
          termMonths: p.termOptions[ti % p.termOptions.length]!,
          method: p.repaymentMethods[mi % p.repaymentMethods.length]!,
        };
        const { best, worst, ...figures } = priceRange(p, choice);
        expect(best.instalments.length).toBeGreaterThan(0);
        expect(worst.instalments.length).toBeGreaterThan(0);
        expect(priceFigures(p, choice)).toEqual(figures);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a choice the product does not offer, as priceRange does', () => {
    const p: ProductPricingInput = { minAmountFen: 100_000, maxAmountFen: 1_000_000, termOptions: [12], repaymentMethods: ['bullet'], rateMin: '0.1', rateMax: '0.2', upfrontFeeRate: '0', monthlyFeeRate: '0' };
    expect(() => priceFigures(p, { amountFen: 50_000, termMonths: 12, method: 'bullet' })).toThrow(RangeError);
    expect(() => priceFigures(p, { amountFen: 500_000, termMonths: 6, method: 'bullet' })).toThrow(/term not offered/);
  });
});

describe('parsed once, priced the same', () => {
  /** a rate as decimal.js reads it afresh (the code before rates were kept parsed) */
  const fresh = (text: string | undefined) => (text === undefined ? new Dec(0) : new Dec(text.trim()));
  const rateText = fc.oneof(
    fc.integer({ min: 0, max: 360_000 }).map((micro) => (micro / 1e6).toFixed(6)),
    fc.integer({ min: 0, max: 36_000 }).map((x) => ` ${x / 1e5} `),
    fc.bigInt({ min: 0n, max: 360_000_000_000_000n }).map((x) => `0.${x.toString().padStart(15, '0')}`),
  );

  it('parseRate gives the value decimal.js reads, the same object again, and null for what is no number', () => {
    fc.assert(
      fc.property(rateText, (text) => {
        const parsed = parseRate(text)!;
        expect(parsed.equals(fresh(text))).toBe(true);
        expect(parseRate(text)).toBe(parsed);
      }),
      { numRuns: 500 },
    );
    expect(parseRate('abc')).toBeNull();
    expect(parseRate('abc')).toBeNull();
    expect(parseRate('')).toBeNull();
  });

  it('productFees are round(principal × rate) as decimal.js computes them, for any order of products', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbProduct, fc.integer({ min: 1, max: 1_000_000_000_000 })), { minLength: 1, maxLength: 20 }), (priced) => {
        for (const [p, principalFen] of priced) {
          const monthly = fresh(p.monthlyFeeRate).plus(fresh(p.guaranteeFeeRate)).plus(fresh(p.insuranceFeeRate));
          expect(productFees(p, principalFen)).toEqual({
            upfrontFen: toFen(new Dec(principalFen).times(fresh(p.upfrontFeeRate))),
            upfrontMode: p.upfrontFeeMode ?? 'deducted',
            monthlyFeeFen: toFen(new Dec(principalFen).times(monthly)),
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('an equal-instalment payment is P·r·g / (g − 1) with g = (1 + r)^n as decimal.js computes it afresh', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 1_000_000_000_000 }), rateText, fc.integer({ min: 2, max: 360 }), (principalFen, annualRate, termMonths) => {
        const rate = fresh(annualRate);
        fc.pre(!rate.isZero() && rate.lte(1));
        const r = rate.div(12);
        const g = r.plus(1).pow(termMonths);
        const payment = toFen(new Dec(principalFen).times(r).times(g).div(g.minus(1)));
        const first = buildSchedule({ principalFen, annualRate, termMonths, method: 'equal_installment', startDate: START }).instalments[0]!;
        expect(first.principalFen + first.interestFen).toBe(payment);
      }),
      { numRuns: 500 },
    );
  });
});
