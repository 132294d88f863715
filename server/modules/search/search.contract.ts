import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Eligibility } from '../catalogue/catalogue.schema';
import { checkEligibility } from '../catalogue';
import { searchSorts } from './search.port';
import type { ProductDocument, SearchFacets, SearchIndex, SearchQuery, SearchResult, SearchSort } from './search.port';

/*
 * Behaviour every SearchIndex adapter must show, run by memory-index.test.ts and (against a
 * live server) server/adapters/elasticsearch/elasticsearch-index.test.ts. Not a test file itself: it only defines suites.
 */

const HS = { institutionId: 'inst-huashang', institutionName: '华商银行', institutionFullName: '华商银行股份有限公司' };
const AH = { institutionId: 'inst-anhe', institutionName: '安和消费金融', institutionFullName: '安和消费金融有限公司' };
const SR = { institutionId: 'inst-surong', institutionName: '速融小贷', institutionFullName: '重庆速融网络小额贷款有限公司' };
const JC = { institutionId: 'inst-jincheng', institutionName: '锦城银行', institutionFullName: '成都锦城农村商业银行股份有限公司' };

const yuan = (n: number) => n * 100;

function eligibility(e: Partial<Eligibility>): Eligibility {
  return { minAge: 22, maxAge: 55, minMonthlyIncomeFen: yuan(3000), regions: [], employmentTypes: [], studentsExcluded: true, ...e };
}

function product(p: Omit<ProductDocument, 'approvalRate' | 'aprMax' | 'updatedAt'> & Partial<ProductDocument>): ProductDocument {
  return { approvalRate: 0.6, aprMax: p.aprMin * 2, updatedAt: '2025-01-01T00:00:00.000Z', ...p };
}

export const fixtureProducts: ProductDocument[] = [
  product({
    id: 'p-shandian', name: '闪电贷', ...HS, category: '信用贷',
    summary: '手机申请，最快3分钟审批，1小时到账，适合临时周转', tags: ['秒批', '小额'],
    minAmountFen: yuan(1000), maxAmountFen: yuan(50_000), termOptions: [3, 6, 12], repaymentMethods: ['equal_installment'],
    aprMin: 0.108, aprMax: 0.18, decisionMinutes: 3, disbursementHours: 1, popularity: 950,
    eligibility: eligibility({}),
  }),
  product({
    id: 'p-zhuangxiu', name: '装修贷款', ...HS, category: '消费贷',
    summary: '用于家庭装修，资金直接支付给装修公司', tags: ['大额', '低息'],
    minAmountFen: yuan(50_000), maxAmountFen: yuan(300_000), termOptions: [12, 24, 36, 60], repaymentMethods: ['equal_installment', 'equal_principal'],
    aprMin: 0.0365, aprMax: 0.08, decisionMinutes: 1440, disbursementHours: 72, popularity: 500,
    eligibility: eligibility({ minAge: 25, maxAge: 60, minMonthlyIncomeFen: yuan(5000), employmentTypes: ['上班族', '企业主', '个体户'], minCreditScore: 650 }),
  }),
  product({
    id: 'p-anjia', name: '安家装修分期', ...AH, category: '消费贷',
    summary: '装修、建材、家电一站式分期', tags: ['分期', '免息券'],
    minAmountFen: yuan(5000), maxAmountFen: yuan(200_000), termOptions: [6, 12, 24, 36], repaymentMethods: ['equal_installment'],
    aprMin: 0.072, aprMax: 0.24, decisionMinutes: 30, disbursementHours: 24, popularity: 620,
    eligibility: eligibility({ minMonthlyIncomeFen: yuan(4000) }),
  }),
  product({
    id: 'p-xinxiang', name: '薪享贷', ...HS, category: '信用贷',
    summary: '代发工资客户专享，线上审批', tags: ['白领', '低息'],
    minAmountFen: yuan(10_000), maxAmountFen: yuan(300_000), termOptions: [12, 24, 36], repaymentMethods: ['equal_installment', 'interest_first'],
    aprMin: 0.0388, aprMax: 0.12, decisionMinutes: 60, disbursementHours: 4, popularity: 800,
    eligibility: eligibility({ minMonthlyIncomeFen: yuan(6000), employmentTypes: ['上班族'], minCreditScore: 650 }),
  }),
  product({
    id: 'p-jingying', name: '经营周转贷', ...SR, category: '经营贷',
    summary: '个体户、小微企业主经营周转，先息后本', tags: ['先息后本', '经营'],
    minAmountFen: yuan(20_000), maxAmountFen: yuan(1_000_000), termOptions: [6, 12, 24], repaymentMethods: ['interest_first'],
    aprMin: 0.12, aprMax: 0.24, decisionMinutes: 120, disbursementHours: 24, popularity: 350,
    eligibility: eligibility({ minAge: 25, maxAge: 60, minMonthlyIncomeFen: 0, employmentTypes: ['个体户', '企业主'] }),
  }),
  product({
    id: 'p-credit', name: 'Credit Easy', ...AH, category: '信用贷',
    summary: 'Easy online credit line，随借随还', tags: ['随借随还', 'Online'],
    minAmountFen: yuan(500), maxAmountFen: yuan(20_000), termOptions: [3, 6, 12], repaymentMethods: ['equal_installment', 'bullet'],
    aprMin: 0.15, aprMax: 0.24, decisionMinutes: 10, disbursementHours: 2, popularity: 700,
    eligibility: eligibility({ minAge: 18, maxAge: 45 }),
  }),
  product({
    id: 'p-rongyi', name: '蓉易贷', ...JC, category: '信用贷',
    summary: '成都本地居民专属，线上申请', tags: ['本地', '秒批'],
    minAmountFen: yuan(1000), maxAmountFen: yuan(100_000), termOptions: [12, 24], repaymentMethods: ['equal_installment'],
    aprMin: 0.06, aprMax: 0.15, decisionMinutes: 15, disbursementHours: 8, popularity: 300,
    eligibility: eligibility({ regions: ['成都'] }),
  }),
  product({
    id: 'p-jc-car', name: '锦城车主贷', ...JC, category: '车贷',
    summary: '成都地区有车一族凭行驶证申请', tags: ['车主'],
    minAmountFen: yuan(30_000), maxAmountFen: yuan(500_000), termOptions: [12, 24, 36], repaymentMethods: ['equal_principal', 'equal_installment'],
    aprMin: 0.055, aprMax: 0.1, decisionMinutes: 240, disbursementHours: 48, popularity: 150,
    eligibility: eligibility({ minAge: 25, maxAge: 60, minMonthlyIncomeFen: yuan(5000), regions: ['成都'] }),
  }),
  product({
    id: 'p-micro', name: '速融小额周转', ...SR, category: '信用贷',
    summary: '短期应急借款，不向在校学生放款', tags: ['小额', '应急'],
    minAmountFen: yuan(500), maxAmountFen: yuan(5000), termOptions: [1, 3], repaymentMethods: ['bullet'],
    aprMin: 0.18, aprMax: 0.36, decisionMinutes: 5, disbursementHours: 1, popularity: 880,
    eligibility: eligibility({ minAge: 18, maxAge: 50, minMonthlyIncomeFen: 0 }),
  }),
  product({
    id: 'p-fangdi', name: '安居房抵贷', ...HS, category: '房抵贷',
    summary: '以自有住房抵押，额度高、期限长', tags: ['大额', '长期'],
    minAmountFen: yuan(100_000), maxAmountFen: yuan(10_000_000), termOptions: [60, 120, 240], repaymentMethods: ['equal_installment', 'equal_principal'],
    aprMin: 0.035, aprMax: 0.06, decisionMinutes: 2880, disbursementHours: 168, popularity: 200,
    eligibility: eligibility({ minAge: 25, maxAge: 65, minMonthlyIncomeFen: yuan(8000) }),
  }),
  product({
    id: 'p-car', name: '安和好车分期', ...AH, category: '车贷',
    summary: '购车分期，首付低至两成', tags: ['分期', '购车'],
    minAmountFen: yuan(30_000), maxAmountFen: yuan(300_000), termOptions: [12, 24, 36], repaymentMethods: ['equal_installment'],
    aprMin: 0.06, aprMax: 0.14, decisionMinutes: 60, disbursementHours: 24, popularity: 350,
    eligibility: eligibility({ maxAge: 60, minMonthlyIncomeFen: yuan(4000) }),
  }),
  product({
    id: 'p-suixin', name: '安和随心借', ...AH, category: '消费贷',
    summary: '日常消费随心借，按日计息', tags: ['按日计息', '随借随还'],
    minAmountFen: yuan(1000), maxAmountFen: yuan(50_000), termOptions: [3, 6, 12], repaymentMethods: ['equal_installment', 'equal_principal'],
    aprMin: 0.09, aprMax: 0.2, decisionMinutes: 20, disbursementHours: 2, popularity: 760,
    eligibility: eligibility({ minAge: 18, maxAge: 40, minMonthlyIncomeFen: yuan(2000), studentsExcluded: false }),
  }),
];

// ---------------------------------------------------------------- reference (brute force)

const idOrder = (a: ProductDocument, b: ProductDocument) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
export const referenceComparators: Record<Exclude<SearchSort, 'relevance'>, (a: ProductDocument, b: ProductDocument) => number> = {
  popularity: (a, b) => b.popularity - a.popularity || idOrder(a, b),
  apr: (a, b) => a.aprMin - b.aprMin || idOrder(a, b),
  amount: (a, b) => b.maxAmountFen - a.maxAmountFen || idOrder(a, b),
  speed: (a, b) => a.decisionMinutes - b.decisionMinutes || a.disbursementHours - b.disbursementHours || idOrder(a, b),
};

type Dimension = 'category' | 'institution' | 'repayment';
const dimensionValues: Record<Dimension, (d: ProductDocument) => string[]> = {
  category: (d) => [d.category],
  institution: (d) => [d.institutionId],
  repayment: (d) => [...new Set(d.repaymentMethods)],
};

function passesBase(d: ProductDocument, q: Omit<SearchQuery, 'q'>): boolean {
  if (q.amountFen !== undefined && !(d.minAmountFen <= q.amountFen && q.amountFen <= d.maxAmountFen)) return false;
  if (q.termMonths !== undefined && !d.termOptions.includes(q.termMonths)) return false;
  if (q.aprMax !== undefined && !(d.aprMin <= q.aprMax)) return false;
  if (q.eligibleFor && !checkEligibility(d.eligibility, q.eligibleFor).eligible) return false;
  return true;
}

function passesDimension(d: ProductDocument, q: Omit<SearchQuery, 'q'>, dim: Dimension): boolean {
  const wanted = q[dim];
  if (!wanted || wanted.length === 0) return true;
  return dimensionValues[dim](d).some((v) => wanted.includes(v));
}

/** What any adapter must answer for a query without text: filters, disjunctive facets, sort, page. */
export function referenceSearch(docs: ProductDocument[], query: Omit<SearchQuery, 'q'>): SearchResult {
  const dims: Dimension[] = ['category', 'institution', 'repayment'];
  const base = docs.filter((d) => passesBase(d, query));
  const matched = base.filter((d) => dims.every((dim) => passesDimension(d, query, dim)));
  const sort = query.sort === 'relevance' ? 'popularity' : query.sort;
  matched.sort(referenceComparators[sort]);
  const facets: SearchFacets = { category: {}, institution: {}, repayment: {} };
  for (const dim of dims) {
    for (const d of base) {
      if (!dims.every((other) => other === dim || passesDimension(d, query, other))) continue;
      for (const v of dimensionValues[dim](d)) facets[dim][v] = (facets[dim][v] ?? 0) + 1;
    }
  }
  const start = (query.page - 1) * query.pageSize;
  return { ids: matched.slice(start, start + query.pageSize).map((d) => d.id), total: matched.length, facets };
}

// ---------------------------------------------------------------- the contract

const ALL = 100;
const q = (query: Partial<SearchQuery>): SearchQuery => ({ sort: 'relevance', page: 1, pageSize: ALL, ...query });
const idsOf = (pred: (d: ProductDocument) => boolean) => fixtureProducts.filter(pred).map((d) => d.id).sort();
const sorted = (ids: string[]) => [...ids].sort();

export function searchContract(name: string, makeIndex: () => Promise<SearchIndex>): void {
  describe(`SearchIndex contract: ${name}`, () => {
    let index: SearchIndex;

    beforeAll(async () => {
      index = await makeIndex();
      await index.replaceAll(fixtureProducts);
    });
    afterAll(async () => {
      await index?.close();
    });

    const search = (query: Partial<SearchQuery>) => index.search(q(query));
    const textIds = async (text: string) => (await search({ q: text })).ids;

    it('pings and counts', async () => {
      await index.ping();
      expect(await index.count()).toBe(fixtureProducts.length);
    });

    describe('Chinese text', () => {
      it('闪电贷 finds 闪电贷 first', async () => {
        expect((await textIds('闪电贷'))[0]).toBe('p-shandian');
      });
      it('招商 finds nothing (华商银行 is not 招商银行)', async () => {
        const r = await search({ q: '招商' });
        expect(r.ids).toEqual([]);
        expect(r.total).toBe(0);
      });
      it('华商 finds every 华商银行 product, and only those', async () => {
        expect(sorted(await textIds('华商'))).toEqual(idsOf((d) => d.institutionId === HS.institutionId));
      });
      it('the full legal name finds the institution too', async () => {
        expect(sorted(await textIds('华商银行股份有限公司'))).toEqual(idsOf((d) => d.institutionId === HS.institutionId));
      });
      it('装修 and 装修贷款 find both renovation products, and only those', async () => {
        const renovation = ['p-anjia', 'p-zhuangxiu'];
        expect(sorted(await textIds('装修'))).toEqual(renovation);
        expect(sorted(await textIds('装修贷款'))).toEqual(renovation);
        expect((await textIds('装修贷款'))[0]).toBe('p-zhuangxiu');
      });
      it('a tag finds its products', async () => {
        expect(sorted(await textIds('秒批'))).toEqual(['p-rongyi', 'p-shandian']);
        expect(sorted(await textIds('随借随还'))).toEqual(['p-credit', 'p-suixin']);
      });
      it('names jieba splits into characters still match, without matching their characters alone', async () => {
        expect(sorted(await textIds('安和'))).toEqual(idsOf((d) => d.institutionId === AH.institutionId));
        expect((await textIds('薪享贷'))[0]).toBe('p-xinxiang');
        expect(sorted(await textIds('速融'))).toEqual(idsOf((d) => d.institutionId === SR.institutionId));
      });
      it('every word must match', async () => {
        expect(await textIds('华商 装修')).toEqual(['p-zhuangxiu']);
        expect(await textIds('闪电 装修')).toEqual([]);
      });
      it('text without any word is no text filter', async () => {
        expect((await search({ q: '，！' })).total).toBe(fixtureProducts.length);
      });
    });

    describe('Latin text', () => {
      it('finds a Latin name, case-insensitively, by prefix, and with a typo', async () => {
        expect(await textIds('Credit Easy')).toEqual(['p-credit']);
        expect(await textIds('CREDIT')).toEqual(['p-credit']);
        expect(await textIds('cred')).toEqual(['p-credit']);
        expect(await textIds('credti')).toEqual(['p-credit']);
      });
      it('does not correct short words', async () => {
        expect(await textIds('eazy')).toEqual(['p-credit']); // 4 letters: one edit allowed
        expect(await textIds('esy')).toEqual([]); // 3 letters: none
      });
    });

    describe('filters (each checked against a brute-force reference)', () => {
      const cases: [string, Partial<SearchQuery>][] = [
        ['amount', { amountFen: yuan(300_000) }],
        ['term', { termMonths: 60 }],
        ['aprMax', { aprMax: 0.06 }],
        ['category', { category: ['消费贷'] }],
        ['categories', { category: ['消费贷', '车贷'] }],
        ['institution', { institution: ['inst-anhe'] }],
        ['repayment', { repayment: ['interest_first'] }],
        ['repayments', { repayment: ['bullet', 'interest_first'] }],
        ['category × institution', { category: ['信用贷', '消费贷'], institution: ['inst-huashang'] }],
        ['everything', { amountFen: yuan(20_000), termMonths: 12, aprMax: 0.2, category: ['信用贷', '消费贷'], repayment: ['equal_installment'] }],
        ['eligibility', { eligibleFor: { age: 30, city: '成都市', monthlyIncomeFen: yuan(10_000), employment: '上班族', creditScore: 700 } }],
        ['eligibility × filters', { eligibleFor: { age: 45, creditScore: 600 }, category: ['消费贷'], termMonths: 12 }],
      ];
      for (const [label, query] of cases) {
        it(label, async () => {
          const r = await search(query);
          const expected = referenceSearch(fixtureProducts, q(query));
          expect(r).toEqual(expected);
          expect(r.total).toBeGreaterThan(0);
        });
      }

      it('amount: the range must contain the amount', async () => {
        expect(sorted((await search({ amountFen: yuan(300_000) })).ids)).toEqual(['p-car', 'p-fangdi', 'p-jc-car', 'p-jingying', 'p-xinxiang', 'p-zhuangxiu']);
      });
      it('aprMax: lowest APR at most the bound, inclusive', async () => {
        expect(sorted((await search({ aprMax: 0.06 })).ids)).toEqual(['p-car', 'p-fangdi', 'p-jc-car', 'p-rongyi', 'p-xinxiang', 'p-zhuangxiu']);
      });
      it('repayment: any of the product’s methods', async () => {
        expect(sorted((await search({ repayment: ['bullet', 'interest_first'] })).ids)).toEqual(['p-credit', 'p-jingying', 'p-micro', 'p-xinxiang']);
      });
      it('text and filters combine', async () => {
        expect(sorted((await search({ q: '华商', category: ['信用贷'] })).ids)).toEqual(['p-shandian', 'p-xinxiang']);
        expect((await search({ q: '装修', termMonths: 60 })).ids).toEqual(['p-zhuangxiu']);
      });
      it('empty filter lists filter nothing', async () => {
        expect((await search({ category: [], institution: [], repayment: [] })).total).toBe(fixtureProducts.length);
      });
    });

    describe('eligibility', () => {
      it('a student sees no microloan (nor anything closed to students)', async () => {
        const r = await search({ eligibleFor: { employment: '学生' } });
        expect(r.ids).not.toContain('p-micro');
        expect(sorted(r.ids)).toEqual(idsOf((d) => !d.eligibility.studentsExcluded));
      });
      it('a 28-year-old in 北京 does not see 成都-only products', async () => {
        const r = await search({ eligibleFor: { age: 28, city: '北京' } });
        expect(r.ids).not.toContain('p-rongyi');
        expect(r.ids).not.toContain('p-jc-car');
        expect(r.total).toBe(fixtureProducts.length - 2);
      });
      it('someone in 成都市 does see them', async () => {
        const r = await search({ eligibleFor: { age: 28, city: '成都市' } });
        expect(r.ids).toContain('p-rongyi');
        expect(r.ids).toContain('p-jc-car');
      });
      it('income, employment and credit score rules apply; unknown facts do not disqualify', async () => {
        expect((await search({ eligibleFor: { creditScore: 600 } })).ids).not.toContain('p-xinxiang');
        expect((await search({ eligibleFor: { employment: '自由职业' } })).ids).not.toContain('p-jingying');
        expect((await search({ eligibleFor: { monthlyIncomeFen: yuan(3500) } })).ids).not.toContain('p-zhuangxiu');
        expect((await search({ eligibleFor: {} })).total).toBe(fixtureProducts.length);
      });
    });

    describe('facets', () => {
      it('count every dimension over all products without filters', async () => {
        const r = await search({});
        expect(r.facets.category).toEqual({ 信用贷: 5, 消费贷: 3, 经营贷: 1, 车贷: 2, 房抵贷: 1 });
        expect(r.facets.institution).toEqual({ 'inst-huashang': 4, 'inst-anhe': 4, 'inst-surong': 2, 'inst-jincheng': 2 });
        expect(r.facets.repayment).toEqual({ equal_installment: 10, equal_principal: 4, interest_first: 2, bullet: 2 });
      });
      it('are disjunctive: choosing a category keeps the other categories’ counts', async () => {
        const all = await search({});
        const r = await search({ category: ['信用贷'] });
        expect(r.total).toBe(5);
        expect(r.facets.category).toEqual(all.facets.category);
        expect(r.facets.institution).toEqual({ 'inst-huashang': 2, 'inst-anhe': 1, 'inst-surong': 1, 'inst-jincheng': 1 });
      });
      it('follow the text query', async () => {
        const r = await search({ q: '华商', institution: ['inst-anhe'] });
        expect(r.total).toBe(0);
        expect(r.facets.institution).toEqual({ 'inst-huashang': 4 });
        expect(r.facets.category).toEqual({});
      });
    });

    describe('sorting', () => {
      for (const sort of searchSorts) {
        it(`sorts by ${sort}, ties by id`, async () => {
          const r = await search({ sort });
          expect(r.ids).toEqual(referenceSearch(fixtureProducts, q({ sort })).ids);
        });
      }
      it('sorts text hits by the chosen order', async () => {
        const huashang = fixtureProducts.filter((d) => d.institutionId === HS.institutionId);
        expect((await search({ q: '华商', sort: 'apr' })).ids).toEqual([...huashang].sort(referenceComparators.apr).map((d) => d.id));
        expect((await search({ q: '华商', sort: 'speed' })).ids).toEqual([...huashang].sort(referenceComparators.speed).map((d) => d.id));
      });
      it('breaks ties by id (two products share the lowest APR 6%, two share popularity 350)', async () => {
        const apr = (await search({ sort: 'apr' })).ids;
        expect(apr.indexOf('p-car')).toBe(apr.indexOf('p-rongyi') - 1);
        const pop = (await search({ sort: 'popularity' })).ids;
        expect(pop.indexOf('p-car')).toBe(pop.indexOf('p-jingying') - 1);
      });
    });

    describe('paging', () => {
      for (const sort of ['popularity', 'apr', 'speed'] as const) {
        it(`page 2 continues page 1 (${sort})`, async () => {
          const full = await search({ sort });
          const pages: SearchResult[] = [];
          for (let page = 1; page <= 3; page++) pages.push(await search({ sort, page, pageSize: 5 }));
          expect(pages.map((p) => p.total)).toEqual([full.total, full.total, full.total]);
          expect(pages.map((p) => p.ids.length)).toEqual([5, 5, 2]);
          const all = pages.flatMap((p) => p.ids);
          expect(new Set(all).size).toBe(all.length);
          expect(all).toEqual(full.ids);
        });
      }
      it('pages text hits', async () => {
        const full = await search({ q: '华商' });
        const p1 = await search({ q: '华商', pageSize: 3 });
        const p2 = await search({ q: '华商', page: 2, pageSize: 3 });
        expect([...p1.ids, ...p2.ids]).toEqual(full.ids);
        expect(p2.total).toBe(full.total);
      });
      it('a page past the end is empty but keeps the total', async () => {
        const r = await search({ page: 10, pageSize: 5 });
        expect(r.ids).toEqual([]);
        expect(r.total).toBe(fixtureProducts.length);
      });
    });

    describe('phrases and exclusions (what query understanding sends)', () => {
      let own: SearchIndex;
      beforeAll(async () => {
        own = await makeIndex();
        const base = fixtureProducts.find((d) => d.id === 'p-shandian')!;
        await own.replaceAll([
          ...fixtureProducts,
          { ...base, id: 'p-secured', name: '安居房抵贷', category: '房抵贷', summary: '以名下住房作抵押', tags: ['抵押贷'] },
          { ...base, id: 'p-unsecured', name: '信用快借', summary: '纯信用', tags: ['免抵押'] },
        ]);
      });
      afterAll(async () => {
        await own?.close();
      });
      const ids = async (text: string) => sorted((await own.search(q({ q: text }))).ids);

      it('-免抵押 leaves out the products that say it', async () => {
        expect(await ids('抵押')).toEqual(['p-fangdi', 'p-secured', 'p-unsecured']);
        expect(await ids('抵押 -免抵押')).toEqual(['p-fangdi', 'p-secured']);
      });
      it('a quoted phrase must appear whole', async () => {
        expect(await ids('"免抵押"')).toEqual(['p-unsecured']);
        // a phrase no product says finds nothing, though both its characters are common
        expect(await ids('"押免"')).toEqual([]);
        expect(await ids('免 抵押')).toContain('p-unsecured');
      });
    });

    describe('writes', () => {
      let own: SearchIndex;
      beforeAll(async () => {
        own = await makeIndex();
      });
      afterAll(async () => {
        await own?.close();
      });

      it('upsert changes a product: the old name is gone, the new one found', async () => {
        await own.replaceAll(fixtureProducts);
        const shandian = fixtureProducts.find((d) => d.id === 'p-shandian')!;
        await own.upsert([{ ...shandian, name: '极速周转贷', tags: ['小额'] }]);
        expect(await own.count()).toBe(fixtureProducts.length);
        expect((await own.search(q({ q: '闪电贷' }))).ids).toEqual([]);
        expect((await own.search(q({ q: '极速' }))).ids).toEqual(['p-shandian']);
        expect((await own.search(q({ q: '秒批' }))).ids).toEqual(['p-rongyi']);
      });
      it('upsert changes filter fields and adds new products', async () => {
        await own.replaceAll(fixtureProducts);
        const micro = fixtureProducts.find((d) => d.id === 'p-micro')!;
        await own.upsert([
          { ...micro, category: '消费贷', aprMin: 0.01 },
          { ...micro, id: 'p-new', name: '新客专享贷', institutionId: 'inst-new', institutionName: '新锐银行', institutionFullName: '新锐银行股份有限公司' },
        ]);
        expect(await own.count()).toBe(fixtureProducts.length + 1);
        const r = await own.search(q({ sort: 'apr', category: ['消费贷'] }));
        expect(r.ids[0]).toBe('p-micro');
        expect(r.facets.category['信用贷']).toBe(5); // p-micro left, p-new (信用贷) came
        expect((await own.search(q({ q: '新锐' }))).ids).toEqual(['p-new']);
      });
      it('remove drops products from text, filters, facets and count', async () => {
        await own.replaceAll(fixtureProducts);
        await own.remove(['p-credit', 'p-unknown']);
        expect(await own.count()).toBe(fixtureProducts.length - 1);
        expect((await own.search(q({ q: 'credit' }))).total).toBe(0);
        const r = await own.search(q({ repayment: ['bullet'] }));
        expect(r.ids).toEqual(['p-micro']);
        expect(r.facets.institution['inst-anhe']).toBeUndefined();
      });
      it('replaceAll replaces everything', async () => {
        await own.replaceAll(fixtureProducts);
        await own.replaceAll(fixtureProducts.slice(0, 3));
        expect(await own.count()).toBe(3);
        expect((await own.search(q({}))).total).toBe(3);
        expect((await own.search(q({ q: '华商' }))).ids).not.toContain('p-fangdi');
        await own.replaceAll([]);
        expect(await own.count()).toBe(0);
        expect((await own.search(q({ q: '华商' }))).total).toBe(0);
      });
    });
  });
}
