import { calculatorQuery } from '../server/http/api/schemas';
import { formatWan } from '../server/lib/money';
import { pricingInput, type ProductView } from '../server/modules/catalogue';
import { methodLabels, productSchedule, type RepaymentMethod } from '../server/modules/pricing';
import { costShares, scheduleChart } from './charts';

/** Schedule and summary for one product at a need, at its lowest and highest nominal rate. */
export function priceFor(p: ProductView, amountFen: number, termMonths: number, method?: RepaymentMethod) {
  const m = method && p.repaymentMethods.includes(method) ? method : (p.repaymentMethods[0] as RepaymentMethod);
  const input = pricingInput(p);
  const best = productSchedule(input, { principalFen: amountFen, termMonths, method: m, annualRate: p.rateMin });
  const worst = productSchedule(input, { principalFen: amountFen, termMonths, method: m, annualRate: p.rateMax });
  return { method: m, methodName: methodLabels[m], best, worst };
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
  const price = priceFor(product, amountFen, termMonths, query.method as RepaymentMethod | undefined);
  return {
    product,
    calc: {
      amount: amountFen / 100,
      termMonths,
      method: price.method,
      methods: product.repaymentMethods.map((m) => ({ value: m, label: methodLabels[m as RepaymentMethod], selected: m === price.method })),
      terms: product.termOptions.map((t) => ({ value: t, selected: t === termMonths })),
      best: price.best,
      worst: price.worst,
      chart: scheduleChart(price.best),
      shares: costShares(price.best),
      errors,
    },
  };
}
