import { calculatorQuery } from '../server/http/api/schemas';
import { formatWan } from '../server/lib/money';
import { pricingInput, type ProductView } from '../server/modules/catalogue';
import { formatYuanRange, methodFor, methodLabels, priceRange, priceRangeText } from '../server/modules/pricing';
import { costShares, scheduleChart } from './charts';

/** My price for one product at a need: the range from its lowest to its highest nominal rate (pricing's priceRange), with both schedules. */
export function priceFor(p: ProductView, amountFen: number, termMonths: number, method?: string) {
  const input = pricingInput(p);
  const m = methodFor(input, method);
  return { ...priceRange(input, { amountFen, termMonths, method: m }), methodName: methodLabels[m] };
}

/**
 * What the product page shows for one product and the calculator's query (amount, term,
 * method): used by the consumer page and by every preview of it, so they cannot drift apart.
 */
export function productPageContext(product: ProductView, query: Record<string, unknown>) {
  const amountParsed = calculatorQuery.shape.principal.safeParse(query.amount ?? String(Math.max(product.minAmountFen / 100, Math.min(50000, product.maxAmountFen / 100))));
  const errors: Record<string, string> = {};
  let amountFen = amountParsed.success ? amountParsed.data : product.minAmountFen;
  if (!amountParsed.success) errors.amount = '请输入正确的金额';
  if (amountFen < product.minAmountFen || amountFen > product.maxAmountFen) {
    errors.amount = `金额需在 ${formatWan(product.minAmountFen)}–${formatWan(product.maxAmountFen)} 之间`;
    amountFen = Math.min(Math.max(amountFen, product.minAmountFen), product.maxAmountFen);
  }
  const wantTerm = Number(query.termMonths);
  const termMonths = product.termOptions.includes(wantTerm) ? wantTerm : product.termOptions.includes(12) ? 12 : product.termOptions[0]!;
  const price = priceFor(product, amountFen, termMonths, typeof query.method === 'string' ? query.method : undefined);
  return {
    product,
    calc: {
      amount: amountFen / 100,
      termMonths,
      method: price.method,
      methods: product.repaymentMethods.map((m) => ({ value: m, label: methodLabels[m as keyof typeof methodLabels], selected: m === price.method })),
      terms: product.termOptions.map((t) => ({ value: t, selected: t === termMonths })),
      best: price.best,
      worst: price.worst,
      /** my price: 月供, 总利息 + 费用 and 综合年化 from the lowest to the highest rate, one figure when they agree */
      range: {
        ...priceRangeText(price),
        interest: formatYuanRange(price.best.totalInterestFen, price.worst.totalInterestFen),
        fees: formatYuanRange(price.best.totalFeesFen, price.worst.totalFeesFen),
        totalPayment: formatYuanRange(price.best.totalPaymentFen, price.worst.totalPaymentFen),
      },
      chart: scheduleChart(price.best),
      shares: costShares(price.best),
      errors,
    },
  };
}
