import { sql } from 'drizzle-orm';
import { queryRows } from '../../server/db/client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { apply, consumerAgent, readCode, staffAgent, AGREED } from '../support/http';

const hhmm = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);

const creditAnswers = {
  monthlyIncome: '9000',
  incomeProof: 'payroll',
  employment: '上班族',
  tenureMonths: 24,
  housingFundPaid: true,
  housingFundMonths: 20,
  socialInsurancePaid: true,
  monthlyDebt: '800',
  creditCards: 1,
  cardUtilisationPercent: 30,
  overdue: 'none',
  inquiries6m: 2,
  assets: [],
};

describe('contact preferences, data export and closing an account', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('institutions see the contact preferences and "stop contacting me" on every lead', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const defaults = await consumer.agent.get('/api/v1/contact-preferences').expect(200);
    expect(defaults.body).toMatchObject({ allowSms: true, allowCall: true, quietStart: '22:00', quietEnd: '08:00', blockedInstitutionIds: [] });
    const bad = await consumer.agent.put('/api/v1/contact-preferences').send({ allowSms: true, allowCall: false, quietStart: '25:00', quietEnd: '08:00' }).expect(400);
    expect(bad.body.error.fields.quietStart).toBeTruthy();
    await consumer.agent.put('/api/v1/contact-preferences').send({ allowSms: false, allowCall: false, quietStart: '21:00', quietEnd: '09:00' }).expect(200);
    await consumer.agent.post('/api/v1/contact-preferences/blocks').send({ institutionId: t.fixtures.institutionA.id, blocked: true }).expect(200);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const lead = await partner.get(`/api/partner/v1/leads/${app.id}`).expect(200);
    expect(lead.body.contact).toMatchObject({ allowSms: false, allowCall: false, quietStart: '21:00', quietEnd: '09:00', blocked: true });
    const page = await partner.get(`/partner/leads/${app.id}`).expect(200);
    expect(page.text).toContain('不再联系');
  });

  it('texts the consumer on a decision when allowed, held until quiet hours end', async () => {
    const consumer = await consumerAgent(t.app);
    const now = new Date();
    // quiet hours around now: the text must wait
    await consumer.agent
      .put('/api/v1/contact-preferences')
      .send({ allowSms: true, allowCall: true, quietStart: hhmm(new Date(now.getTime() - 3600_000)), quietEnd: hhmm(new Date(now.getTime() + 3600_000)) })
      .expect(200);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await partner.post(`/api/partner/v1/leads/${app.id}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.12 }).expect(200);
    const held = await t.container.services.notifications.lastSmsTo(consumer.phone);
    expect(held?.template).toBe('application.approved');
    expect(held?.status).toBe('held');
    expect(held!.sendAfter.getTime()).toBeGreaterThan(now.getTime() + 3000_000);

    // SMS not allowed: in-app only
    const quiet = await consumerAgent(t.app);
    await quiet.agent.put('/api/v1/contact-preferences').send({ allowSms: false, allowCall: true, quietStart: '22:00', quietEnd: '08:00' }).expect(200);
    const app2 = await apply(quiet.agent, t.fixtures.institutionA.productId);
    await partner.post(`/api/partner/v1/leads/${app2.id}/status`).send({ status: 'rejected', reason: 'income' }).expect(200);
    expect((await t.container.services.notifications.lastSmsTo(quiet.phone))?.template).toBe('otp.register'); // only the registration code
    expect((await quiet.agent.get('/api/v1/notifications').expect(200)).body.items[0].kind).toBe('application.rejected');
  });

  it('exports everything held about the consumer, to them only, audited', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionB.productId);
    const assessed = (await consumer.agent.put('/api/v1/credit-profile').send(creditAnswers).expect(200)).body;
    // what they wrote to the platform goes with it: complaints, feedback, desk conversations
    await consumer.agent.post('/api/v1/complaints').send({ category: 'platform', subject: '页面打不开', description: '申请页面在手机上一直转圈打不开' }).expect(201);
    await consumer.agent.post('/api/v1/feedback').set('X-Requested-With', 'XMLHttpRequest').field('category', 'suggestion').field('body', '希望增加夜间模式').expect(201);
    await consumer.agent.post('/api/v1/desk/conversations').send({ groupId: 'dg_repay', body: '这个月的还款日能不能推迟几天？' }).expect(201);
    const res = await consumer.agent.get('/api/v1/me/export').expect(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    expect(res.body.account.phone).toBe(consumer.phone);
    expect(res.body.identity.idNumber).toBe(consumer.idNumber);
    expect(res.body.applications.map((a: { id: string }) => a.id)).toEqual([app.id]);
    expect(res.body.consents[0].releases[0].channel).toBe('submission');
    // the credit assessments with the answers they were scored on (stored encrypted, theirs to take)
    expect(res.body.creditAssessments).toHaveLength(1);
    expect(res.body.creditAssessments[0]).toMatchObject({ score: assessed.score, band: assessed.band, source: 'self_reported' });
    expect(res.body.creditAssessments[0].answers).toMatchObject({ employment: '上班族', tenureMonths: 24, overdue: 'none' });
    expect(res.body.complaints).toEqual([expect.objectContaining({ subject: '页面打不开', description: '申请页面在手机上一直转圈打不开' })]);
    expect(res.body.feedback).toEqual([expect.objectContaining({ body: '希望增加夜间模式', answer: null })]);
    expect(res.body.conversations).toHaveLength(1);
    expect(res.body.conversations[0].messages.map((m: { body: string }) => m.body)).toContain('这个月的还款日能不能推迟几天？');
    expect(res.body.loans).toEqual([]);
    expect(res.body.reviews).toEqual([]);
    await request(t.app).get('/api/v1/me/export').expect(401);
    const audit = await t.container.services.audit.forObject('account', consumer.id);
    expect(audit.map((a) => a.action)).toContain('account.exported');
  });

  it('closes an account: password needed, nothing in progress, consents withdrawn, number free again', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    await consumer.agent.put('/api/v1/credit-profile').send(creditAnswers).expect(200);
    const assessments = () => queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from credit_assessments where account_id = ${consumer.id}`);
    expect((await assessments())[0]!.n).toBe(1);
    expect((await consumer.agent.post('/api/v1/me/close').send({ password: 'wrong-one1' }).expect(400)).body.error.fields.password).toBeTruthy();
    // an application in progress conflicts with closing (applications_open, as an erasure request says): 409, naming them
    const inProgress = (await consumer.agent.post('/api/v1/me/close').send({ password: PASSWORD }).expect(409)).body.error;
    expect(inProgress.code).toBe('applications_open');
    expect(inProgress.fields.applications).toBeTruthy();
    await consumer.agent.post(`/api/v1/applications/${app.id}/withdraw`).send({}).expect(200);
    await consumer.agent.post('/api/v1/me/close').send({ password: PASSWORD }).expect(204);
    await consumer.agent.get('/api/v1/me').expect(401);
    // the credit assessments (income, debts, overdue history) go with the account
    expect((await assessments())[0]!.n).toBe(0);
    await request(t.app).post('/api/v1/auth/login').send({ phone: consumer.phone, password: PASSWORD }).expect(401);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const lead = await partner.get(`/api/partner/v1/leads/${app.id}`).expect(200);
    expect(lead.body.applicant).toBeNull();
    await partner.post(`/api/partner/v1/leads/${app.id}/reveal`).send({}).expect(403);
    // the number is free: it can register a new account (a minute later, past the code throttle)
    await t.container.services.accounts.requestCode(consumer.phone, 'register', new Date(Date.now() + 61_000));
    const code = await readCode(t.app, consumer.phone);
    const again = await request(t.app).post('/api/v1/auth/register').send({ phone: consumer.phone, code, password: PASSWORD, agreements: AGREED }).expect(201);
    expect(again.body.account.id).not.toBe(consumer.id);
  });
});

describe('bank card', () => {
  it('is Luhn-checked, stored encrypted, shown masked, revealed to its owner only', async () => {
    const t = await startTestApp();
    try {
      const consumer = await consumerAgent(t.app);
      const bad = await consumer.agent.put('/api/v1/bank-card').send({ cardNumber: '6222021234567890123' }).expect(400);
      expect(bad.body.error.fields.cardNumber).toBeTruthy();
      const ok = await consumer.agent.put('/api/v1/bank-card').send({ cardNumber: '6222 0212 3456 7890 128' }).expect(200);
      expect(ok.body.bankCard.cardMasked).toBe('6222 **** **** 0128');
      const rows = await queryRows(t.container.database.db, sql`select * from bank_cards`);
      expect(JSON.stringify(rows)).not.toContain('6222021234567890128');
      expect((await consumer.agent.post('/api/v1/bank-card/reveal').send({}).expect(200)).body.cardNumber).toBe('6222021234567890128');
      const other = await consumerAgent(t.app);
      expect((await other.agent.get('/api/v1/bank-card').expect(200)).body.bankCard).toBeNull();
      await request(t.app).get('/api/v1/bank-card').expect(401);
    } finally {
      await t.close();
    }
  });
});
