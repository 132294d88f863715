import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { consumerAgent, csrfFrom, newPhone, readCode, register, smsCode, staffAgent, AGREED, AGREED_FORM } from '../support/http';

describe('accounts: SMS codes, passwords, sessions, notifications', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('PUT /api/v1/profile saves what is sent, clears what is null, keeps the rest, and refuses an empty body', async () => {
    const { agent } = await consumerAgent(t.app);
    await agent.put('/api/v1/profile').send({ city: '杭州', employment: '上班族', monthlyIncome: 12000, age: 30 }).expect(200);
    const partial = await agent.put('/api/v1/profile').send({ monthlyIncome: 15000, city: null }).expect(200);
    expect(partial.body).toMatchObject({ city: null, employment: '上班族', monthlyIncome: 15000, age: 30 });
    const empty = await agent.put('/api/v1/profile').send({}).expect(400);
    expect(empty.body.error.fields.profile).toBe('请至少提供一项资料');
    expect((await agent.get('/api/v1/profile').expect(200)).body).toMatchObject({ city: null, employment: '上班族', monthlyIncome: 15000, age: 30 });
  });

  it('sends a code once a minute per number, and burns it after five wrong tries', async () => {
    const phone = newPhone();
    await request(t.app).post('/api/v1/auth/sms-code').send({ phone, purpose: 'register' }).expect(202);
    const again = await request(t.app).post('/api/v1/auth/sms-code').send({ phone, purpose: 'register' }).expect(429);
    expect(again.body.error.message).toMatch(/秒后再试/);
    const code = await readCode(t.app, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      await request(t.app).post('/api/v1/auth/register').send({ phone, code: wrong, password: PASSWORD, agreements: AGREED }).expect(400);
    }
    const late = await request(t.app).post('/api/v1/auth/register').send({ phone, code, password: PASSWORD, agreements: AGREED }).expect(400);
    expect(late.body.error.fields.code).toBeTruthy();
  });

  it('a code works once', async () => {
    const phone = newPhone();
    const code = await smsCode(t.app, phone);
    await request(t.app).post('/api/v1/auth/register').send({ phone, code, password: PASSWORD, agreements: AGREED }).expect(201);
    const reuse = await request(t.app).post('/api/v1/auth/register').send({ phone: newPhone(), code, password: PASSWORD, agreements: AGREED });
    expect(reuse.status).toBe(400);
  });

  it('resets a forgotten password by SMS and ends every session; an unknown number gets the same answer and no SMS', async () => {
    const phone = newPhone();
    const agent = request.agent(t.app);
    expect((await register(agent, t.app, phone)).status).toBe(201);
    await agent.get('/api/v1/me').expect(200);
    await t.container.services.accounts.requestCode(phone, 'reset_password', new Date(Date.now() + 61_000));
    const code = await readCode(t.app, phone);
    await request(t.app).post('/api/v1/auth/password/reset').send({ phone, code, password: 'NewLantern-77' }).expect(204);
    await agent.get('/api/v1/me').expect(401); // the old session is over
    await request(t.app).post('/api/v1/auth/login').send({ phone, password: PASSWORD }).expect(401);
    await request(t.app).post('/api/v1/auth/login').send({ phone, password: 'NewLantern-77' }).expect(200);

    const stranger = newPhone();
    await request(t.app).post('/api/v1/auth/sms-code').send({ phone: stranger, purpose: 'reset_password' }).expect(202);
    expect(await t.container.services.notifications.lastSmsTo(stranger)).toBeUndefined();
  });

  it('changing the password keeps this session and ends the others; log out everywhere ends all', async () => {
    const phone = newPhone();
    const here = request.agent(t.app);
    expect((await register(here, t.app, phone)).status).toBe(201);
    const elsewhere = request.agent(t.app);
    await elsewhere.post('/api/v1/auth/login').send({ phone, password: PASSWORD }).expect(200);
    const bad = await here.post('/api/v1/auth/password/change').send({ currentPassword: 'nope', password: 'Another1pass' }).expect(400);
    expect(bad.body.error.fields.currentPassword).toBeTruthy();
    await here.post('/api/v1/auth/password/change').send({ currentPassword: PASSWORD, password: 'Another1pass' }).expect(204);
    await here.get('/api/v1/me').expect(200);
    await elsewhere.get('/api/v1/me').expect(401);

    const third = request.agent(t.app);
    await third.post('/api/v1/auth/login').send({ phone, password: 'Another1pass' }).expect(200);
    await here.post('/api/v1/auth/logout-everywhere').send({}).expect(204);
    await here.get('/api/v1/me').expect(401);
    await third.get('/api/v1/me').expect(401);
  });

  it('registers on the page with a code from the outbox, without JavaScript', async () => {
    const agent = request.agent(t.app);
    const phone = newPhone();
    const form = await agent.get('/register').expect(200);
    const sent = await agent.post('/register/code').type('form').send({ _csrf: csrfFrom(form.text), phone }).expect(200);
    expect(sent.text).toContain('验证码已发送');
    expect(sent.text).toContain(`value="${phone}"`);
    const code = await readCode(t.app, phone);
    const done = await agent.post('/register').type('form').send({ _csrf: csrfFrom(sent.text), phone, code, password: PASSWORD, ...AGREED_FORM });
    expect(done.status).toBe(303);
    await agent.get('/applications').expect(200);
  });

  it('shows operators the outbox with masked numbers', async () => {
    const phone = newPhone();
    await smsCode(t.app, phone);
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const page = await operator.get('/admin/outbox').expect(200);
    expect(page.text).toContain(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
    expect(page.text).not.toContain(phone);
    await request(t.app).get('/admin/outbox').expect(303);
  });
});
