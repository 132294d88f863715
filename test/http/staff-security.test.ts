import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { consumerAgent, csrfFrom, newPhone, readCode, smsCode, staffAgent, AGREED, AGREED_FORM } from '../support/http';

const NEW_PASSWORD = 'Harbour-lights-42';

/** Signs in on a staff login page; returns the agent and the CSRF token of the page it lands on. */
async function pageAgent(t: TestApp, surface: 'admin' | 'partner', username: string, password = PASSWORD) {
  const agent = request.agent(t.app);
  const form = await agent.get(`/${surface}/login`).expect(200);
  const res = await agent.post(`/${surface}/login`).type('form').send({ _csrf: csrfFrom(form.text), username, password });
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return agent;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('staff change their own password and log out everywhere', () => {
  it('on the operator security page: current password required, the policy applies, other sessions end, audited', async () => {
    const { accounts } = t.container.services;
    const me = await accounts.createStaff({ kind: 'operator', username: 'op.self', password: PASSWORD, displayName: '自己', role: 'finance' });
    const here = await pageAgent(t, 'admin', 'op.self');
    const elsewhere = await staffAgent(t.app, 'admin', 'op.self');
    const page = await here.get('/admin/security').expect(200);
    expect(page.text).toContain('修改密码');
    expect(page.text).toContain('退出所有设备');
    const csrf = csrfFrom(page.text);
    const change = (body: Record<string, string>, token = csrf) => here.post('/admin/security/password').type('form').send({ _csrf: token, ...body });

    expect((await here.post('/admin/security/password').type('form').send({ currentPassword: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD })).status).toBe(403);
    const wrongCurrent = await change({ currentPassword: 'Not-my-password-1', password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(wrongCurrent.status).toBe(400);
    expect(wrongCurrent.text).toContain('当前密码不正确');
    const common = await change({ currentPassword: PASSWORD, password: 'qwerty123', confirm: 'qwerty123' });
    expect(common.status).toBe(400);
    expect(common.text).toContain('这是常见密码，很容易被猜中，请换一个');
    const withName = await change({ currentPassword: PASSWORD, password: 'op.self-Harbour-9', confirm: 'op.self-Harbour-9' });
    expect(withName.status).toBe(400);
    expect(withName.text).toContain('密码不能包含用户名');
    const mismatch = await change({ currentPassword: PASSWORD, password: NEW_PASSWORD, confirm: `${NEW_PASSWORD}x` });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('两次输入的新密码不一致');
    await elsewhere.get('/api/admin/v1/dashboard').expect(200);

    const done = await change({ currentPassword: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/admin/security');
    await here.get('/admin/').expect(200); // this session stays
    await elsewhere.get('/api/admin/v1/dashboard').expect(401); // every other one ended
    await request(t.app).post('/api/admin/v1/auth/login').send({ username: 'op.self', password: PASSWORD }).expect(401);
    const third = request.agent(t.app);
    await third.post('/api/admin/v1/auth/login').send({ username: 'op.self', password: NEW_PASSWORD }).expect(200);
    expect((await t.container.services.audit.recentActions('account.password_changed')).some((a) => a.actorId === me.id && a.objectId === me.id)).toBe(true);

    const security = await here.get('/admin/security').expect(200);
    const out = await here.post('/admin/security/logout-everywhere').type('form').send({ _csrf: csrfFrom(security.text) });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/admin/login');
    expect((await here.get('/admin/')).headers.location).toMatch(/^\/admin\/login/);
    await third.get('/api/admin/v1/dashboard').expect(401);
    expect((await t.container.services.audit.recentActions('account.logout_everywhere')).some((a) => a.actorId === me.id)).toBe(true);
  });

  it('through the partner API, by session only: an API key cannot change a password', async () => {
    const { accounts, institutions } = t.container.services;
    await accounts.createStaff({ kind: 'institution', username: 'a.self', password: PASSWORD, displayName: '自己', role: 'lead_handler', institutionId: t.fixtures.institutionA.id });
    const here = await staffAgent(t.app, 'partner', 'a.self');
    const elsewhere = await staffAgent(t.app, 'partner', 'a.self');
    const weak = await here.post('/api/partner/v1/auth/password/change').send({ currentPassword: PASSWORD, password: '12345678a' }).expect(400);
    expect(weak.body.error.fields.password).toBe('这是常见密码，很容易被猜中，请换一个');
    const same = await here.post('/api/partner/v1/auth/password/change').send({ currentPassword: PASSWORD, password: PASSWORD }).expect(400);
    expect(same.body.error.fields.password).toBe('新密码不能与当前密码相同');
    await here.post('/api/partner/v1/auth/password/change').send({ currentPassword: PASSWORD, password: NEW_PASSWORD }).expect(204);
    await here.get('/api/partner/v1/leads').expect(200);
    await elsewhere.get('/api/partner/v1/leads').expect(401);
    await here.post('/api/partner/v1/auth/logout-everywhere').send({}).expect(204);
    await here.get('/api/partner/v1/leads').expect(401);

    const { key } = await institutions.createApiKey(t.fixtures.institutionA.id, 'ERP', { kind: 'system' });
    const byKey = await request(t.app).post('/api/partner/v1/auth/password/change').set('Authorization', `Bearer ${key}`).send({ currentPassword: NEW_PASSWORD, password: 'Another-harbour-7' });
    expect(byKey.status).toBe(403);
    await request(t.app).post('/api/partner/v1/auth/logout-everywhere').set('Authorization', `Bearer ${key}`).send({}).expect(403);

    const paths = (await request(t.app).get('/api/openapi.json').expect(200)).body.paths as Record<string, unknown>;
    for (const path of ['/api/partner/v1/auth/password/change', '/api/admin/v1/auth/logout-everywhere', '/api/admin/v1/staff/{id}/password-reset', '/api/v1/auth/sms-login']) {
      expect(paths, path).toHaveProperty([path]);
    }
  });
});

describe('an admin resets a colleague’s password', () => {
  it('a super admin on /admin/staff: one-time password shown once, the colleague’s sessions end, and they must set their own first', async () => {
    const { accounts } = t.container.services;
    const target = await accounts.createStaff({ kind: 'operator', username: 'op.target', password: PASSWORD, displayName: '被重置', role: 'operations' });
    const targetSession = await staffAgent(t.app, 'admin', 'op.target');
    const admin = await pageAgent(t, 'admin', t.fixtures.operator);
    const staffPage = await admin.get('/admin/staff').expect(200);
    expect(staffPage.text).toContain(`/admin/staff/${target.id}/reset-password`);
    const reset = await admin.post(`/admin/staff/${target.id}/reset-password`).type('form').send({ _csrf: csrfFrom(staffPage.text) });
    expect(reset.status).toBe(200);
    expect(reset.headers['cache-control']).toBe('no-store');
    const oneTime = /data-testid="one-time-password">[\s\S]*?<code>([^<]+)<\/code>/.exec(reset.text)![1]!;
    expect(oneTime).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    expect((await admin.get('/admin/staff').expect(200)).text).not.toContain(oneTime); // shown once
    await targetSession.get('/api/admin/v1/dashboard').expect(401);
    await request(t.app).post('/api/admin/v1/auth/login').send({ username: 'op.target', password: PASSWORD }).expect(401);
    const audit = await t.container.services.audit.recentActions('staff.password_reset');
    expect(audit.some((a) => a.objectId === target.id && a.actorKind === 'operator')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(oneTime);

    // the colleague signs in with it: only the security page until a password of their own is set
    const colleague = await pageAgent(t, 'admin', 'op.target', oneTime);
    const blocked = await colleague.get('/admin/');
    expect(blocked.headers.location).toBe('/admin/security?required=password');
    const api = await colleague.get('/api/admin/v1/dashboard');
    expect([api.status, api.body.error.code]).toEqual([403, 'password_change_required']);
    const security = await colleague.get('/admin/security?required=password').expect(200);
    expect(security.text).toContain('你正在使用一次性密码登录');
    const set = await colleague.post('/admin/security/password').type('form').send({ _csrf: csrfFrom(security.text), currentPassword: oneTime, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(set.status).toBe(303);
    expect(set.headers.location).toBe('/admin');
    await colleague.get('/admin/').expect(200);
    await request(t.app).post('/api/admin/v1/auth/login').send({ username: 'op.target', password: oneTime }).expect(401);

    // not one's own (change it instead), nobody outside the operators
    const [self] = await t.container.services.staff.search(t.fixtures.operator, 'operator');
    const mine = await admin.post(`/admin/staff/${self!.id}/reset-password`).type('form').send({ _csrf: csrfFrom(staffPage.text) });
    expect(mine.status).toBe(409);
    expect(mine.text).toContain('不能重置自己的密码');
    const [partnerStaff] = await t.container.services.staff.search(t.fixtures.institutionA.staff, 'institution');
    expect((await admin.post(`/admin/staff/${partnerStaff!.id}/reset-password`).type('form').send({ _csrf: csrfFrom(staffPage.text) })).status).toBe(404);
  });

  it('an institution admin through the API: a colleague of the same institution only (404 otherwise), never themselves', async () => {
    const { accounts } = t.container.services;
    const colleague = await accounts.createStaff({ kind: 'institution', username: 'a.colleague', password: PASSWORD, displayName: '同事', role: 'lead_handler', institutionId: t.fixtures.institutionA.id });
    const outsider = await accounts.createStaff({ kind: 'institution', username: 'b.outsider', password: PASSWORD, displayName: '外人', role: 'lead_handler', institutionId: t.fixtures.institutionB.id });
    const admin = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const [me] = await t.container.services.staff.search(t.fixtures.institutionA.staff, 'institution');

    await admin.post(`/api/partner/v1/staff/${outsider.id}/password-reset`).send({}).expect(404);
    const own = await admin.post(`/api/partner/v1/staff/${me!.id}/password-reset`).send({}).expect(409);
    expect(own.body.error.code).toBe('own_account');
    const handler = await staffAgent(t.app, 'partner', 'a.colleague');
    await handler.post(`/api/partner/v1/staff/${colleague.id}/password-reset`).send({}).expect(403);

    const reset = await admin.post(`/api/partner/v1/staff/${colleague.id}/password-reset`).send({}).expect(200);
    expect(reset.headers['cache-control']).toBe('no-store');
    const oneTime = reset.body.oneTimePassword as string;
    expect(reset.body.account.id).toBe(colleague.id);
    await handler.get('/api/partner/v1/leads').expect(401);

    const fresh = request.agent(t.app);
    const login = await fresh.post('/api/partner/v1/auth/login').send({ username: 'a.colleague', password: oneTime }).expect(200);
    expect(login.body.account.mustChangePassword).toBe(true);
    expect((await fresh.get('/api/partner/v1/leads').expect(403)).body.error.code).toBe('password_change_required');
    await fresh.post('/api/partner/v1/auth/password/change').send({ currentPassword: oneTime, password: NEW_PASSWORD }).expect(204);
    await fresh.get('/api/partner/v1/leads').expect(200);
  });
});

describe('one password policy wherever a password is set', () => {
  it('registration (API and page), SMS reset, change, and staff invitation acceptance refuse weak passwords with the reason', async () => {
    const phone = newPhone();
    let day = 0;
    const registerWith = async (password: string) => {
      // a fresh code each time (sent "days later", past the per-number limits)
      await t.container.services.accounts.requestCode(phone, 'register', new Date(Date.now() + ++day * 2 * 86_400_000));
      return request(t.app).post('/api/v1/auth/register').send({ phone, code: await readCode(t.app, phone), password, agreements: AGREED });
    };
    for (const weak of ['password1', 'aaaaaaa1', '12345678a', 'qwerty123']) {
      const res = await registerWith(weak);
      expect([res.status, res.body.error.fields.password], weak).toEqual([400, '这是常见密码，很容易被猜中，请换一个']);
    }
    const withPhone = await registerWith(`Ab${phone}`);
    expect([withPhone.status, withPhone.body.error.fields.password]).toEqual([400, '密码不能包含手机号']);

    const agent = request.agent(t.app);
    const form = await agent.get('/register').expect(200);
    const pagePhone = newPhone();
    const page = await agent.post('/register').type('form').send({ _csrf: csrfFrom(form.text), phone: pagePhone, code: await smsCode(t.app, pagePhone), password: 'qwerty123', ...AGREED_FORM });
    expect(page.status).toBe(400);
    expect(page.text).toContain('这是常见密码，很容易被猜中，请换一个');

    const consumer = await consumerAgent(t.app, { verified: false });
    const change = await consumer.agent.post('/api/v1/auth/password/change').send({ currentPassword: PASSWORD, password: `x${consumer.phone}y` }).expect(400);
    expect(change.body.error.fields.password).toBe('密码不能包含手机号');
    await t.container.services.accounts.requestCode(consumer.phone, 'reset_password', new Date(Date.now() + 61_000));
    const reset = await request(t.app).post('/api/v1/auth/password/reset').send({ phone: consumer.phone, code: await readCode(t.app, consumer.phone), password: '12345678a' }).expect(400);
    expect(reset.body.error.fields.password).toBe('这是常见密码，很容易被猜中，请换一个');

    const { token } = await t.container.services.staff.invite(
      { kind: 'institution', institutionId: t.fixtures.institutionA.id, username: 'a.invitee', displayName: '新同事', role: 'lead_handler' },
      { kind: 'system', id: 'test' },
    );
    const invitee = request.agent(t.app);
    const invite = await invitee.get(`/partner/invite/${token}`).expect(200);
    const refused = await invitee.post(`/partner/invite/${token}`).type('form').send({ _csrf: csrfFrom(invite.text), password: 'A.Invitee-2026', confirm: 'A.Invitee-2026' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('密码不能包含用户名');
    await invitee.post(`/partner/invite/${token}`).type('form').send({ _csrf: csrfFrom(refused.text), password: NEW_PASSWORD, confirm: NEW_PASSWORD }).expect(303);
  });
});
