import request from 'supertest';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottledError, UnauthenticatedError } from '../../server/lib/errors';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { csrfFrom, newPhone, readCode, register } from '../support/http';

const totpOf = (secret: string) => new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });

let addressCounter = 0;
/** A different client address for each call (the app trusts one proxy hop in these tests). */
const stranger = () => `203.0.113.${++addressCounter}`;

/** A staff member with TOTP set up; `code()` is a fresh valid code, `wrong()` one that is not valid now. */
async function staffWithTotp(t: TestApp, kind: 'operator' | 'institution', username: string) {
  const { accounts, mfa } = t.container.services;
  const account = await accounts.createStaff({
    kind,
    username,
    password: PASSWORD,
    displayName: username,
    role: kind === 'operator' ? 'operations' : 'admin',
    institutionId: kind === 'institution' ? t.fixtures.institutionA.id : null,
  });
  const { secret } = await mfa.beginEnrolment(account);
  await mfa.confirmEnrolment(account, totpOf(secret).generate(), { kind, id: account.id });
  const valid = () => [-30_000, 0, 30_000].map((d) => totpOf(secret).generate({ timestamp: Date.now() + d }));
  return {
    account,
    code: () => totpOf(secret).generate({ timestamp: Date.now() + 30_000 }),
    wrong: () => ['000000', '111111', '222222', '333333'].find((c) => !valid().includes(c))!,
  };
}

const apiLogin = (t: TestApp, surface: 'admin' | 'partner', body: Record<string, unknown>, from = stranger()) =>
  request(t.app).post(`/api/${surface}/v1/auth/login`).set('X-Forwarded-For', from).send(body);

describe('login throttling: a stranger slows guessing down but does not keep the owner out', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: '1' } });
  });
  afterAll(() => t?.close());

  it('staff with TOTP: after a stranger’s failures the right password alone waits, with the code it passes; nothing tells whether the account exists', async () => {
    const owner = await staffWithTotp(t, 'operator', 'op.owner');
    for (let i = 0; i < 5; i++) expect((await apiLogin(t, 'admin', { username: 'op.owner', password: 'Guess-1234' })).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await apiLogin(t, 'admin', { username: 'op.nobody', password: 'Guess-1234' })).status).toBe(401);

    const passwordOnly = await apiLogin(t, 'admin', { username: 'op.owner', password: PASSWORD });
    expect(passwordOnly.status).toBe(429);
    expect(passwordOnly.body.error.code).toBe('login_throttled');
    expect(passwordOnly.body.error.message).toBe('登录尝试过于频繁，请 1 分钟后再试；已开启两步验证的账号，同时填写密码和验证码即可登录');
    expect(Number(passwordOnly.headers['retry-after'])).toBeGreaterThan(50);
    // a login that does not exist answers the same, and so does a wrong password sent with a valid code
    const nobody = await apiLogin(t, 'admin', { username: 'op.nobody', password: PASSWORD, totp: '123456' });
    expect([nobody.status, nobody.body.error.code, nobody.body.error.message]).toEqual([429, 'login_throttled', passwordOnly.body.error.message]);
    const wrongPassword = await apiLogin(t, 'admin', { username: 'op.owner', password: 'Guess-5678', totp: owner.code() });
    expect([wrongPassword.status, wrongPassword.body.error.message]).toEqual([429, passwordOnly.body.error.message]);

    // the owner, from their own address: password and code, while the throttle still holds
    const ok = await apiLogin(t, 'admin', { username: 'op.owner', password: PASSWORD, totp: owner.code() }, '198.51.100.7');
    expect(ok.status).toBe(200);
    expect(ok.body.account.id).toBe(owner.account.id);
    // proving both factors clears the password throttle
    expect((await apiLogin(t, 'admin', { username: 'op.owner', password: 'Guess-1234' })).status).toBe(401);
  });

  it('staff with TOTP on the login page: the throttled form asks for the code too, and password + code sign in', async () => {
    const owner = await staffWithTotp(t, 'institution', 'a.owner');
    const agent = request.agent(t.app);
    const form = await agent.get('/partner/login').expect(200);
    expect(form.text).not.toContain('name="totp"');
    for (let i = 0; i < 5; i++) {
      await agent.post('/partner/login').set('X-Forwarded-For', stranger()).type('form').send({ _csrf: csrfFrom(form.text), username: 'a.owner', password: 'Guess-1234' }).expect(401);
    }
    const throttled = await agent.post('/partner/login').type('form').send({ _csrf: csrfFrom(form.text), username: 'a.owner', password: PASSWORD });
    expect(throttled.status).toBe(429);
    expect(throttled.text).toContain('登录尝试过于频繁');
    expect(throttled.text).toContain('name="totp"');
    const signedIn = await agent.post('/partner/login').type('form').send({ _csrf: csrfFrom(throttled.text), username: 'a.owner', password: PASSWORD, totp: owner.code() });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe('/partner');
    await agent.get('/partner/').expect(200);
  });

  it('consumers: while the password waits, an SMS code signs the owner in (API and page); unknown numbers get the same answer and no SMS', async () => {
    // registered without an SMS, so the number may ask for a login code right away
    const phone = newPhone();
    await t.container.services.accounts.registerConsumer({ phone, password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      await request(t.app).post('/api/v1/auth/login').set('X-Forwarded-For', stranger()).send({ phone, password: 'Guess-1234' }).expect(401);
    }
    const throttled = await request(t.app).post('/api/v1/auth/login').send({ phone, password: PASSWORD }).expect(429);
    expect(throttled.body.error.message).toBe('登录尝试过于频繁，请 1 分钟后再试，或使用短信验证码登录');

    const owner = request.agent(t.app);
    await owner.post('/api/v1/auth/sms-code').send({ phone, purpose: 'login' }).expect(202);
    const code = await readCode(t.app, phone);
    expect(await t.container.services.notifications.lastSmsTo(phone)).toMatchObject({ body: expect.stringContaining('用于登录') });
    const wrong = await owner.post('/api/v1/auth/sms-login').send({ phone, code: code === '000000' ? '111111' : '000000' }).expect(400);
    expect(wrong.body.error.fields.code).toBe('验证码错误或已过期，请重新获取');
    const ok = await owner.post('/api/v1/auth/sms-login').send({ phone, code }).expect(200);
    expect(ok.body.account.login).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
    await owner.get('/api/v1/me').expect(200);
    // the code works once
    await request(t.app).post('/api/v1/auth/sms-login').send({ phone, code }).expect(400);

    const unknown = newPhone();
    await request(t.app).post('/api/v1/auth/sms-code').send({ phone: unknown, purpose: 'login' }).expect(202);
    expect(await t.container.services.notifications.lastSmsTo(unknown)).toBeUndefined();

    // the page: 获取验证码 then 验证码登录, without JavaScript
    const second = newPhone();
    await t.container.services.accounts.registerConsumer({ phone: second, password: PASSWORD });
    const page = request.agent(t.app);
    expect((await page.get('/login?next=/account').expect(200)).text).toContain('href="/login/sms?next=%2Faccount"');
    const form = await page.get('/login/sms?next=/account').expect(200);
    expect(form.text).toContain('短信验证码登录');
    const sent = await page.post('/login/code').type('form').send({ _csrf: csrfFrom(form.text), phone: second }).expect(200);
    expect(sent.text).toContain('验证码已发送');
    const pageCode = await readCode(t.app, second);
    const bad = await page.post('/login/sms').type('form').send({ _csrf: csrfFrom(sent.text), phone: second, code: '12' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('验证码为 6 位数字');
    const done = await page.post('/login/sms').type('form').send({ _csrf: csrfFrom(bad.text), phone: second, code: pageCode, next: '/account' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/account');
    await page.get('/account').expect(200);
  });

  it('TOTP failures are counted per account across addresses, and then even the right code waits', async () => {
    const owner = await staffWithTotp(t, 'operator', 'op.totp');
    for (let i = 0; i < 5; i++) {
      const res = await apiLogin(t, 'admin', { username: 'op.totp', password: PASSWORD, totp: owner.wrong() });
      expect(res.status).toBe(401);
    }
    const right = await apiLogin(t, 'admin', { username: 'op.totp', password: PASSWORD, totp: owner.code() });
    expect(right.status).toBe(429);
    expect(right.body.error.message).toBe('验证码错误次数过多，请 1 分钟后再试');
    // the page's second step, from yet another address, is held too
    const agent = request.agent(t.app);
    const form = await agent.get('/admin/login').expect(200);
    const step1 = await agent.post('/admin/login').set('X-Forwarded-For', stranger()).type('form').send({ _csrf: csrfFrom(form.text), username: 'op.totp', password: PASSWORD });
    expect(step1.headers.location).toBe('/admin/login/mfa');
    const mfaPage = await agent.get('/admin/login/mfa').expect(200);
    const step2 = await agent.post('/admin/login/mfa').set('X-Forwarded-For', stranger()).type('form').send({ _csrf: csrfFrom(mfaPage.text), code: owner.code() });
    expect(step2.status).toBe(429);
    expect(step2.text).toContain('验证码错误次数过多');
  });

  it('the waits grow: 1, 2, 4 minutes after the fifth, sixth and seventh failure', async () => {
    const { accounts } = t.container.services;
    await accounts.createStaff({ kind: 'operator', username: 'op.grow', password: PASSWORD, displayName: 'grow', role: 'operations' });
    const t0 = Date.now();
    const attempt = (ms: number, password = 'Guess-1234') => accounts.authenticate('operator', 'op.grow', password, { now: new Date(t0 + ms) }).catch((err: unknown) => err);
    for (let i = 0; i < 5; i++) expect(await attempt(0)).toBeInstanceOf(UnauthenticatedError);
    const waits: number[] = [];
    let at = 0;
    for (let round = 0; round < 3; round++) {
      const held = await attempt(at + 1000, PASSWORD);
      expect(held).toBeInstanceOf(LoginThrottledError);
      waits.push((held as LoginThrottledError).retryAfterSeconds + 1);
      at += waits.at(-1)! * 1000;
      expect(await attempt(at)).toBeInstanceOf(UnauthenticatedError); // the wait is over: one more try, wrong again
    }
    expect(waits).toEqual([60, 120, 240]);
    // the eighth failure (just now) set eight minutes; after them the right password passes
    expect(await attempt(at + 479_000, PASSWORD)).toBeInstanceOf(LoginThrottledError);
    expect((await attempt(at + 480_000, PASSWORD)) as object).toMatchObject({ id: expect.any(String), kind: 'operator' });
  });
});

describe('the per-address login limit counts failures only', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_RATE_LIMIT: '2' } });
  });
  afterAll(() => t?.close());

  it('an office behind one address signs in all day; failures from it are still limited', async () => {
    const phone = newPhone();
    expect((await register(request.agent(t.app), t.app, phone)).status).toBe(201);
    const statuses: number[] = [];
    // the limits are 2 per login and 10 per address in the window: twelve good logins pass
    for (let i = 0; i < 12; i++) statuses.push((await request(t.app).post('/api/v1/auth/login').send({ phone, password: PASSWORD })).status);
    expect(statuses).toEqual(Array(12).fill(200));
    const failures: number[] = [];
    for (let i = 0; i < 3; i++) failures.push((await request(t.app).post('/api/v1/auth/login').send({ phone, password: 'Guess-1234' })).status);
    expect(failures).toEqual([401, 401, 429]);
  });
});
