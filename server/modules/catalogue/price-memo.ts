import { LRUCache } from 'lru-cache';
import { methodFor, priceFiguresIfOffered, type PriceFigures, type ProductPricingInput } from '../pricing';
import { pricingInput, type ProductView } from './product-view';

/** entries kept (one price range per product version, amount, term and method: about 200 bytes each) */
const MAX_ENTRIES = 50_000;

/**
 * "My price" of listed products, memoised. Pricing one product builds its repayment schedules at
 * both ends of its rate range (figures only: no dated instalments) and solves their APRs; result pages and
 * the cost sort ask the same few amounts and terms of the same products again and again. Entries
 * are keyed by the view object (a new one for every product version, so a changed product is
 * priced afresh) and bounded in number.
 */
export class PriceMemo {
  /** each view's serial (the key's first part) and pricing input, made once per product version */
  private readonly inputs = new WeakMap<ProductView, { serial: number; input: ProductPricingInput }>();
  private nextSerial = 0;
  private readonly ranges = new LRUCache<string, { range: PriceFigures | undefined }>({ max: MAX_ENTRIES });

  /** as priceRangeIfOffered without the schedules (priceFiguresIfOffered), with the method chosen as methodFor does (the one asked for if offered, else the product's first) */
  priceOf(view: ProductView, amountFen: number, termMonths: number, wantedMethod?: string): PriceFigures | undefined {
    let kept = this.inputs.get(view);
    if (kept === undefined) this.inputs.set(view, (kept = { serial: this.nextSerial++, input: pricingInput(view) }));
    const { serial, input } = kept;
    const method = methodFor(input, wantedMethod);
    const key = `${serial}:${amountFen}:${termMonths}:${method}`;
    let entry = this.ranges.get(key);
    if (!entry) this.ranges.set(key, (entry = { range: priceFiguresIfOffered(input, { amountFen, termMonths, method }) }));
    return entry.range;
  }
}
