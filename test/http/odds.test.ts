import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoHistory } from '../../server/modules/odds';
import { startTestApp, type TestApp } from '../support/app';
import { consumerAgent, csrfFrom, staffAgent } from '../support/http';

type Agent = ReturnType<typeof supertest.agent>;
const BANDS = ['高', '中', '低', '数据不足'];

function expectOddsShape(o: unknown) {
  expect(Object.keys(o as object).sort()).toEqual(['band', 'basis', 'decisions', 'high', 'low']);
  const odds = o as { band: string; low: number; high: number; basis: string; decisions: number };
  expect(BANDS).toContain(odds.band);
  expect(odds.low).toBeGreaterThanOrEqual(0);
  expect(odds.high).toBeLessThanOrEqual(1);
  expect(odds.low).toBeLessThanOrEqual(odds.high);
}

describe('下款概率 over HTTP: a product’s odds, the calibration, odds on lists', () => {
  let t: TestApp;
  let borrower: Agent;
  let productA: string;
  beforeAll(async () => {
    t = await startTestApp();
    productA = t.fixtures.institutionA.productId;
    borrower = (await consumerAgent(t.app)).agent;
    await borrower.put('/api/v1/profile').send({ city: '上海', monthlyIncome: 12000, monthlyDebt: 1500, employment: '上班族', creditSelfAssessment: 'good' }).expect(200);
  });
  afterAll(() => t?.close());

  it('with no decided applications: the calibration says no model, the odds are the prior (数据不足)', async () => {
    const cal = await supertest(t.app).get('/api/v1/odds/calibration').expect(200);
    expect(cal.body).toMatchObject({ fitted: false, fittedAt: null, decisions: 0, heldOut: 0, brier: null, reliability: [], minDecisions: 200, minProductDecisions: 50 });
    const res = await borrower.get(`/api/v1/products/${productA}/odds`).expect(200);
    expect(res.body).toEqual({ band: '数据不足', low: 0.21, high: 0.79, basis: 'prior', decisions: 0 });

    // the pages say so too; 重新拟合 with too few decisions keeps no model and says why
    const page = await supertest(t.app).get('/odds').expect(200);
    expect(page.text).toContain('下款概率是估计，不是承诺');
    expect(page.text).toContain('data-testid="odds-no-model"');
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const admin = await operator.get('/admin/odds').expect(200);
    expect(admin.text).toContain('data-testid="odds-no-model"');
    const refit = await operator.post('/admin/odds/refit').type('form').send({ _csrf: csrfFrom(admin.text) }).expect(303);
    expect(refit.headers.location).toBe('/admin/odds');
    expect((await operator.get('/admin/odds').expect(200)).text).toContain('已审批的申请只有 0 笔，少于 200 笔');
    expect(await t.container.services.odds.current()).toBeNull();
  });

  it('after a refit on thousands of decisions: the model’s odds and its held-out scores against the base rate', async () => {
    const { odds, catalogue } = t.container.services;
    await odds.importHistory(generateDemoHistory(catalogue.allListed(), { now: new Date(), seed: 11, count: 2000 }));
    expect((await odds.refit('job')).status).toBe('fitted');

    const res = await borrower.get(`/api/v1/products/${productA}/odds`).query({ amount: 30000, termMonths: 12 }).expect(200);
    expectOddsShape(res.body);
    expect(res.body.basis).toBe('model');
    expect(res.body.decisions).toBeGreaterThan(500);

    const cal = await supertest(t.app).get('/api/v1/odds/calibration').expect(200);
    expect(cal.body.fitted).toBe(true);
    expect(cal.body.decisions).toBe(2000);
    expect(cal.body.heldOut).toBeGreaterThan(300);
    expect(cal.body.brier.model).toBeLessThan(cal.body.brier.baseRate);
    expect(cal.body.logLoss.model).toBeLessThan(cal.body.logLoss.baseRate);
    expect(cal.body.reliability).toHaveLength(10);
    expect(cal.body.reliability.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(cal.body.heldOut);

    // the public page: the figures, the chart
    const page = await supertest(t.app).get('/odds').expect(200);
    expect(page.text).toContain(`data-testid="odds-decisions">${cal.body.decisions}<`);
    expect(page.text).toContain(`data-testid="odds-brier">${cal.body.brier.model.toFixed(3)}<`);
    expect(page.text).toMatch(/data-testid="reliability-chart"[\s\S]*<svg /);
  });

  it('the operator page shows the coefficients, the products’ decisions and the fits; 重新拟合 runs the job through the scheduler, audited', async () => {
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const before = await operator.get('/admin/odds').expect(200);
    expect(before.text).toContain('信用分（以 650 为基准，每 100 分一档）');
    expect(before.text).toContain('data-feature="institution_rate"');
    expect(before.text).toContain(`data-product="${productA}"`);
    expect(before.text).toContain('data-testid="reliability-chart"');
    expect(before.text.match(/data-fit="/g)).toHaveLength(1);
    // the nav links here
    expect(before.text).toContain('href="/admin/odds"');

    // new decided history, then 重新拟合: a second model is stored and used
    const { odds, catalogue } = t.container.services;
    await odds.importHistory(generateDemoHistory(catalogue.allListed(), { now: new Date(), seed: 12, count: 500 }));
    const res = await operator.post('/admin/odds/refit').type('form').send({ _csrf: csrfFrom(before.text) }).expect(303);
    expect(res.headers.location).toBe('/admin/odds');
    const after = await operator.get('/admin/odds').expect(200);
    expect(after.text).toContain('已重新拟合：2500 笔已审批申请');
    expect(after.text.match(/data-fit="/g)).toHaveLength(2);
    expect((await odds.currentFit())?.row.decisions).toBe(2500);
    const runs = await t.container.services.jobs.recent('odds-refit', 5);
    expect(runs[0]).toMatchObject({ trigger: 'manual', outcome: 'succeeded', processed: 2500 });
    const audit = await operator.get('/admin/audit').query({ action: 'job.run_manually' }).expect(200);
    expect(audit.text).toContain('odds-refit');

    // without the CSRF token: refused, nothing runs
    await operator.post('/admin/odds/refit').type('form').send({}).expect(403);
  });

  it('the product cards and the product page show the band and range to a signed-in borrower only, linked to /odds', async () => {
    const list = await borrower.get('/products').expect(200);
    expect(list.text).toMatch(/data-testid="odds"><a href="\/odds"[^>]*>下款概率 <b class="odds-band odds-(high|medium|low)" data-testid="odds-band">[高中低]<\/b> · \d+%–\d+%/);
    expect(list.text).toContain('（估计，仅供参考）');
    const product = await borrower.get(`/products/${productA}`).expect(200);
    expect(product.text).toMatch(/data-testid="odds"><a href="\/odds"/);
    const home = await borrower.get('/').expect(200);
    expect(home.text).toContain('data-testid="odds"');
    for (const path of ['/products', `/products/${productA}`, '/']) {
      expect((await supertest(t.app).get(path).expect(200)).text).not.toContain('data-testid="odds"');
    }
  });

  it('answers 401 to anyone not signed in as a borrower, 404 for an unknown product, 400 for a bad amount or term', async () => {
    await supertest(t.app).get(`/api/v1/products/${productA}/odds`).expect(401);
    await borrower.get('/api/v1/products/prd_nosuchproduct/odds').expect(404);
    const notNumber = await borrower.get(`/api/v1/products/${productA}/odds`).query({ amount: 'lots' }).expect(400);
    expect(Object.keys(notNumber.body.error.fields)).toEqual(['amount']);
    const outside = await borrower.get(`/api/v1/products/${productA}/odds`).query({ amount: 999999 }).expect(400);
    expect(outside.body.error.fields).toEqual({ amount: '借款金额需在 1,000元 至 20万 之间' });
    const term = await borrower.get(`/api/v1/products/${productA}/odds`).query({ termMonths: 7 }).expect(400);
    expect(term.body.error.fields).toEqual({ termMonths: '可选期限：6、12、24 个月' });
    await borrower.get(`/api/v1/products/${productA}/odds`).query({ colour: 'red' }).expect(400);
  });

  it('every item of the product list, compare and recommendations carries odds for a signed-in borrower, none for anonymous callers', async () => {
    const signedIn = await borrower.get('/api/v1/products').query({ amount: 30000, termMonths: 12 }).expect(200);
    expect(signedIn.body.items.length).toBeGreaterThan(0);
    for (const item of signedIn.body.items) expectOddsShape(item.odds);
    const anonymous = await supertest(t.app).get('/api/v1/products').query({ amount: 30000, termMonths: 12 }).expect(200);
    for (const item of anonymous.body.items) expect(item).not.toHaveProperty('odds');

    const ids = `${productA},${t.fixtures.institutionB.productId}`;
    const compare = await borrower.get('/api/v1/compare').query({ ids }).expect(200);
    expect(compare.body.items).toHaveLength(2);
    for (const item of compare.body.items) expectOddsShape(item.odds);
    const compareAnonymous = await supertest(t.app).get('/api/v1/compare').query({ ids }).expect(200);
    for (const item of compareAnonymous.body.items) expect(item).not.toHaveProperty('odds');

    const recommended = await borrower.get('/api/v1/recommendations').expect(200);
    expect(recommended.body.items.length).toBeGreaterThan(0);
    for (const item of recommended.body.items) expectOddsShape(item.odds);
    const recommendedAnonymous = await supertest(t.app).get('/api/v1/recommendations').expect(200);
    for (const item of recommendedAnonymous.body.items) expect(item).not.toHaveProperty('odds');

    // the list, the product endpoint and the precheck agree: one function computes them
    const one = await borrower.get(`/api/v1/products/${productA}/odds`).query({ amount: 30000 }).expect(200);
    const listed = signedIn.body.items.find((i: { id: string }) => i.id === productA);
    expect(listed.odds).toEqual(one.body);
    const pre = await borrower.get('/api/v1/precheck').query({ products: productA, amount: 30000, termMonths: 12 }).expect(200);
    expect(pre.body.items[0].odds).toEqual(one.body);
  });
});
