import express from 'express';
import request from 'supertest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { createGuards, assertEveryRouteGuarded } from '../../server/http/guards';
import { startTestApp, type TestApp } from '../support/app';
import { apply, consumerAgent, csrfFrom, newPhone, register, smsCode, AGREED_FORM } from '../support/http';
import { PASSWORD } from '../support/fixtures';

const sessionCookie = (res: request.Response) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('dc.sid='))?.split(';')[0];

describe('security by default', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('page forms need the CSRF token; with it they work', async () => {
    const agent = request.agent(t.app);
    const phone = newPhone();
    const forged = await agent.post('/register').type('form').send({ phone, password: PASSWORD });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('页面已过期');
    const page = await agent.get('/register').expect(200);
    const code = await smsCode(t.app, phone);
    const ok = await agent.post('/register').type('form').send({ _csrf: csrfFrom(page.text), phone, code, password: PASSWORD, ...AGREED_FORM });
    expect(ok.status).toBe(303);
    await agent.get('/applications').expect(200);
  });

  it('a form with bad input is shown again with the message and the values kept', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/register').expect(200);
    const res = await agent.post('/register').type('form').send({ _csrf: csrfFrom(page.text), phone: '12', password: PASSWORD, displayName: '小王' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('请输入 11 位中国大陆手机号');
    expect(res.text).toContain('value="小王"');
  });

  it('the session id changes at login, and logout destroys the session', async () => {
    const phone = newPhone();
    expect((await register(request.agent(t.app), t.app, phone)).status).toBe(201);
    const agent = request.agent(t.app);
    const page = await agent.get('/login').expect(200);
    const before = sessionCookie(page);
    expect(before).toBeTruthy();
    const login = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), phone, password: PASSWORD }).expect(303);
    const after = sessionCookie(login);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    // the pre-login session id is worthless now
    await request(t.app).get('/api/v1/me').set('Cookie', before!).expect(401);
    await request(t.app).get('/api/v1/me').set('Cookie', after!).expect(200);
    await request(t.app).post('/api/v1/auth/logout').set('Cookie', after!).set('content-type', 'application/json').send('{}').expect(204);
    await request(t.app).get('/api/v1/me').set('Cookie', after!).expect(401);
  });

  it('throttles a login after repeated failures, even for the right password, without locking it', async () => {
    const phone = newPhone();
    expect((await register(request.agent(t.app), t.app, phone)).status).toBe(201);
    for (let i = 0; i < 5; i++) await request(t.app).post('/api/v1/auth/login').send({ phone, password: 'Wrong12345' }).expect(401);
    const right = await request(t.app).post('/api/v1/auth/login').send({ phone, password: PASSWORD });
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('login_throttled');
    expect(right.headers['retry-after']).toBe('60');
  });

  it('stores PII encrypted: no phone number or name in clear in the database', async () => {
    const consumer = await consumerAgent(t.app);
    await apply(consumer.agent, t.fixtures.institutionA.productId);
    const accounts = await queryRows(t.container.database.db, sql`select * from accounts`);
    expect(JSON.stringify(accounts)).not.toContain(consumer.phone);
    const apps = await queryRows(t.container.database.db, sql`select * from applications`);
    expect(JSON.stringify(apps)).not.toContain('王小明');
    const me = await consumer.agent.get('/api/v1/me').expect(200);
    expect(me.body.account.login).toBe(`${consumer.phone.slice(0, 3)}****${consumer.phone.slice(-4)}`);
  });

  it('sends security headers with a real CSP and never a stack trace', async () => {
    const res = await request(t.app).get('/').expect(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(res.headers['x-powered-by']).toBeUndefined();
    const notFound = await request(t.app).get('/products/nope').expect(404);
    expect(notFound.text).toContain('产品不存在');
    expect(notFound.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('health: /healthz is live, /readyz names what is down', async () => {
    await request(t.app).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(t.app).get('/readyz').expect(200);
    expect(ready.body.checks).toEqual({ database: 'ok', redis: 'ok', search: 'ok' });
  });

  it('refuses to start when a route has no guard', () => {
    const app = express();
    const guards = createGuards(t.container.services);
    const guarded = express.Router();
    guarded.get('/fine', guards.public, (_req, res) => void res.end());
    app.use('/a', guarded);
    expect(() => assertEveryRouteGuarded(app)).not.toThrow();
    const open = express.Router();
    open.post('/oops', (_req, res) => void res.end());
    app.use('/b', open);
    expect(() => assertEveryRouteGuarded(app)).toThrow(/POST .*\/oops/);
  });
});

describe('readiness when a dependency is down', () => {
  it('answers 503 naming the database once it is gone', async () => {
    const t = await startTestApp();
    await t.container.database.close();
    const res = await request(t.app).get('/readyz').expect(503);
    expect(res.body.down).toContain('database');
    await t.container.shared.close();
  });
});

describe('rate limiting on login and registration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_RATE_LIMIT: '3', REGISTER_RATE_LIMIT: '2' } });
  });
  afterAll(() => t?.close());

  it('answers 429 past the limit for one login', async () => {
    const phone = newPhone();
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await request(t.app).post('/api/v1/auth/login').send({ phone, password: 'Wrong12345' })).status);
    expect(codes).toEqual([401, 401, 401, 429]);
  });

  it('answers 429 past the registration limit', async () => {
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await register(request.agent(t.app), t.app)).status);
    expect(codes).toEqual([201, 201, 429]);
  });
});
