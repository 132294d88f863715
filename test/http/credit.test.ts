import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { ALL_FIELDS, consumerAgent, csrfFrom } from '../support/http';
import { scoreCredit } from '../../server/modules/credit';
import { auditLog, creditAssessments } from '../../server/db/schema';

/** A borrower with a good record: 良好 or better. */
const good = {
  monthlyIncome: '12000',
  incomeProof: 'payroll',
  employment: '上班族',
  tenureMonths: 36,
  housingFundPaid: true,
  housingFundMonths: 30,
  socialInsurancePaid: true,
  monthlyDebt: '1500',
  creditCards: 2,
  cardUtilisationPercent: 20,
  overdue: 'none',
  inquiries6m: 1,
  assets: ['vehicle'],
};
/** The same borrower in trouble: current overdue, many inquiries, heavy debt. */
const poor = { ...good, overdue: 'current', inquiries6m: 12, monthlyDebt: '9000', cardUtilisationPercent: 95, incomeProof: 'none', assets: [] };

describe('credit profile (信用评估)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('API: 401 anonymous, null before the first assessment, scored answers, a growing history, nobody else’s', async () => {
    await request(t.app).get('/api/v1/credit-profile').expect(401);
    await request(t.app).put('/api/v1/credit-profile').send(good).expect(401);

    const { agent, id } = await consumerAgent(t.app);
    const empty = (await agent.get('/api/v1/credit-profile').expect(200)).body;
    expect(empty).toMatchObject({ score: null, band: null, source: null, factors: [], tips: [], history: [] });
    expect(empty.notice).toBe('这是平台根据你填写的信息估算的参考分，不是征信机构的信用分');

    const first = (await agent.put('/api/v1/credit-profile').send(good).expect(200)).body;
    const expected = scoreCredit({
      monthlyIncomeFen: 1_200_000,
      incomeProof: 'payroll',
      employment: '上班族',
      tenureMonths: 36,
      housingFundPaid: true,
      housingFundMonths: 30,
      socialInsurancePaid: true,
      monthlyDebtFen: 150_000,
      creditCards: 2,
      cardUtilisationPercent: 20,
      overdue: 'none',
      inquiries6m: 1,
      assets: ['vehicle'],
    });
    expect(first).toMatchObject({ score: expected.score, band: expected.band, source: 'self_reported', debtToIncome: 0.125 });
    expect(first.score).toBeGreaterThanOrEqual(750);
    expect(first.bandLabel).toBe('极好');
    expect(first.factors).toEqual(expected.factors);
    expect(first.tips).toEqual(expected.tips);
    expect(first.history).toHaveLength(1);

    const second = (await agent.put('/api/v1/credit-profile').send(poor).expect(200)).body;
    expect(second.score).toBeLessThan(550);
    expect(second.band).toBe('poor');
    expect(second.tips[0]).toMatchObject({ text: '尽快还清当前逾期的欠款' });
    expect(second.history.map((h: { score: number }) => h.score)).toEqual([second.score, first.score]);
    const again = (await agent.get('/api/v1/credit-profile').expect(200)).body;
    expect(again).toMatchObject({ score: second.score, band: 'poor', history: second.history });

    // the audit log has the use case; the answers are sealed at rest
    const db = t.container.database.db;
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.action, 'credit.assessed'), eq(auditLog.objectId, id)));
    expect(audits).toHaveLength(2);
    const stored = await db.select().from(creditAssessments).where(eq(creditAssessments.accountId, id));
    expect(stored).toHaveLength(2);
    for (const row of stored) {
      expect(row.answersEnc).toMatch(/^v1\./);
      expect(row.answersEnc).not.toContain('上班族');
    }

    // another borrower sees only their own (nothing)
    const other = await consumerAgent(t.app);
    expect((await other.agent.get('/api/v1/credit-profile').expect(200)).body).toMatchObject({ score: null, history: [] });
  });

  it('API: bad input is the exact 400 naming the field', async () => {
    const { agent } = await consumerAgent(t.app, { verified: false });
    const bad = async (body: Record<string, unknown>) => (await agent.put('/api/v1/credit-profile').send(body).expect(400)).body.error;
    expect((await bad({ ...good, monthlyIncome: '-5' })).fields).toHaveProperty('monthlyIncome');
    expect((await bad({ ...good, overdue: 'sometimes' })).fields).toHaveProperty('overdue');
    expect((await bad({ ...good, cardUtilisationPercent: 120 })).fields).toHaveProperty('cardUtilisationPercent');
    expect((await bad({ ...good, assets: ['yacht'] })).fields).toHaveProperty('assets.0');
    expect((await bad({ ...good, score: 950 })).fields).toMatchObject({ score: '不允许的字段' });
    const { housingFundMonths, ...noMonths } = good;
    void housingFundMonths;
    expect((await bad(noMonths)).fields).toMatchObject({ housingFundMonths: '请填写公积金连续缴纳月数' });
    const e = await bad({ ...good, employment: undefined });
    expect(e).toMatchObject({ code: 'validation_failed', message: '信用评估信息有误' });
    expect(e.fields.employment).toBe('请选择职业类型');
    expect((await agent.get('/api/v1/credit-profile').expect(200)).body.history).toEqual([]);
  });

  it('page: login first; the form refused again with its fields (400); the result with factors, tips, label and history chart', async () => {
    const anon = await request(t.app).get('/account/credit').expect(303);
    expect(anon.headers.location).toMatch(/^\/login/);

    const { agent, id } = await consumerAgent(t.app, { verified: false });
    const account = await agent.get('/account').expect(200);
    expect(account.text).toContain('href="/account/credit"');
    const form = await agent.get('/account/credit').expect(200);
    expect(form.text).toContain('这是平台根据你填写的信息估算的参考分，不是征信机构的信用分');
    expect(form.text).not.toMatch(/预批|已预批|保证下款|pre-approved/i);
    const csrf = csrfFrom(form.text);
    const fields = { _csrf: csrf, ...good, housingFundPaid: '1', socialInsurancePaid: '1', tenureMonths: '36', housingFundMonths: '30', creditCards: '2', cardUtilisationPercent: '20', inquiries6m: '1' };

    const refused = await agent.post('/account/credit').type('form').send({ ...fields, monthlyIncome: 'abc', overdue: '' }).expect(400);
    expect(refused.text).toContain('请选择逾期情况');
    expect(refused.text).toMatch(/class="field-error">[^<]*月收入/);
    expect(refused.text).toContain('value="abc"'); // what was typed is kept

    const done = await agent.post('/account/credit').type('form').send(fields).expect(303);
    expect(done.headers.location).toBe('/account/credit#result');
    await agent.post('/account/credit').type('form').send({ ...fields, overdue: 'settled', inquiries6m: '4' }).expect(303);
    const page = await agent.get('/account/credit').expect(200);
    expect(page.text).toContain('data-testid="credit-score"');
    expect(page.text).toContain('加分的因素');
    expect(page.text).toContain('减分的因素');
    expect(page.text).toContain('有过逾期，已结清（-30 分）');
    expect(page.text).toMatch(/约可提高 <strong>\d+<\/strong> 分/);
    expect(page.text).toContain('参考分变化');
    expect(page.text).toContain('<svg');
    // the same use case as the API: one credit.assessed row per assessment, by the web door; none for the refused form
    const rows = await t.container.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'credit.assessed'), eq(auditLog.objectId, id)));
    expect(rows.map((r) => (r.detail as { door: string }).door)).toEqual(['web', 'web']);
    // the form shows the last answers again
    expect(page.text).toMatch(/<select name="overdue">.*<option value="settled" selected>/);
  });

  it('eligibility prefers the latest assessment over the self-assessed dropdown', async () => {
    const { catalogue } = t.container.services;
    const inst = t.fixtures.institutionA;
    const product = await catalogue.create({
      institutionId: inst.id,
      name: '甲优选贷',
      category: '信用贷',
      summary: '测试产品',
      minAmountFen: 100_000,
      maxAmountFen: 20_000_000,
      termOptions: [12],
      rateMin: '0.0720',
      rateMax: '0.1800',
      repaymentMethods: ['equal_installment'],
      eligibility: { minAge: 18, maxAge: 60, minMonthlyIncomeFen: 0, regions: [], employmentTypes: [], studentsExcluded: true, minCreditScore: 600 },
      requiredDocuments: ['身份证'],
      tags: ['测试'],
      decisionMinutes: 10,
      disbursementHours: 2,
      status: 'listed',
    });
    const body = { products: [{ productId: product.id, amount: 50000, termMonths: 12 }], purpose: '装修', consents: [{ institutionId: inst.id, fields: ALL_FIELDS }] };

    // the dropdown says 信用极好 (800), but the questionnaire scores below 600
    const low = await consumerAgent(t.app);
    await low.agent.put('/api/v1/profile').send({ creditSelfAssessment: 'excellent' }).expect(200);
    const assessed = (await low.agent.put('/api/v1/credit-profile').send(poor).expect(200)).body;
    expect(assessed.score).toBeLessThan(600);
    const refused = await low.agent.post('/api/v1/applications').set('Idempotency-Key', randomUUID()).send(body).expect(409);
    expect(refused.body.error.fields[product.id]).toContain('信用评分需不低于 600');

    // without an assessment the dropdown still counts
    const dropdown = await consumerAgent(t.app);
    await dropdown.agent.put('/api/v1/profile').send({ creditSelfAssessment: 'excellent' }).expect(200);
    await dropdown.agent.post('/api/v1/applications').set('Idempotency-Key', randomUUID()).send(body).expect(201);

    // the 我能申请 filter of the list uses the assessment too
    const filtered = (await low.agent.get('/api/v1/products').query({ eligible: '1', pageSize: 50 }).expect(200)).body;
    expect(filtered.items.map((p: { id: string }) => p.id)).not.toContain(product.id);
  });
});
