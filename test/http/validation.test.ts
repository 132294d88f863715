import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { AGREED, apply, applicationInput, consumerAgent, csrfFrom, newPhone, readCode, register, staffAgent } from '../support/http';
import { PASSWORD } from '../support/fixtures';
import { acceptOffer } from '../support/offers';

/** Bad input gets a 4xx naming the field and the reason, never a 500, and nothing is saved. */
describe('bad input to each endpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const expectFields = (res: request.Response, status: number, ...fields: string[]) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBeTruthy();
    expect(res.body.error.message).toBeTruthy();
    for (const f of fields) expect(res.body.error.fields?.[f], `field ${f} in ${JSON.stringify(res.body)}`).toBeTruthy();
  };

  it('GET /api/v1/products', async () => {
    expectFields(await request(t.app).get('/api/v1/products?amount=-5'), 400, 'amount');
    expectFields(await request(t.app).get('/api/v1/products?pageSize=1000'), 400, 'pageSize');
    expectFields(await request(t.app).get('/api/v1/products?sort=cheapest'), 400, 'sort');
    expectFields(await request(t.app).get('/api/v1/products?termMonths=1.5'), 400, 'termMonths');
    expectFields(await request(t.app).get('/api/v1/products?role=admin'), 400, 'role');
    expect((await request(t.app).get('/api/v1/products/prd_nope')).status).toBe(404);
  });

  it('POST /api/v1/auth/register and login', async () => {
    expectFields(await request(t.app).post('/api/v1/auth/register').send({ phone: '12345', password: PASSWORD }), 400, 'phone');
    expectFields(await request(t.app).post('/api/v1/auth/register').send({ phone: newPhone(), password: 'short' }), 400, 'password');
    expectFields(await request(t.app).post('/api/v1/auth/register').send({ phone: newPhone(), password: 'abcdefghij' }), 400, 'password');
    expectFields(await request(t.app).post('/api/v1/auth/register').send({ phone: newPhone(), password: PASSWORD, role: 'operator' }), 400, 'role');
    expectFields(await request(t.app).post('/api/v1/auth/register').send({ phone: newPhone(), password: PASSWORD }), 400, 'code');
    const unsent = newPhone();
    expectFields(await request(t.app).post('/api/v1/auth/register').send({ phone: unsent, code: '123456', password: PASSWORD, agreements: AGREED }), 400, 'code');
    expectFields(await request(t.app).post('/api/v1/auth/sms-code').send({ phone: '123', purpose: 'register' }), 400, 'phone');
    expectFields(await request(t.app).post('/api/v1/auth/sms-code').send({ phone: newPhone(), purpose: 'unlock' }), 400, 'purpose');
    const phone = newPhone();
    expect((await register(request.agent(t.app), t.app, phone)).status).toBe(201);
    // a minute later the same number asks again and tries to register a second time
    await t.container.services.accounts.requestCode(phone, 'register', new Date(Date.now() + 61_000));
    const again = await request(t.app).post('/api/v1/auth/register').send({ phone, code: await readCode(t.app, phone), password: PASSWORD, agreements: AGREED });
    expectFields(again, 409, 'phone');
    expectFields(await request(t.app).post('/api/v1/auth/login').send({ phone: 'abc', password: 'x' }), 400, 'phone');
    const wrong = await request(t.app).post('/api/v1/auth/login').send({ phone, password: 'Wrong1234' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe('手机号或密码错误');
    const bad = await request(t.app).post('/api/v1/auth/login').set('content-type', 'application/json').send('{"phone": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
  });

  it('POST /api/v1/applications', async () => {
    const { agent } = await consumerAgent(t.app);
    const post = (body: unknown, key: string | null = randomUUID()) => {
      const req = agent.post('/api/v1/applications');
      if (key) req.set('Idempotency-Key', key);
      return req.send(body as object);
    };
    const { productId, id: institutionId } = { productId: t.fixtures.institutionA.productId, id: t.fixtures.institutionA.id };
    const input = (extra: Record<string, unknown> = {}, item: Record<string, unknown> = {}) =>
      applicationInput(productId, institutionId, { products: [{ productId, amount: 50000, termMonths: 12, ...item }], ...extra });
    expectFields(await post(input(), null), 400, 'Idempotency-Key');
    expectFields(await post(input(), 'short'), 400, 'Idempotency-Key');
    expectFields(await post(input({ products: [] })), 400, 'products');
    expectFields(await post(input({}, { productId: undefined })), 400, 'products.0.productId');
    expectFields(await post(input({}, { amount: '12.345' })), 400, 'products.0.amount');
    expectFields(await post(input({ purpose: '炒股' })), 400, 'purpose');
    expectFields(await post(input({ status: 'approved' })), 400, 'status');
    expectFields(await post(input({ consents: [{ institutionId, fields: ['realName'] }] })), 400, 'consents');
    expectFields(await post(input({ consents: [{ institutionId, fields: ['bankPassword'] }] })), 400, 'consents.0.fields.0');
    // refused per product, with the reason, before any data leaves
    const unknown = await post(input({}, { productId: 'prd_unknown' }));
    expectFields(unknown, 409, 'prd_unknown');
    const tooMuch = await post(input({}, { amount: 999999999 }));
    expectFields(tooMuch, 409, productId);
    expect(tooMuch.body.error.fields[productId]).toContain('借款金额需在');
    expect((await post(input({}, { termMonths: 7 }))).body.error.fields[productId]).toContain('可选期限');
    const noConsent = await post(input({ consents: [] }));
    expectFields(noConsent, 409, productId);
    expect(noConsent.body.error.fields[productId]).toContain('没有授权');
    const list = await agent.get('/api/v1/applications').expect(200);
    expect(list.body.items).toEqual([]); // nothing was saved by any bad request
    expect((await agent.get('/api/v1/data-releases').expect(200)).body.items).toEqual([]); // and nothing left
    const form = await agent.post('/api/v1/applications').set('Idempotency-Key', randomUUID()).type('form').send('productId=x');
    expect(form.status).toBe(415);
    const unverified = await consumerAgent(t.app, { verified: false });
    const refused = await unverified.agent.post('/api/v1/applications').set('Idempotency-Key', randomUUID()).send(input());
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('identity_required');
  });

  it('POST /api/partner/v1/leads/:id/status', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const post = (body: object) => partner.post(`/api/partner/v1/leads/${app.id}/status`).send(body);
    expectFields(await post({ status: 'paid' }), 400, 'status');
    expectFields(await post({ status: 'approved', offeredTermMonths: 12, offeredApr: 0.1 }), 400, 'offeredAmount');
    expectFields(await post({ status: 'approved', offeredAmount: 1000, offeredTermMonths: 12, offeredApr: 0.5 }), 400, 'offeredApr');
    expectFields(await post({ status: 'rejected', reason: 'because' }), 400, 'reason');
    expectFields(await post({ status: 'disbursed', amount: 1000 }), 409, 'status');
    await post({ status: 'approved', offeredAmount: 1000, offeredTermMonths: 12, offeredApr: 0.1 }).expect(200);
    // before the borrower accepts: a 409 naming the status
    expectFields(await post({ status: 'disbursed', amount: 1000 }), 409, 'status');
    await acceptOffer(t, app.id);
    expectFields(await post({ status: 'disbursed', amount: 2000 }), 400, 'amount');
    expectFields(await post({ status: 'disbursed', amount: 1000, commission: 0 }), 400, 'commission');
    const lead = await partner.get(`/api/partner/v1/leads/${app.id}`).expect(200);
    expect(lead.body.status).toBe('accepted');
    expect((await t.container.services.settlement.journalsForApplication(app.id)).map((j) => j.kind)).toEqual(['commission_cpl', 'commission_cpa']);
  });

  it('GET /api/admin/v1/applications and unknown API paths', async () => {
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    expectFields(await operator.get('/api/admin/v1/applications?status=paid'), 400, 'status');
    expectFields(await request(t.app).post('/api/admin/v1/auth/login').send({ username: '', password: 'x' }), 400, 'username');
    const missing = await request(t.app).get('/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('what PostgreSQL cannot store, or the server cannot walk, is refused at the edge with a 400 naming the field', async () => {
    const { agent } = await consumerAgent(t.app);
    const app = await apply(agent, t.fixtures.institutionA.productId);
    const message = await agent.post(`/api/v1/applications/${app.id}/messages`).send({ body: '你好\u0000在吗' });
    expectFields(message, 400, 'body');
    expect(message.body.error).toMatchObject({ code: 'validation_failed', fields: { body: '不能包含空字符（\\0）' } });
    expect((await agent.get(`/api/v1/applications/${app.id}/messages`).expect(200)).body.items).toEqual([]);
    // the query too, and an id in the path
    expectFields(await request(t.app).get('/api/v1/products?q=%E4%BF%A1%00'), 400, 'q');
    expectFields(await agent.post('/api/v1/applications/app%00x/withdraw').send({}), 400, 'path');
    // 10,000-deep JSON on an Idempotency-Key route (it overflowed the stack while fingerprinting the body)
    const deep = await agent
      .post('/api/v1/applications')
      .set('Idempotency-Key', randomUUID())
      .set('Content-Type', 'application/json')
      .send(`{"purpose":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expectFields(deep, 400, 'purpose');
    expect(deep.body.error.fields.purpose).toBe('嵌套不能超过 32 层');
    // a form is shown an HTML 400 page naming the field
    const page = await agent.get(`/applications/${app.id}`).expect(200);
    const form = await agent.post(`/applications/${app.id}/messages`).type('form').send({ _csrf: csrfFrom(page.text), body: 'a\u0000b' }).expect(400);
    expect(form.headers['content-type']).toContain('text/html');
    expect(form.text).toContain('「body」不能包含空字符');
  });

  it('JSON in any charset but UTF-8 is a 415', async () => {
    const { agent } = await consumerAgent(t.app);
    const body = '{"body":"+AGE-"}';
    for (const charset of ['utf-7', 'UTF-16', 'utf-16le', 'iso-8859-1', 'gbk', 'x-unknown']) {
      const res = await agent.put('/api/v1/profile').set('Content-Type', `application/json; charset=${charset}`).send(body);
      expect(res.status, charset).toBe(415);
      expect(res.body.error).toMatchObject({ code: 'unsupported_media_type', message: 'JSON 请求体须为 UTF-8 编码（Content-Type: application/json; charset=utf-8）' });
    }
    for (const type of ['application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'application/json']) {
      await agent.put('/api/v1/profile').set('Content-Type', type).send('{"city":"成都"}').expect(200);
    }
  });
});
