import { z } from 'zod';
import type { PrecheckResult } from '../../../modules/applications/precheck';
import { intFrom, manyOf, yuanAmount } from '../../validate';
import { instant } from '../responses';
import { priceResponse } from './catalogue.schemas';
import { oddsResponse } from './odds.schemas';

/** How many products one precheck (and one application) may name. */
export const MAX_PRECHECK = 10;

/** `GET /api/v1/precheck`: the products (comma-separated or repeated), and the amount (yuan) and term asked. */
export const precheckQuery = z.strictObject({
  products: manyOf('产品').pipe(z.array(z.string()).min(1, '请至少选择一款产品').max(MAX_PRECHECK, `一次最多预审 ${MAX_PRECHECK} 款产品`)),
  amount: yuanAmount('借款金额').optional(),
  termMonths: intFrom('期限', 1, 360).optional(),
});

export const precheckResponse = z.object({
  items: z.array(
    z.object({
      productId: z.string(),
      productName: z.string(),
      institutionName: z.string(),
      eligible: z.boolean().describe('the product’s stated rules allow this borrower, and the amount and term (when given) are offered'),
      meetsCriteria: z.boolean().describe('the borrower meets the product’s stated conditions; false only for those (an amount or term not offered leaves it true)'),
      reasons: z.array(z.string()).describe('why not, in words; empty when eligible'),
      duplicateOf: z
        .object({ applicationId: z.string(), createdAt: instant })
        .nullable()
        .describe('an application to this product in the last 30 days (not withdrawn or expired): applying again is refused'),
      price: priceResponse.nullable().describe('my price for the amount and term asked; null when either is not given or the product does not lend them'),
      odds: oddsResponse,
    }),
  ),
  missing: z.array(z.string()).describe('ids asked for that are not listed products (unknown or taken down)'),
});

const yuan = (fen: number) => fen / 100;
const fraction = (x: number) => Math.round(x * 1e6) / 1e6;

export function precheckJson(r: PrecheckResult): z.input<typeof precheckResponse> {
  return {
    items: r.items.map((i) => ({
      productId: i.productId,
      productName: i.productName,
      institutionName: i.institutionName,
      eligible: i.eligible,
      meetsCriteria: i.meetsCriteria,
      reasons: i.reasons,
      duplicateOf: i.duplicateOf ? { applicationId: i.duplicateOf.applicationId, createdAt: i.duplicateOf.createdAt.toISOString() } : null,
      price: i.price
        ? {
            monthlyLow: yuan(i.price.monthlyLow),
            monthlyHigh: yuan(i.price.monthlyHigh),
            totalCostLow: yuan(i.price.totalCostLow),
            totalCostHigh: yuan(i.price.totalCostHigh),
            aprLow: fraction(i.price.aprLow),
            aprHigh: fraction(i.price.aprHigh),
          }
        : null,
      odds: i.odds,
    })),
    missing: r.missing,
  };
}
