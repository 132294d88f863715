import request from 'supertest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { startTestApp, type TestApp } from '../support/app';
import { consumerAgent } from '../support/http';

interface ProductItem {
  id: string;
  name: string;
  apr: { min: number; max: number; above24: boolean };
  amount: { min: number; max: number };
  termOptions: number[];
  eligibility: { studentsExcluded: boolean; regions: string[]; minAge: number; maxAge: number };
}

describe('the marketplace on the demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ data: 'demo' });
  });
  afterAll(() => t?.close());

  describe('GET /api/v1/calculator', () => {
    it('100000 at 12% for 12 months, equal instalments: 8884.88 a month, APR 12%', async () => {
      const res = await request(t.app)
        .get('/api/v1/calculator?principal=100000&annualRate=0.12&termMonths=12&method=equal_installment')
        .expect(200);
      expect(res.body.schedule).toHaveLength(12);
      expect(res.body.schedule.slice(0, 11).every((p: { payment: number }) => p.payment === 8884.88)).toBe(true);
      expect(res.body.schedule[0]).toMatchObject({ period: 1, payment: 8884.88, principal: 7884.88, interest: 1000, fee: 0, balance: 92115.12 });
      expect(res.body.schedule[11].balance).toBe(0);
      const principal = res.body.schedule.reduce((s: number, p: { principal: number }) => s + Math.round(p.principal * 100), 0);
      expect(principal).toBe(10_000_000);
      expect(res.body.totalInterest).toBeCloseTo(6618.53, 2);
      expect(res.body.totalFees).toBe(0);
      expect(res.body.totalPayment).toBeCloseTo(106618.53, 2);
      expect(res.body.apr).toBeCloseTo(0.12, 5);
    });

    it('counts every fee in the APR', async () => {
      const res = await request(t.app)
        .get('/api/v1/calculator?principal=100000&annualRate=0.12&termMonths=12&method=equal_installment&upfrontFee=2000')
        .expect(200);
      expect(res.body.apr).toBeCloseTo(0.158545, 4);
      expect(res.body.totalFees).toBe(2000);
      const monthly = await request(t.app)
        .get('/api/v1/calculator?principal=100000&annualRate=0.12&termMonths=12&method=equal_installment&monthlyFee=300')
        .expect(200);
      expect(monthly.body.schedule[0].fee).toBe(300);
      expect(monthly.body.apr).toBeGreaterThan(0.18);
    });

    it('names the field of a bad or missing parameter', async () => {
      const bad = async (qs: string, field: string) => {
        const res = await request(t.app).get(`/api/v1/calculator?${qs}`);
        expect(res.status, qs).toBe(400);
        expect(res.body.error.fields?.[field], `${qs} → ${JSON.stringify(res.body)}`).toBeTruthy();
      };
      await bad('annualRate=0.12&termMonths=12&method=bullet', 'principal');
      await bad('principal=100000&termMonths=12&method=bullet', 'annualRate');
      await bad('principal=100000&annualRate=0.12&termMonths=0&method=bullet', 'termMonths');
      await bad('principal=100000&annualRate=0.12&termMonths=12&method=weekly', 'method');
      await bad('principal=100000&annualRate=-0.1&termMonths=12&method=bullet', 'annualRate');
      await bad('principal=100000&annualRate=0.12&termMonths=12&method=bullet&upfrontFee=100000', 'upfrontFee');
      await bad('principal=100000&annualRate=0.12&termMonths=12&method=bullet&colour=red', 'colour');
    });
  });

  describe('GET /api/v1/products', () => {
    it('searches in Chinese and returns APR ranges and facets', async () => {
      const res = await request(t.app).get('/api/v1/products').query({ q: '闪电贷', sort: 'relevance' }).expect(200);
      expect(res.body.items[0].name).toBe('闪电贷');
      for (const item of res.body.items as ProductItem[]) {
        expect(item.apr.min).toBeGreaterThan(0);
        expect(item.apr.max).toBeGreaterThanOrEqual(item.apr.min);
      }
      expect(Object.keys(res.body.facets)).toEqual(['category', 'institution', 'repayment']);
    });

    it('filters by what I need: 5万 for 12 months, APR under 18%', async () => {
      const res = await request(t.app).get('/api/v1/products').query({ amount: 50000, termMonths: 12, aprMax: 0.18, pageSize: 100, sort: 'apr' }).expect(200);
      expect(res.body.total).toBeGreaterThan(0);
      for (const item of res.body.items as ProductItem[]) {
        expect(item.amount.min).toBeLessThanOrEqual(50000);
        expect(item.amount.max).toBeGreaterThanOrEqual(50000);
        expect(item.termOptions).toContain(12);
        expect(item.apr.min).toBeLessThanOrEqual(0.18);
      }
      const sorted = (res.body.items as ProductItem[]).map((i) => i.apr.min);
      expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
    });

    it('"I am eligible" uses the logged-in consumer’s profile', async () => {
      const { agent } = await consumerAgent(t.app);
      await agent.put('/api/v1/profile').send({ age: 25, city: '重庆', monthlyIncome: 8000, employment: '上班族' }).expect(200);
      const all = await agent.get('/api/v1/products').query({ pageSize: 100 }).expect(200);
      const mine = await agent.get('/api/v1/products').query({ pageSize: 100, eligible: true }).expect(200);
      expect(mine.body.total).toBeGreaterThan(0);
      expect(mine.body.total).toBeLessThan(all.body.total);
      for (const item of mine.body.items as ProductItem[]) {
        expect(item.eligibility.minAge).toBeLessThanOrEqual(25);
        if (item.eligibility.regions.length) expect(item.eligibility.regions).toContain('重庆');
      }
      // every demo product refuses students, as regulators expect: a student is eligible for none
      await agent.put('/api/v1/profile').send({ age: 20, employment: '学生' }).expect(200);
      const student = await agent.get('/api/v1/products').query({ eligible: true }).expect(200);
      expect(student.body.total).toBe(0);
    });

    it('records searches without digits that could be PII', async () => {
      await request(t.app).get('/api/v1/products').query({ q: '13812345678 闪电贷' }).expect(200);
      await t.container.services.catalogue.flushEvents();
      const rows = await queryRows<{ query: string }>(t.container.database.db, sql`select query from catalogue_events where kind = 'search' order by id desc limit 1`);
      expect(rows[0]!.query).toBe('闪电贷');
    });
  });

  describe('GET /api/v1/recommendations', () => {
    it('never recommends what the consumer is not eligible for, and says why in words', async () => {
      const { agent } = await consumerAgent(t.app);
      await agent.put('/api/v1/profile').send({ age: 26, city: '重庆', employment: '上班族', monthlyIncome: 9000, creditSelfAssessment: 'good' }).expect(200);
      const res = await agent.get('/api/v1/recommendations').query({ amount: 50000, termMonths: 12, purpose: '装修' }).expect(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      for (const r of res.body.items as { product: ProductItem; reasons: string[]; apr: number; monthlyPayment: number }[]) {
        if (r.product.eligibility.regions.length) expect(r.product.eligibility.regions).toContain('重庆');
        expect(r.product.amount.min).toBeLessThanOrEqual(50000);
        expect(r.product.termOptions).toContain(12);
        expect(r.reasons).toContain('你的需求5万/12期在额度范围内');
        expect(r.monthlyPayment).toBeGreaterThan(0);
      }
      await agent.put('/api/v1/profile').send({ age: 20, employment: '学生' }).expect(200);
      const student = await agent.get('/api/v1/recommendations').expect(200);
      expect(student.body.items).toEqual([]);
    });

    it('works for an anonymous visitor with profile fields in the query', async () => {
      const res = await request(t.app).get('/api/v1/recommendations').query({ age: 30, city: '成都', monthlyIncome: 12000, employment: '上班族' }).expect(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      expect(res.body.items.every((r: { reasons: string[] }) => r.reasons.length > 0)).toBe(true);
      expect((await request(t.app).get('/api/v1/recommendations').query({ purpose: '炒股' })).status).toBe(400);
    });
  });

  describe('pages', () => {
    it('search and facets at /products, state in the URL', async () => {
      const res = await request(t.app).get('/products').query({ q: '装修' }).expect(200);
      expect(res.text).toContain('装修贷款');
      expect(res.text).toMatch(/name="category" value="消费贷"/);
      const filtered = await request(t.app).get('/products').query({ category: '经营贷', sort: 'amount' }).expect(200);
      expect(filtered.text).toMatch(/value="经营贷" checked/);
    });

    it('a product page shows the all-in APR, the fees and a full schedule', async () => {
      const list = await request(t.app).get('/api/v1/products').query({ q: '闪电贷', sort: 'relevance' }).expect(200);
      const res = await request(t.app).get(`/products/${list.body.items[0].id}`).query({ amount: 10000, termMonths: 6 }).expect(200);
      expect(res.text).toContain('综合年化');
      expect(res.text).toContain('data-testid="schedule"');
      expect(res.text).toContain('<svg');
    });

    it('compares up to four products; a fifth tick keeps the first four and says so', async () => {
      const list = await request(t.app).get('/api/v1/products').query({ amount: 50000, termMonths: 12, pageSize: 5 }).expect(200);
      const ids = (list.body.items as ProductItem[]).map((i) => i.id);
      const ok = await request(t.app).get('/compare').query({ ids: ids.slice(0, 3), amount: 50000, termMonths: 12 }).expect(200);
      expect(ok.text).toContain('data-testid="compare-table"');
      expect(ok.text).toContain('class="best"');
      const five = await request(t.app).get('/compare').query({ ids }).expect(200);
      const names = (list.body.items as ProductItem[]).map((i) => i.name);
      expect(five.text).toContain(`最多可同时对比 4 款产品，已为你对比前 4 款；未加入：${names[4]}`);
      const head = /<thead>[\s\S]*?<\/thead>/.exec(five.text)![0];
      expect(head.match(/<a href="\/products\//g)).toHaveLength(4);
      for (const name of names.slice(0, 4)) expect(head).toContain(name);
      expect(head).not.toContain(names[4]);
    });

    it('the term a page computes for is the one its form shows selected, even when not every product offers it', async () => {
      const selectedTerm = (html: string) => /<select name="termMonths">[\s\S]*?<option value="(\d+)" selected>/.exec(html)?.[1];
      const all = (await request(t.app).get('/api/v1/products').query({ pageSize: 100 }).expect(200)).body.items as ProductItem[];
      const withTerms = await Promise.all(all.map(async (i) => (await request(t.app).get(`/api/v1/products/${i.id}`).expect(200)).body as { id: string; termOptions: number[] }));
      // two products whose terms differ: compute for a term only the first offers
      const a = withTerms.find((p) => withTerms.some((q) => p.termOptions.some((m) => !q.termOptions.includes(m))))!;
      const b = withTerms.find((q) => a.termOptions.some((m) => !q.termOptions.includes(m)))!;
      const only = a.termOptions.find((m) => !b.termOptions.includes(m))!;
      const page = await request(t.app).get('/compare').query({ ids: [a.id, b.id], termMonths: only }).expect(200);
      expect(page.text).toContain(`${only} 个月计算`);
      expect(selectedTerm(page.text)).toBe(String(only));
      expect(page.text).toContain(`${only} 个月（部分产品）`);
      // the product list and recommendations keep an unusual term from a shared link
      const list = await request(t.app).get('/products').query({ termMonths: 18 }).expect(200);
      expect(selectedTerm(list.text)).toBe('18');
      const reco = await request(t.app).get('/recommendations').query({ termMonths: 18 }).expect(200);
      expect(selectedTerm(reco.text)).toBe('18');
    });

    it('the calculator page shows the schedule, or the form again with the reason', async () => {
      const ok = await request(t.app).get('/calculator').query({ principal: 100000, ratePercent: 12, termMonths: 12, method: 'equal_installment' }).expect(200);
      expect(ok.text).toContain('¥8,884.88');
      const bad = await request(t.app).get('/calculator').query({ principal: -5, ratePercent: 12, termMonths: 12, method: 'equal_installment' }).expect(400);
      expect(bad.text).toContain('value="-5"');
      expect(bad.text).toContain('field-error');
    });

    it('recommendations and the home page render with reasons', async () => {
      const reco = await request(t.app).get('/recommendations').query({ amount: 50000, termMonths: 12, purpose: '消费' }).expect(200);
      expect(reco.text).toContain('你的需求5万/12期在额度范围内');
      const home = await request(t.app).get('/').expect(200);
      expect(home.text).toContain('为你推荐');
    });
  });
});
