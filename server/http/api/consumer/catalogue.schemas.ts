import { z } from 'zod';
import { catalogueSorts, repaymentMethods } from '../../../modules/catalogue';
import { booleanFlag, intFrom, manyOf, yuanAmount } from '../../validate';
import { profileBody } from './account.schemas';
import { purposes } from './applications.schemas';
import { productListResponse, productResponse } from '../responses';
import { oddsResponse } from './odds.schemas';

/** The catalogue's queries: product search, the calculator, recommendations, comparison. */

export const productListQuery = z.strictObject({
  q: z.string().trim().max(50, '关键词最多 50 个字').optional(),
  amount: yuanAmount('借款金额').optional(),
  termMonths: intFrom('期限', 1, 360).optional(),
  aprMax: z.coerce
    .number({ error: '最高年化须为小数，如 0.18' })
    .min(0, '最高年化不能为负')
    .max(1, '最高年化须为小数（0.18 表示 18%）')
    .optional(),
  category: manyOf('类别').optional(),
  institution: manyOf('机构').optional(),
  repayment: manyOf('还款方式', repaymentMethods).optional(),
  eligible: booleanFlag.optional(),
  /** search the words as typed: no dictionary, no amount or term read from them */
  literal: booleanFlag.optional(),
  sort: z.enum(catalogueSorts, { error: '排序方式为 ranked、relevance、apr、amount、speed、popularity 或 cost' }).optional(),
  page: intFrom('页码', 1, 1000).default(1),
  pageSize: intFrom('每页数量', 1, 100).default(20),
});

export const calculatorQuery = z.strictObject({
  principal: yuanAmount('借款金额'),
  annualRate: z.coerce
    .number({ error: '年利率须为小数，如 0.12' })
    .min(0, '年利率不能为负')
    .max(1, '年利率须为小数（0.12 表示 12%）'),
  termMonths: intFrom('期限', 1, 360),
  method: z.enum(repaymentMethods, { error: '还款方式为 equal_installment、equal_principal、interest_first 或 bullet' }),
  upfrontFee: z.union([z.literal('0'), z.literal(0), yuanAmount('一次性费用')]).transform(Number).optional(),
  monthlyFee: z.union([z.literal('0'), z.literal(0), yuanAmount('每月费用')]).transform(Number).optional(),
  startDate: z.iso.date({ error: '放款日期格式为 YYYY-MM-DD' }).optional(),
});

export const recommendationQuery = profileBody.extend({
  amount: yuanAmount('借款金额').optional(),
  termMonths: intFrom('期限', 1, 360).optional(),
  purpose: z.enum(purposes, { error: '借款用途无效' }).optional(),
  limit: intFrom('数量', 1, 20).default(6),
});

/** How many products the comparison page shows side by side; more ticked ones are left out with a note. */
export const MAX_COMPARE = 4;

export const compareQuery = z.strictObject({
  ids: manyOf('产品').pipe(z.array(z.string()).min(1, '请至少选择一款产品')),
  amount: yuanAmount('借款金额').optional(),
  termMonths: intFrom('期限', 1, 360).optional(),
});

/**
 * My price for the amount and term asked: the first monthly payment and the interest plus every
 * fee, at the product's lowest and highest nominal rate, with the all-in APR (IRR) of each.
 * Present only when the request gives both `amount` and `termMonths`; the method is the
 * `repayment` asked when exactly one is (list), else the product's first.
 */
export const priceResponse = z
  .object({
    monthlyLow: z.number().describe('first monthly payment at the lowest rate, fees included; yuan, two decimals'),
    monthlyHigh: z.number().describe('first monthly payment at the highest rate; yuan, two decimals'),
    totalCostLow: z.number().describe('interest plus every fee over the loan at the lowest rate; yuan, two decimals'),
    totalCostHigh: z.number().describe('interest plus every fee at the highest rate; yuan, two decimals'),
    aprLow: z.number().describe('all-in APR (IRR, every fee) at the lowest rate, fraction'),
    aprHigh: z.number().describe('all-in APR at the highest rate, fraction'),
  })
  .describe('my price for the amount and term asked');

/** `GET /products`: the list, each item with `price` when amount and term are asked (null when the product does not lend them). */
export const pricedProductListResponse = productListResponse.extend({
  items: z.array(productResponse.extend({ price: priceResponse.nullable().optional(), odds: oddsResponse.optional().describe('下款概率 for the signed-in borrower; absent for anonymous callers') })),
});

/** `GET /recommendations`: products with the reasons in words (listed products: ../responses.ts). */
export const recommendationsResponse = z.object({
  items: z.array(
    z.object({
      product: productResponse,
      reasons: z.array(z.string()),
      apr: z.number().describe('all-in APR (IRR) for the asked amount and term at the lowest rate, fraction (see price for both ends)'),
      monthlyPayment: z.number().nullable().describe('yuan, two decimals; at the lowest rate (see price for both ends)'),
      price: priceResponse.nullable().optional(),
      odds: oddsResponse.optional().describe('下款概率 for the signed-in borrower; absent for anonymous callers'),
    }),
  ),
  leftOut: z
    .object({
      taken: z.number().int().describe('applied for (in progress or within 30 days) or borrowed from; 0 when not logged in'),
      ineligible: z.number().int().describe('whose stated conditions the profile does not meet'),
      outsideNeed: z.number().int().describe('that do not lend the amount or term asked'),
    })
    .describe('listed products left out, each counted once under the first reason that applies'),
});

/** `GET /compare`: the chosen products side by side, each with its price for the amount and term (null when it does not lend them). */
export const compareResponse = z.object({
  amount: z.number().describe('yuan, two decimals'),
  termMonths: z.number().int(),
  items: z.array(
    z.object({ product: productResponse, price: priceResponse.nullable(), odds: oddsResponse.optional().describe('下款概率 for the signed-in borrower at this amount; absent for anonymous callers') }),
  ),
  missing: z.array(z.string()).describe('ids asked for that are not listed'),
});
