import { sql } from 'drizzle-orm';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { startTestApp, type TestApp } from '../support/app';
import { apply, consumerAgent, csrfFrom } from '../support/http';

describe('预审 before consent: GET /api/v1/precheck', () => {
  let t: TestApp;
  let hangzhouOnly: string;
  let scoreOver700: string;
  const count = async (table: 'consents' | 'applications', consumerId: string) =>
    (await queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from ${sql.identifier(table)} where consumer_id = ${consumerId}`))[0]!.n;

  beforeAll(async () => {
    t = await startTestApp();
    const { catalogue } = t.container.services;
    const base = {
      institutionId: t.fixtures.institutionB.id,
      category: '信用贷',
      summary: '测试产品',
      minAmountFen: 100_000,
      maxAmountFen: 5_000_000,
      termOptions: [12, 24],
      rateMin: '0.0800',
      rateMax: '0.2000',
      repaymentMethods: ['equal_installment'],
      requiredDocuments: ['身份证'],
      tags: [],
      decisionMinutes: 30,
      disbursementHours: 24,
      status: 'listed' as const,
    };
    hangzhouOnly = (await catalogue.create({ ...base, name: '乙杭州贷', eligibility: { minAge: 18, maxAge: 60, minMonthlyIncomeFen: 0, regions: ['杭州'], employmentTypes: [], studentsExcluded: true } })).id;
    scoreOver700 = (
      await catalogue.create({ ...base, name: '乙优享贷', eligibility: { minAge: 18, maxAge: 60, minMonthlyIncomeFen: 0, regions: [], employmentTypes: [], studentsExcluded: true, minCreditScore: 700 } })
    ).id;
  });
  afterAll(() => t?.close());

  it('refuses an ineligible product (region, score) with its reason before any consent exists, and writes nothing', async () => {
    const consumer = await consumerAgent(t.app);
    await consumer.agent.put('/api/v1/profile').send({ city: '上海', creditSelfAssessment: 'fair' }).expect(200);
    const res = await consumer.agent.get('/api/v1/precheck').query({ products: `${hangzhouOnly},${scoreOver700},${t.fixtures.institutionA.productId}` }).expect(200);
    const byId = new Map(res.body.items.map((i: { productId: string }) => [i.productId, i]));
    expect(byId.get(hangzhouOnly)).toMatchObject({ productName: '乙杭州贷', eligible: false, reasons: ['仅限 杭州 地区'], duplicateOf: null, price: null });
    expect(byId.get(scoreOver700)).toMatchObject({ eligible: false, reasons: ['信用评分需不低于 700'] });
    expect(byId.get(t.fixtures.institutionA.productId)).toMatchObject({ eligible: true, reasons: [] });
    // nobody has decided anything yet: every product is 数据不足 with the prior from its stated criteria
    expect(byId.get(hangzhouOnly)).toMatchObject({ odds: { band: '数据不足', low: 0, high: 0.1, basis: 'prior', decisions: 0 } });
    expect(byId.get(t.fixtures.institutionA.productId)).toMatchObject({ odds: { band: '数据不足', low: 0.21, high: 0.79, basis: 'prior', decisions: 0 } });
    expect(res.body.missing).toEqual([]);
    expect(await count('consents', consumer.id)).toBe(0);
    expect(await count('applications', consumer.id)).toBe(0);
  });

  it('names the application when the product was applied for within 30 days', async () => {
    const consumer = await consumerAgent(t.app);
    const first = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const res = await consumer.agent.get(`/api/v1/precheck?products=${t.fixtures.institutionA.productId},${t.fixtures.institutionB.productId}`).expect(200);
    const [a, b] = res.body.items;
    expect(a.duplicateOf).toEqual({ applicationId: first.id, createdAt: expect.any(String) });
    expect(b.duplicateOf).toBeNull();
  });

  it('prices each product for the amount and term, the same range the product list shows; an amount or term not offered is a reason', async () => {
    const consumer = await consumerAgent(t.app);
    const { productId } = t.fixtures.institutionA;
    const res = await consumer.agent.get('/api/v1/precheck').query({ products: `${productId},${hangzhouOnly}`, amount: '30000', termMonths: '12' }).expect(200);
    const [a, hz] = res.body.items;
    expect(a.price.monthlyLow).toBeGreaterThan(2500);
    expect(a.price.monthlyLow).toBeLessThan(a.price.monthlyHigh);
    expect(a.price.totalCostLow).toBeLessThan(a.price.totalCostHigh);
    expect(a.price.aprLow).toBeCloseTo(0.072, 2);
    expect(a.price.aprHigh).toBeCloseTo(0.18, 2);
    const list = await supertest(t.app).get('/api/v1/products').query({ amount: '30000', termMonths: '12', pageSize: 50 }).expect(200);
    expect(a.price).toEqual(list.body.items.find((i: { id: string }) => i.id === productId).price);
    expect(hz.price).not.toBeNull(); // priced even where the region rule refuses: the reason says why

    const outside = await consumer.agent.get('/api/v1/precheck').query({ products: productId, amount: '300000', termMonths: '36' }).expect(200);
    expect(outside.body.items[0]).toMatchObject({ eligible: false, price: null });
    expect(outside.body.items[0].reasons).toEqual([expect.stringMatching(/^借款金额需在 .+ 至 .+ 之间$/), '可选期限：6、12、24 个月']);
  });

  it('answers ids that are not listed products under missing', async () => {
    const consumer = await consumerAgent(t.app);
    const res = await consumer.agent.get('/api/v1/precheck').query({ products: `${t.fixtures.institutionA.productId},prd_nope` }).expect(200);
    expect(res.body.items.map((i: { productId: string }) => i.productId)).toEqual([t.fixtures.institutionA.productId]);
    expect(res.body.missing).toEqual(['prd_nope']);
  });

  it('is for signed-in consumers only', async () => {
    const res = await supertest(t.app).get(`/api/v1/precheck?products=${t.fixtures.institutionA.productId}`).expect(401);
    expect(res.body.error.code).toBeTruthy();
  });

  it('refuses bad input with 400 naming the field', async () => {
    const consumer = await consumerAgent(t.app);
    const none = await consumer.agent.get('/api/v1/precheck').expect(400);
    expect(Object.keys(none.body.error.fields)).toEqual(['products']);
    const tooMany = await consumer.agent.get('/api/v1/precheck').query({ products: Array.from({ length: 11 }, (_, i) => `prd_${i}`).join(',') }).expect(400);
    expect(tooMany.body.error.fields).toEqual({ products: '一次最多预审 10 款产品' });
    const amount = await consumer.agent.get('/api/v1/precheck').query({ products: t.fixtures.institutionA.productId, amount: '-5' }).expect(400);
    expect(Object.keys(amount.body.error.fields)).toEqual(['amount']);
    const term = await consumer.agent.get('/api/v1/precheck').query({ products: t.fixtures.institutionA.productId, termMonths: '1.5' }).expect(400);
    expect(term.body.error.fields).toEqual({ termMonths: '期限须为整数' });
    const unknown = await consumer.agent.get('/api/v1/precheck').query({ products: t.fixtures.institutionA.productId, role: 'admin' }).expect(400);
    expect(unknown.body.error.fields).toEqual({ role: '不允许的字段' });
  });
  it('the apply page unticks what cannot be applied for, with the reason or the earlier application, and asks consent only for the rest', async () => {
    const consumer = await consumerAgent(t.app);
    await consumer.agent.put('/api/v1/profile').send({ city: '上海', employment: '上班族', monthlyIncome: 12000, housing: '租房', monthlyDebt: 0, creditSelfAssessment: 'good' }).expect(200);
    const earlier = await apply(consumer.agent, t.fixtures.institutionB.productId);
    const { productId } = t.fixtures.institutionA;
    const page = await consumer.agent.get(`/apply?products=${hangzhouOnly},${t.fixtures.institutionB.productId},${productId}&amount=30000&termMonths=12`).expect(200);
    const [blocked, form] = page.text.split('<form class="stack wide" method="post" action="/apply/review">');
    expect(blocked).toContain('data-testid="precheck-blocked"');
    expect(blocked).toContain('不符合条件：仅限 杭州 地区');
    expect(blocked).toContain(`<a href="/applications/${earlier.id}">查看已有申请</a>`);
    expect(form).toContain(`name="productId" value="${productId}"`);
    expect(form).not.toContain(`name="productId" value="${hangzhouOnly}"`);
    expect(form).not.toContain(`name="productId" value="${t.fixtures.institutionB.productId}"`);
    expect(form).toMatch(/data-testid="apply-odds">符合申请条件 · 下款概率（参考）：<b>数据不足<\/b>，21%–79%/);
    expect(form).toContain('data-testid="apply-price"');
    expect(page.text).not.toMatch(/预批|保证下款/);
    // the consent screen names only the institution of the product that passed
    const review = await consumer.agent
      .post('/apply/review')
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfFrom(page.text))}&productId=${productId}&amount=30000&termMonths=12&purpose=${encodeURIComponent('消费')}`)
      .expect(200);
    expect(review.text).toContain('同意向「甲银行」提供以下信息');
    expect(review.text).not.toContain('同意向「乙银行」提供以下信息');
  });

  it('an answer given on the apply form that rules a product out is caught before the consent screen', async () => {
    const consumer = await consumerAgent(t.app);
    await consumer.agent.put('/api/v1/profile').send({ employment: '上班族', monthlyIncome: 12000, housing: '租房', monthlyDebt: 0, creditSelfAssessment: 'good' }).expect(200);
    const page = await consumer.agent.get(`/apply?products=${hangzhouOnly}&amount=30000&termMonths=12`).expect(200);
    expect(page.text).toMatch(/name="city"/); // the city is not known yet: nothing rules the product out
    const review = await consumer.agent
      .post('/apply/review')
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfFrom(page.text))}&productId=${hangzhouOnly}&amount=30000&termMonths=12&purpose=${encodeURIComponent('消费')}&city=${encodeURIComponent('上海')}`)
      .expect(200);
    expect(review.text).toContain('data-testid="precheck-notice"');
    expect(review.text).toContain('不符合条件：仅限 杭州 地区');
    expect(review.text).toContain('data-testid="precheck-none"');
    expect(review.text).not.toContain('同意向「乙银行」提供以下信息');
    expect(await count('consents', consumer.id)).toBe(0);
  });

  it('compare runs the same precheck: reasons and the earlier application per column, apply buttons only for the rest, odds labelled as an estimate', async () => {
    const consumer = await consumerAgent(t.app);
    await consumer.agent.put('/api/v1/profile').send({ city: '上海', employment: '上班族', monthlyIncome: 12000, housing: '租房', monthlyDebt: 0, creditSelfAssessment: 'good' }).expect(200);
    const earlier = await apply(consumer.agent, t.fixtures.institutionB.productId);
    const { productId } = t.fixtures.institutionA;
    const ids = [hangzhouOnly, t.fixtures.institutionB.productId, productId];
    const page = await consumer.agent.get('/compare').query({ ids, amount: '30000', termMonths: '12' }).expect(200);
    const cell = (id: string) => page.text.match(new RegExp(`<td data-product-id="${id}">([\\s\\S]*?)</td>`))![1]!;
    expect(cell(hangzhouOnly)).toContain('不符合：仅限 杭州 地区');
    expect(cell(t.fixtures.institutionB.productId)).toContain(`<a href="/applications/${earlier.id}">查看已有申请</a>`);
    expect(cell(productId)).toContain('符合申请条件');
    expect(page.text.match(/data-testid="compare-odds"/g)).toHaveLength(3);
    expect(page.text).toContain('仅供参考，以机构审批为准');
    expect(page.text.match(/data-testid="compare-blocked"/g)).toHaveLength(2);
    // one-click apply carries only the product that passed, and says what it left out
    expect(page.text).toContain(`href="/apply?products=${productId}&amount=30000&termMonths=12" data-testid="apply-all">一键申请可申请的 1 款</a>`);
    expect(page.text).toContain('已排除 2 款暂不能申请的产品');

    // signed out: no precheck, an invitation to sign in that comes back here
    const anonymous = await supertest(t.app).get('/compare').query({ ids, amount: '30000', termMonths: '12' }).expect(200);
    expect(anonymous.text).toContain('data-testid="compare-login"');
    expect(anonymous.text).not.toContain('data-testid="compare-precheck"');
    expect(anonymous.text).toContain('一键申请这 3 款');
  });
});
