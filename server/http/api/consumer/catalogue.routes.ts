import type { Services } from '../../../container';
import { NotFoundError, ValidationError } from '../../../lib/errors';
import { eligibilityProfileOf, type ProductView } from '../../../modules/catalogue';
import { buildSchedule, compareChoice, validateTerms } from '../../../modules/pricing';
import { profileOf, takenProducts, toSearchQuery } from '../../catalogue-query';
import { guard, route, type ApiRoute } from '../route-table';
import { MAX_COMPARE, calculatorQuery, compareQuery, compareResponse, pricedProductListResponse, productListQuery, recommendationQuery, recommendationsResponse } from './catalogue.schemas';
import { productJson, scheduleJson } from '../serializers';
import { productResponse, scheduleResponse } from '../responses';
import { oddsJson } from './odds.schemas';
import { JSON_UTF8, anonymousLists, keptList, sendKeptList, varyByEncoding } from './anonymous-lists';

/** The signed-in borrower's odds for these products (one batch), or undefined for anonymous callers. */
async function oddsFor(services: Services, account: { id: string } | undefined, products: ProductView[], amountFen?: number) {
  return account ? services.odds.forBorrower(account.id, products, { amountFen }) : undefined;
}

/** Each product version's JSON as UTF-8 bytes without its closing brace, made once: a list splices them in without serialising or encoding them again. */
const serialised = new WeakMap<ProductView, Buffer>();
function productJsonOpen(p: ProductView): Buffer {
  let bytes = serialised.get(p);
  if (bytes === undefined) serialised.set(p, (bytes = Buffer.from(JSON.stringify(productJson(p)).slice(0, -1))));
  return bytes;
}
const LIST_START = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from('}');

/** My price in the API's units (yuan with two decimals, APR fractions to 6 places), or null when the product does not lend this amount for this term. */
function priceJson(services: Services, p: ProductView, amountFen: number, termMonths: number, method?: string) {
  const r = services.catalogue.priceOf(p, amountFen, termMonths, method);
  if (!r) return null;
  const apr = (x: number) => Math.round(x * 1e6) / 1e6;
  return { monthlyLow: r.monthlyLow / 100, monthlyHigh: r.monthlyHigh / 100, totalCostLow: r.totalCostLow / 100, totalCostHigh: r.totalCostHigh / 100, aprLow: apr(r.aprLow), aprHigh: apr(r.aprHigh) };
}

/** `GET /products`: also mounted ahead of the stack for anonymous callers (app.ts, `anonymousProductList`). */
export const productListRoute: ApiRoute = route({
  method: 'get',
  path: '/products',
  guard: guard.public,
  summary: 'Search listed products (Chinese-aware), filter, sort and page; facet counts per category, institution and repayment method',
  description:
    'Every item carries its all-in APR range (`apr.min`, `apr.max`, IRR method, every fee included). With `amount` and `termMonths` (given, or read from `q`), every item also carries `price`: the first monthly payment and the total cost (interest plus fees) at the lowest and the highest rate, in the `repayment` method when exactly one is asked, else the product’s first. `sort=cost` orders by the total cost at the highest rate (¥50,000 over 12 months stand in for an amount or term not given). `eligible=true` keeps only products the logged-in consumer qualifies for, from their profile. `q` is read as borrowers write (买车 → 车贷, 借5万 3年 → amount and term filters when `amount`/`termMonths` are not given, 急用钱 and 低息 → an order when `sort` is not given, 免抵押 is not 抵押); `literal=true` searches the words as typed. For a signed-in borrower every item also carries `odds` (下款概率 at the amount asked, else ¥50,000 within the product’s range; GET /api/v1/products/{id}/odds); anonymous callers get no `odds`.',
  query: productListQuery,
  responseDescription: '{ items (each with price when amount and termMonths are given, odds when signed in), total, page, pageSize, facets: { category, institution, repayment } }',
  response: pricedProductListResponse,
  handler: async ({ query: input, principal, services, kit, req, res }) => {
    const who = kit.visitor(req, res);
    // anonymous lists asked more than once are kept (repeats are answered by anonymousProductList before the stack; this serves a caller with a stale session cookie)
    const cacheKey = principal.account ? undefined : req.originalUrl;
    const kept = cacheKey ? keptList(services, cacheKey) : undefined;
    if (kept) return sendKeptList(services, who, kept, req, res);
    const version = services.catalogue.resultsVersion;
    const page = await services.catalogue.searchListed({ ...(await toSearchQuery(services, req, input)), literal: input.literal });
    if (input.q) services.catalogue.recordEvent(who, 'search', { query: input.q, channel: 'api', results: page.total });
    const ids = page.items.map((p) => p.id);
    services.catalogue.recordImpressions(who, ids, input.q ? 'search' : 'list', 'api');
    // items are serialised once per product version and spliced in: the list is the hot path
    const meta = JSON.stringify({ total: page.total, page: page.page, pageSize: page.pageSize, facets: page.facets });
    // an amount and term read from the words (借5万 3年) price the items as if given as parameters
    const amount = input.amount ?? page.understanding?.filters.amountFen;
    const termMonths = input.termMonths ?? page.understanding?.filters.termMonths;
    const method = input.repayment?.length === 1 ? input.repayment[0] : undefined;
    const priced = amount !== undefined && termMonths !== undefined;
    // the signed-in borrower's odds ride on each item (never cached: the anonymous lists are)
    const odds = await oddsFor(services, principal.account, page.items, amount);
    const parts: Buffer[] = [LIST_START];
    page.items.forEach((p, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(productJsonOpen(p));
      const extra = `${priced ? `,"price":${JSON.stringify(priceJson(services, p, amount, termMonths, method))}` : ''}${odds ? `,"odds":${JSON.stringify(oddsJson(odds.get(p.id)!))}` : ''}`;
      if (extra) parts.push(Buffer.from(extra));
      parts.push(CLOSE);
    });
    parts.push(Buffer.from(`],${meta.slice(1)}`));
    const body = Buffer.concat(parts);
    if (cacheKey && !input.eligible) anonymousLists(services).offer(cacheKey, { version, body, ids, q: input.q, total: page.total });
    res.set('Content-Type', JSON_UTF8);
    if (cacheKey) varyByEncoding(res); // a repeat of this URL may be answered compressed
    res.send(body);
  },
});

/** `/api/v1` products, the calculator and recommendations: what the consumer site's catalogue does, for apps. */
export const consumerCatalogueRoutes: ApiRoute[] = [
  productListRoute,
  route({
    method: 'get',
    path: '/products/:id',
    guard: guard.public,
    summary: 'One listed product',
    response: productResponse,
    responseDescription: 'Product',
    handler: ({ params, services, kit, req, res }) => {
      const product = services.catalogue.getListed(params.id);
      services.catalogue.recordEvent(kit.visitor(req, res), 'view', { productId: product.id, channel: 'api' });
      return productJson(product);
    },
  }),
  route({
    method: 'get',
    path: '/calculator',
    guard: guard.public,
    summary: 'Repayment schedule and all-in APR',
    description: 'Money in yuan with two decimals, rates as fractions. Each instalment is rounded to the fen; the last absorbs the remainder.',
    query: calculatorQuery,
    queryError: '计算参数有误',
    response: scheduleResponse,
    responseDescription: '{ schedule: [{ period, dueDate, payment, principal, interest, fee, balance }], totalInterest, totalFees, totalPayment, netReceived, apr }',
    handler: ({ query: q }) => {
      const terms = {
        principalFen: q.principal,
        annualRate: q.annualRate,
        termMonths: q.termMonths,
        method: q.method,
        fees: { upfrontFen: q.upfrontFee ?? 0, monthlyFeeFen: q.monthlyFee ?? 0 },
        startDate: q.startDate ? new Date(`${q.startDate}T00:00:00+08:00`) : undefined,
      };
      const problems = validateTerms(terms);
      if (Object.keys(problems).length) throw new ValidationError('计算参数有误', problems);
      return scheduleJson(buildSchedule(terms));
    },
  }),
  route({
    method: 'get',
    path: '/recommendations',
    guard: guard.public,
    summary: 'Products recommended for a need and profile, each with its reasons in words',
    description:
      'Uses the logged-in consumer’s profile when there is one; profile fields in the query override it. Ineligible products are never recommended, nor (for a logged-in consumer) products with an application in progress or within the 30-day duplicate window, or a loan from them. `leftOut` counts the listed products left out, by the first reason that applies. For a signed-in borrower each item carries `odds` (下款概率).',
    query: recommendationQuery,
    responseDescription: '{ items: [{ product, reasons, apr, monthlyPayment, price (with amount and termMonths), odds (signed in) }], leftOut: { taken, ineligible, outsideNeed } }',
    response: recommendationsResponse,
    handler: async ({ query: q, principal, services, kit, req, res }) => {
      const stored = await profileOf(services, req);
      const given = eligibilityProfileOf({
        age: q.age,
        city: q.city,
        monthlyIncomeFen: q.monthlyIncome,
        employment: q.employment,
        creditSelfAssessment: q.creditSelfAssessment,
      });
      const profile = { ...stored, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
      const request = {
        amountFen: q.amount,
        termMonths: q.termMonths,
        purpose: q.purpose,
        profile,
        visitor: kit.visitor(req, res),
        limit: q.limit,
        taken: await takenProducts(services, req),
      };
      const items = await services.recommendations.recommend(request);
      services.catalogue.recordImpressions(kit.visitor(req, res), items.map((r) => r.product.id), 'recommendations', 'api');
      const odds = await oddsFor(services, principal.account, items.map((r) => r.product), q.amount);
      return {
        items: items.map((r) => ({
          product: productJson(r.product),
          reasons: r.reasons,
          apr: Math.round(r.apr * 1e6) / 1e6,
          monthlyPayment: r.monthlyPaymentFen === undefined ? null : r.monthlyPaymentFen / 100,
          ...(q.amount !== undefined && q.termMonths !== undefined ? { price: priceJson(services, r.product, q.amount, q.termMonths) } : {}),
          ...(odds ? { odds: oddsJson(odds.get(r.product.id)!) } : {}),
        })),
        leftOut: services.recommendations.leftOut(request),
      };
    },
  }),
  route({
    method: 'get',
    path: '/compare',
    guard: guard.public,
    summary: 'Compare up to 4 listed products for one amount and term: each with its price range',
    description:
      'Without `amount` or `termMonths` the comparison uses ¥50,000 (within every product’s limits where possible) and 12 months when all offer it, as the compare page does. `price` is null for a product that does not lend that amount for that term. For a signed-in borrower each item carries `odds` (下款概率 at that amount). Ids not listed are returned in `missing`; none listed is a 404.',
    query: compareQuery,
    queryError: '对比参数有误',
    response: compareResponse,
    responseDescription: '{ amount, termMonths, items: [{ product, price, odds (signed in) }], missing }',
    handler: async ({ query: q, principal, services, kit, req, res }) => {
      const ids = [...new Set(q.ids)];
      if (ids.length > MAX_COMPARE) throw new ValidationError(`最多可同时对比 ${MAX_COMPARE} 款产品`, { ids: `最多选择 ${MAX_COMPARE} 款` });
      const listed = ids.map((id) => {
        try {
          return services.catalogue.getListed(id);
        } catch {
          return undefined;
        }
      });
      const products = listed.filter((p): p is ProductView => p !== undefined);
      if (products.length === 0) throw new NotFoundError('产品');
      const { amountFen, termMonths } = compareChoice(products, { amountFen: q.amount, termMonths: q.termMonths });
      services.catalogue.recordEvent(kit.visitor(req, res), 'compare', { filters: { ids: products.map((p) => p.id) }, channel: 'api' });
      const odds = await oddsFor(services, principal.account, products, amountFen);
      return {
        amount: amountFen / 100,
        termMonths,
        items: products.map((p) => ({ product: productJson(p), price: priceJson(services, p, amountFen, termMonths), ...(odds ? { odds: oddsJson(odds.get(p.id)!) } : {}) })),
        missing: ids.filter((_, i) => listed[i] === undefined),
      };
    },
  }),
];
