import type { Request } from 'express';
import { MAX_COMPARE, calculatorQuery, compareQuery, productListQuery, recommendationQuery } from '../../server/http/api/schemas';
import { profileOf, takenProducts, toSearchQuery } from '../../server/http/catalogue-query';
import type { LeftOut } from '../../server/modules/recommendations';
import { guard, page } from '../../server/http/page-route';
import { fieldErrors } from '../../server/http/validate';
import { formatWan, formatYuan } from '../../server/lib/money';
import { formatDuration } from '../../server/lib/duration';
import { checkEligibility, pricingInput, productCategories, type ProductView } from '../../server/modules/catalogue';
import { COST_SORT_DEFAULT, buildSchedule, compareChoice, methodFor, methodLabels, priceRangeIfOffered, priceRangeText, validateTerms, type Schedule } from '../../server/modules/pricing';
import { costShares, scheduleChart } from '../charts';
import { priceFor, productPageContext } from '../product-page';
import { oddsText } from '../odds-text';
import { ValidationError } from '../../server/lib/errors';
import { formFailure } from '../../server/http/form-failure';
import type { Services } from '../../server/container';
import { oddsLabel } from '../odds-view';

const purposes = ['消费', '装修', '教育', '医疗', '旅游', '经营周转', '购车', '其他'] as const;
const sorts = [
  { value: 'ranked', label: '综合排序' },
  { value: 'apr', label: '综合年化最低' },
  { value: 'cost', label: '总成本最低' },
  { value: 'amount', label: '额度最高' },
  { value: 'speed', label: '审批最快' },
  { value: 'popularity', label: '最受欢迎' },
  { value: 'relevance', label: '最相关' },
];
const aprCaps = [
  { value: '0.12', label: '12% 以内' },
  { value: '0.18', label: '18% 以内' },
  { value: '0.24', label: '24% 以内' },
];
const commonTerms = [3, 6, 12, 24, 36, 60];
/** A form's term choices: the usual ones plus the one asked for, so a shared link shows the term it filters by. */
const termChoices = (chosen: number | undefined) => [...new Set([...commonTerms, ...(chosen ? [chosen] : [])])].sort((a, b) => a - b);

/** Query parameters without empty values (an empty select means "any"). */
function filled(query: Request['query']): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '' && v !== undefined)) as Record<string, string | string[]>;
}

function queryString(params: Record<string, string | string[] | undefined>): string {
  const usp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) usp.append(k, one);
  }
  return usp.toString();
}

/** Browse, search, compare, calculate and get recommendations. */
export const cataloguePages = [
  page({
    method: 'get',
    path: '/',
    guard: guard.public,
    handler: async ({ req, res, principal, services, kit: { visitor }, render }) => {
      const [profile, taken] = await Promise.all([profileOf(services, req), takenProducts(services, req)]);
      const [recommendations, popular, guides, campaigns] = await Promise.all([
        services.recommendations.recommend({ profile: profile ?? {}, visitor: visitor(req, res), limit: 3, taken }),
        services.catalogue.searchListed({ sort: 'popularity', page: 1, pageSize: 6 }),
        services.content.publishedArticles({ pageSize: 3 }),
        services.content.activeCampaigns(),
      ]);
      services.catalogue.recordImpressions(visitor(req, res), recommendations.map((r) => r.product.id), 'home-recommendations');
      services.catalogue.recordImpressions(visitor(req, res), popular.items.map((p) => p.id), 'home-popular');
      const odds = await oddsLabels(services, principal.account, [...recommendations.map((r) => r.product), ...popular.items]);
      await render('home', {
        // no page title: the home page is the site itself (贷超 · 贷款比价), not 贷款比价 - 贷超 · 贷款比价
        recommendations: recommendations.map((r) => ({ ...r, product: { ...r.product, odds: odds?.get(r.product.id) } })),
        popular: popular.items.map((p) => ({ ...p, odds: odds?.get(p.id) })),
        total: popular.total,
        categories: productCategories.map((c) => ({ name: c, n: popular.facets.category[c] ?? 0 })).filter((c) => c.n > 0),
        purposes,
        terms: commonTerms,
        guides: guides.items,
        campaigns,
      });
    },
  }),

  page({
    method: 'get',
    path: '/products',
    guard: guard.public,
    handler: async ({ req, res, principal, services, kit: { visitor }, render }) => {
      const raw = filled(req.query);
      const parsed = productListQuery.safeParse(raw);
      const input = parsed.success ? parsed.data : productListQuery.parse({});
      const query = await toSearchQuery(services, req, input, 12);
      const page = await services.catalogue.searchListed({ ...query, literal: input.literal });
      if (input.q) services.catalogue.recordEvent(visitor(req, res), 'search', { query: input.q, filters: { ...raw, q: undefined }, results: page.total });
      services.catalogue.recordImpressions(visitor(req, res), page.items.map((p) => p.id), input.q ? 'search' : 'list');
      const chosen = (k: 'category' | 'institution' | 'repayment') => new Set(input[k] ?? []);
      const facet = (k: 'category' | 'institution' | 'repayment', labels: Map<string, string>) =>
        [...labels].map(([value, label]) => ({ value, label, count: page.facets[k][value] ?? 0, checked: chosen(k).has(value) }));
      const link = (p: number) => `/products?${queryString({ ...raw, page: String(p) })}`;
      // an amount and term read from the words (借5万 3年) price the cards as if typed in the form
      const need = { ...query, amountFen: query.amountFen ?? page.understanding?.filters.amountFen, termMonths: query.termMonths ?? page.understanding?.filters.termMonths };
      const odds = await oddsLabels(services, principal.account, [...page.items, ...(page.relaxed?.items ?? [])], need.amountFen);
      const card = (p: ProductView) => ({ ...withMyPrice(p, need), odds: odds?.get(p.id) });
      await render('products', {
        title: input.q ? `搜索：${input.q}` : '全部产品',
        page: { ...page, items: page.items.map(card) },
        priceNote: priceNote(need),
        input: { ...input, amount: raw.amount, aprMax: raw.aprMax },
        error: parsed.success ? undefined : { message: '部分筛选条件无效，已忽略', fields: fieldErrors(parsed.error) },
        facets: {
          category: facet('category', new Map(Object.keys(page.facets.category).sort().map((c) => [c, c]))),
          institution: facet('institution', new Map(services.catalogue.listedInstitutions().map((i) => [i.id, i.name]))),
          repayment: facet('repayment', new Map(Object.entries(methodLabels))),
        },
        understood: page.understanding && {
          words: page.understanding.text ? page.understanding.text.split(' ').filter((w) => !w.startsWith('-')).map((w) => w.replace(/^"|"$/g, '')) : [],
          notes: page.understanding.understood.filter((u) => !page.understanding!.text.split(' ').includes(u.to)).map((u) => u.to),
          literalLink: `/products?${queryString({ ...raw, page: undefined, literal: '1' })}`,
        },
        understoodLink: input.literal && input.q ? `/products?${queryString({ ...raw, page: undefined, literal: undefined })}` : undefined,
        relaxed: page.relaxed && { ...page.relaxed, items: page.relaxed.items.map((p) => ({ ...p, odds: odds?.get(p.id) })), dropped: page.relaxed.dropped.join('、'), more: page.relaxed.total > page.relaxed.items.length },
        sorts: sorts.map((s) => ({ ...s, selected: s.value === query.sort })),
        aprCaps: aprCaps.map((a) => ({ ...a, selected: raw.aprMax === a.value })),
        terms: termChoices(input.termMonths),
        loggedIn: principal.account?.kind === 'consumer',
        hasProfile: Boolean(query.eligibleFor && Object.values(query.eligibleFor).some((v) => v !== undefined)),
        pager:
          page.total > page.pageSize
            ? {
                prev: page.page > 1 ? link(page.page - 1) : null,
                next: page.page * page.pageSize < page.total ? link(page.page + 1) : null,
                pages: Math.ceil(page.total / page.pageSize),
              }
            : null,
      });
    },
  }),

  page({
    method: 'get',
    path: '/products/:id',
    guard: guard.public,
    handler: async ({ req, res, params, principal, services, kit: { visitor }, render }) => {
      const product = services.catalogue.getListed(params.id);
      services.catalogue.recordEvent(visitor(req, res), 'view', { productId: product.id });
      const profile = await profileOf(services, req);
      const eligibility = profile ? checkEligibility(product.eligibility, profile) : undefined;
      const consumerId = principal.account?.kind === 'consumer' ? principal.account.id : undefined;
      const [rating, myReview, canReview, aboveAdvertised] = await Promise.all([
        services.reviews.forProduct(product.id),
        consumerId ? services.reviews.mine(consumerId, product.id) : undefined,
        consumerId ? services.reviews.canReview(consumerId, product.id) : false,
        services.offers.aboveAdvertisedShares(),
      ]);
      const context = productPageContext(product, req.query);
      const odds = await oddsLabels(services, principal.account, [product], Math.round(context.calc.amount * 100));
      await render('product', {
        // labelled when at least a tenth of the institution's recent offers were above what was advertised
        aboveAdvertisedShare: (aboveAdvertised.get(product.institutionId) ?? 0) >= 0.1 ? aboveAdvertised.get(product.institutionId) : undefined,
        rating,
        myReview,
        canReview,
        title: product.name,
        ...context,
        outcome: services.catalogue.outcomes(product.id),
        eligibility,
        odds: odds?.get(product.id),
      });
    },
  }),

  page({
    method: 'get',
    path: '/compare',
    guard: guard.public,
    handler: async ({ req, res, services, kit: { visitor }, render }) => {
      // nothing chosen yet (the 对比 link in the menu): how to choose, not an error
      if (req.query.ids === undefined) return render('compare', { title: '产品对比', empty: true });
      const parsed = compareQuery.safeParse(filled(req.query));
      if (!parsed.success) {
        return render('compare', { title: '产品对比', error: formFailure(res, new ValidationError(`请选择 1–${MAX_COMPARE} 款产品进行对比`, fieldErrors(parsed.error))) });
      }
      const listed = [...new Set(parsed.data.ids)]
        .map((id) => {
          try {
            return services.catalogue.getListed(id);
          } catch {
            return undefined;
          }
        })
        .filter((p): p is ProductView => p !== undefined);
      // a fifth tick keeps the first four and says so, instead of losing the whole choice
      const products = listed.slice(0, MAX_COMPARE);
      const left = listed.slice(MAX_COMPARE);
      const notice = left.length ? `最多可同时对比 ${MAX_COMPARE} 款产品，已为你对比前 ${MAX_COMPARE} 款；未加入：${left.map((p) => p.name).join('、')}` : undefined;
      if (products.length === 0) {
        res.status(404);
        return render('compare', { title: '产品对比', error: { message: '所选产品不存在或已下架' } });
      }
      const { amountFen, termMonths, sharedTerms: shared } = compareChoice(products, { amountFen: parsed.data.amount, termMonths: parsed.data.termMonths });
      services.catalogue.recordEvent(visitor(req, res), 'compare', { filters: { ids: products.map((p) => p.id) } });
      // 预审 for a signed-in borrower, before any consent: may I apply, did I already, my odds (the apply page runs the same check)
      const consumer = req.account?.kind === 'consumer' ? req.account.id : undefined;
      const checks = consumer ? new Map((await services.submission.precheck(consumer, products.map((p) => p.id), { amountFen, termMonths })).items.map((c) => [c.productId, c])) : undefined;

      const columns = products.map((p) => {
        const fits = amountFen >= p.minAmountFen && amountFen <= p.maxAmountFen && p.termOptions.includes(termMonths);
        const price = fits ? priceFor(p, amountFen, termMonths) : undefined;
        const text = price ? priceRangeText(price) : undefined;
        const check = checks?.get(p.id);
        // blocked: conditions not met or applied for within 30 days; an amount or term not offered can still be changed when applying
        const blocked = check !== undefined && (!check.meetsCriteria || check.duplicateOf !== null);
        return { p, fits, price, text, check, blocked };
      });
      type Column = (typeof columns)[number];
      const row = (label: string, cell: (c: Column) => string, best?: (c: Column) => number | undefined) => {
        const values = columns.map(cell);
        const scores = best ? columns.map(best) : [];
        const defined = scores.filter((s): s is number => s !== undefined);
        const bestScore = defined.length > 1 ? Math.min(...defined) : undefined;
        return {
          label,
          differs: new Set(values).size > 1,
          cells: values.map((v, i) => ({ value: v, best: bestScore !== undefined && scores[i] === bestScore })),
        };
      };
      const na = '不支持该金额/期限';
      const rows = [
        row('机构', (c) => c.p.institutionName),
        // each a range from the lowest to the highest rate; the best is marked by the high end (the worst case the borrower could get)
        row('综合年化（你的需求）', (c) => c.text?.apr ?? na, (c) => c.price?.aprHigh),
        row('首期月供', (c) => c.text?.monthly ?? na, (c) => c.price?.monthlyHigh),
        ...(columns.some((c) => c.text?.lastPayment) ? [row('末期应还', (c) => c.text?.lastPayment ?? (c.price ? '同首期' : na))] : []),
        row('总利息 + 费用', (c) => c.text?.totalCost ?? na, (c) => c.price?.totalCostHigh),
        row('还款方式', (c) => (c.price ? c.price.methodName : c.p.methodNames.join('、'))),
        row('费用', (c) => (c.p.feeLines.length ? c.p.feeLines.join('；') : '无')),
        row('额度', (c) => `${formatWan(c.p.minAmountFen)}–${formatWan(c.p.maxAmountFen)}`),
        row('期限（月）', (c) => c.p.termOptions.join('/')),
        row('审批时间', (c) => `约 ${formatDuration(c.p.decisionMinutes)}`, (c) => c.p.decisionMinutes),
        row('放款时间', (c) => `${formatDuration(c.p.disbursementHours * 60)}内`, (c) => c.p.disbursementHours),
        row('申请条件', (c) => eligibilityText(c.p)),
        row('所需材料', (c) => c.p.requiredDocuments.join('、')),
      ];
      await render('compare', {
        title: '产品对比',
        notice,
        products,
        rows,
        amount: amountFen / 100,
        termMonths,
        ids: products.map((p) => p.id),
        // one cell per product, in column order: the precheck (signed in) or how to get one
        precheck: checks
          ? columns.map(({ p, check, blocked }) => ({
              id: p.id,
              blocked,
              duplicateOf: check?.duplicateOf ?? null,
              reasons: check && !check.meetsCriteria ? check.reasons : [],
              odds: check ? oddsText(check.odds) : undefined,
            }))
          : undefined,
        loginNext: `/login?next=${encodeURIComponent(req.originalUrl)}`,
        applyRow: columns.map((c) => ({ id: c.p.id, blocked: c.blocked })),
        applyIds: columns.filter((c) => !c.blocked).map((c) => c.p.id),
        blockedCount: columns.filter((c) => c.blocked).length,
        // every term any of them offers (and the one asked for); those not every product offers say so
        terms: [...new Set([...products.flatMap((p) => p.termOptions), termMonths])]
          .sort((a, b) => a - b)
          .map((months) => ({ months, partial: !shared.includes(months) })),
      });
    },
  }),

  page({
    method: 'get',
    path: '/calculator',
    guard: guard.public,
    handler: async ({ req, res, services, kit: { visitor }, render }) => {
      const raw = filled(req.query);
      const submitted = raw.principal !== undefined;
      const values = { principal: '100000', ratePercent: '12', termMonths: '12', method: 'equal_installment', upfrontFee: '0', monthlyFee: '0', ...raw };
      let schedule: Schedule | undefined;
      let errors: Record<string, string> = {};
      if (submitted) {
        const rate = Number(values.ratePercent);
        const parsed = calculatorQuery.safeParse({
          principal: values.principal,
          annualRate: Number.isFinite(rate) && String(values.ratePercent).trim() !== '' ? rate / 100 : 'x',
          termMonths: values.termMonths,
          method: values.method,
          upfrontFee: values.upfrontFee,
          monthlyFee: values.monthlyFee,
        });
        if (!parsed.success) {
          errors = fieldErrors(parsed.error);
          if (errors.annualRate) errors.ratePercent = '年利率须为 0–100 之间的数字（%）';
        } else {
          const terms = {
            principalFen: parsed.data.principal,
            annualRate: parsed.data.annualRate,
            termMonths: parsed.data.termMonths,
            method: parsed.data.method,
            fees: { upfrontFen: parsed.data.upfrontFee ?? 0, monthlyFeeFen: parsed.data.monthlyFee ?? 0 },
          };
          errors = validateTerms(terms);
          if (Object.keys(errors).length === 0) {
            schedule = buildSchedule(terms);
            services.catalogue.recordEvent(visitor(req, res), 'calculate');
          }
        }
      }
      await render('calculator', {
        title: '贷款计算器',
        values,
        methods: Object.entries(methodLabels).map(([value, label]) => ({ value, label, selected: value === values.method })),
        schedule,
        chart: schedule ? scheduleChart(schedule) : undefined,
        shares: schedule ? costShares(schedule) : undefined,
        errors,
        error: Object.keys(errors).length ? formFailure(res, new ValidationError('请检查输入', errors)) : undefined,
      });
    },
  }),

  page({
    method: 'get',
    path: '/recommendations',
    guard: guard.public,
    handler: async ({ req, res, principal, services, kit: { visitor }, render }) => {
      const raw = filled(req.query);
      const parsed = recommendationQuery.safeParse(raw);
      const q = parsed.success ? parsed.data : recommendationQuery.parse({});
      const [profile, taken] = await Promise.all([profileOf(services, req), takenProducts(services, req)]);
      const asked = { amountFen: q.amount, termMonths: q.termMonths, purpose: q.purpose, profile: profile ?? {}, visitor: visitor(req, res), limit: 8, taken };
      const items = await services.recommendations.recommend(asked);
      services.catalogue.recordImpressions(visitor(req, res), items.map((r) => r.product.id), 'recommendations');
      const odds = await oddsLabels(services, principal.account, items.map((r) => r.product), q.amount);
      await render('recommendations', {
        title: '为你推荐',
        items: items.map((r) => ({ ...r, product: { ...withMyPrice(r.product, { amountFen: q.amount, termMonths: q.termMonths }), odds: odds?.get(r.product.id) } })),
        priceNote: q.amount !== undefined && q.termMonths !== undefined ? undefined : '填写金额和期限，即可看到每款产品按最低和最高利率的月供和总成本。',
        values: { amount: raw.amount ?? '', termMonths: raw.termMonths ?? '', purpose: raw.purpose ?? '' },
        purposes,
        terms: termChoices(q.termMonths),
        loggedIn: principal.account?.kind === 'consumer',
        hasProfile: Boolean(profile && Object.values(profile).some((v) => v !== undefined)),
        error: parsed.success ? undefined : { message: '部分条件无效，已忽略', fields: fieldErrors(parsed.error) },
        emptyBecause: items.length === 0 ? emptyBecause(services.recommendations.leftOut(asked), q) : undefined,
      });
    },
  }),
];

/**
 * The signed-in borrower's 下款概率 for the products on a page, as small labels by product id (one
 * batched call: OddsService.forBorrower, the function the API and the precheck use); nothing for visitors.
 */
async function oddsLabels(services: Services, account: { id: string; kind: string } | undefined, products: ProductView[], amountFen?: number) {
  if (account?.kind !== 'consumer' || !products.length) return undefined;
  const odds = await services.odds.forBorrower(account.id, [...new Map(products.map((p) => [p.id, p])).values()], { amountFen });
  return new Map([...odds].map(([id, o]) => [id, oddsLabel(o)]));
}

/** Why no product is recommended, in the borrower's words: each reason that left products out, with how many. */
function emptyBecause(left: LeftOut, need: { amount?: number; termMonths?: number }): string[] {
  const lines: string[] = [];
  if (left.taken) lines.push(`你已申请或正在借款的 ${left.taken} 款产品不再推荐（可在「我的申请」「我的贷款」查看）`);
  if (left.ineligible) lines.push(`${left.ineligible} 款产品的申请条件与你填写的资料不符`);
  if (left.outsideNeed) {
    const asked = [need.amount !== undefined ? formatYuan(need.amount) : '', need.termMonths !== undefined ? `${need.termMonths} 期` : ''].filter(Boolean).join('、');
    lines.push(`${left.outsideNeed} 款产品不提供${asked ? ` ${asked}` : '你要的金额或期限'}，试试调整金额或期限`);
  }
  return lines;
}

/** The amount and term in view as a query string, so links carry them on (product page, compare, apply). */
function needQuery(need: { amountFen?: number; termMonths?: number }): string | undefined {
  const qs = new URLSearchParams();
  if (need.amountFen !== undefined) qs.set('amount', String(need.amountFen / 100));
  if (need.termMonths !== undefined) qs.set('termMonths', String(need.termMonths));
  return qs.size ? qs.toString() : undefined;
}

/**
 * A card's product with "my price": 月供 and 总利息 + 费用 from the lowest to the highest rate for
 * the amount and term asked (both needed; a product that does not lend them says so), and the
 * query that carries the amount and term to the product page.
 */
function withMyPrice(p: ProductView, need: { amountFen?: number; termMonths?: number; repayment?: string[] }) {
  const link = needQuery(need);
  if (need.amountFen === undefined || need.termMonths === undefined) return { ...p, need: link };
  const input = pricingInput(p);
  const method = methodFor(input, need.repayment?.length === 1 ? need.repayment[0] : undefined);
  const price = priceRangeIfOffered(input, { amountFen: need.amountFen, termMonths: need.termMonths, method });
  return {
    ...p,
    need: link,
    myPrice: price
      ? { ...priceRangeText(price), methodName: methodLabels[method], amountFen: need.amountFen, termMonths: need.termMonths }
      : { unavailable: `不支持 ${formatYuan(need.amountFen)}、${need.termMonths} 个月` },
  };
}

/** What the products page says about prices: how to see them, and what the cost sort assumed. */
function priceNote(query: { sort: string; amountFen?: number; termMonths?: number }): string | undefined {
  if (query.amountFen !== undefined && query.termMonths !== undefined) return undefined;
  if (query.sort === 'cost') {
    return `未填写金额或期限：总成本按 ${formatYuan(query.amountFen ?? COST_SORT_DEFAULT.amountFen)}、${query.termMonths ?? COST_SORT_DEFAULT.termMonths} 个月、最高利率估算排序。`;
  }
  return '填写金额和期限，即可在每款产品上看到按最低和最高利率的月供和总成本。';
}

function eligibilityText(p: ProductView): string {
  const e = p.eligibility;
  const parts = [`${e.minAge}–${e.maxAge} 岁`];
  if (e.minMonthlyIncomeFen) parts.push(`月收入 ${formatYuan(e.minMonthlyIncomeFen)} 以上`);
  if (e.regions.length) parts.push(`限 ${e.regions.join('、')}`);
  if (e.employmentTypes.length) parts.push(e.employmentTypes.join('、'));
  if (e.minCreditScore) parts.push(`信用分 ${e.minCreditScore} 以上`);
  if (e.studentsExcluded) parts.push('不向学生放款');
  return parts.join('，');
}
