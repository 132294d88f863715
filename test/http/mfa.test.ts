import request from 'supertest';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { csrfFrom } from '../support/http';

const totp = (secret: string) => new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });

async function pageLogin(agent: ReturnType<typeof request.agent>, surface: 'admin' | 'partner', username: string) {
  const form = await agent.get(`/${surface}/login`).expect(200);
  return agent.post(`/${surface}/login`).type('form').send({ _csrf: csrfFrom(form.text), username, password: PASSWORD });
}

describe('two-step verification (TOTP) for staff', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MFA_REQUIRED: 'true' } });
  });
  afterAll(() => t?.close());

  it('an operator must set it up before anything else, and then every login asks for a fresh code', async () => {
    const agent = request.agent(t.app);
    expect((await pageLogin(agent, 'admin', t.fixtures.operator)).status).toBe(303);
    // without a second factor the back office only offers the set-up page
    const blocked = await agent.get('/admin/applications');
    expect(blocked.status).toBe(303);
    expect(blocked.headers.location).toBe('/admin/security?required=1');
    const api = await agent.get('/api/admin/v1/applications');
    expect(api.status).toBe(403);
    expect(api.body.error.code).toBe('mfa_setup_required');

    let page = await agent.get('/admin/security?required=1').expect(200);
    await agent.post('/admin/security/mfa/start').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    page = await agent.get('/admin/security?step=confirm').expect(200);
    expect(page.text).toContain('data:image/png;base64');
    const secret = /data-testid="mfa-secret">([A-Z2-7]+)</.exec(page.text)![1]!;
    const wrong = await agent.post('/admin/security/mfa/confirm').type('form').send({ _csrf: csrfFrom(page.text), code: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('验证码不正确');
    const enrolCode = totp(secret).generate();
    await agent.post('/admin/security/mfa/confirm').type('form').send({ _csrf: csrfFrom(page.text), code: enrolCode }).expect(303);
    await agent.get('/admin/applications').expect(200);
    // the secret is stored encrypted, never in clear
    const stored = await t.container.database.db.execute<{ totp_secret_enc: string }>(`select totp_secret_enc from accounts where totp_secret_enc is not null` as never);
    expect(JSON.stringify(stored)).not.toContain(secret);

    // a new login: password, then the code; a wrong code is refused, the used code cannot be replayed
    const again = request.agent(t.app);
    const step1 = await pageLogin(again, 'admin', t.fixtures.operator);
    expect(step1.headers.location).toBe('/admin/login/mfa');
    expect((await again.get('/admin/applications')).headers.location).toMatch(/^\/admin\/login/);
    const mfaPage = await again.get('/admin/login/mfa').expect(200);
    const bad = await again.post('/admin/login/mfa').type('form').send({ _csrf: csrfFrom(mfaPage.text), code: '123456' });
    expect(bad.status).toBe(401);
    const replay = await again.post('/admin/login/mfa').type('form').send({ _csrf: csrfFrom(mfaPage.text), code: enrolCode });
    expect(replay.status).toBe(401);
    const next = totp(secret).generate({ timestamp: Date.now() + 30_000 });
    const ok = await again.post('/admin/login/mfa').type('form').send({ _csrf: csrfFrom(mfaPage.text), code: next });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/admin');
    await again.get('/admin/applications').expect(200);

    // the API asks for the code in the login body
    const noCode = await request(t.app).post('/api/admin/v1/auth/login').send({ username: t.fixtures.operator, password: PASSWORD });
    expect(noCode.status).toBe(401);
    expect(noCode.body.error.code).toBe('mfa_required');
    // (a second operator, set up through the service: the first one's codes for this minute are used up)
    const { accounts, mfa } = t.container.services;
    const second = await accounts.createStaff({ kind: 'operator', username: 'op.second', password: PASSWORD, displayName: '二号', role: 'finance' });
    const { secret: secondSecret } = await mfa.beginEnrolment(second);
    await mfa.confirmEnrolment(second, totp(secondSecret).generate(), { kind: 'operator', id: second.id });
    const wrongCode = await request(t.app).post('/api/admin/v1/auth/login').send({ username: 'op.second', password: PASSWORD, totp: '000000' });
    expect(wrongCode.status).toBe(401);
    const withCode = await request(t.app)
      .post('/api/admin/v1/auth/login')
      .send({ username: 'op.second', password: PASSWORD, totp: totp(secondSecret).generate({ timestamp: Date.now() + 30_000 }) });
    expect(withCode.status).toBe(200);

    // a required second factor cannot be switched off
    const security = await again.get('/admin/security').expect(200);
    expect(security.text).not.toContain('关闭两步验证');
    expect((await again.post('/admin/security/mfa/disable').type('form').send({ _csrf: csrfFrom(security.text) })).status).toBe(409);
    const audit = await t.container.services.audit.recentActions('mfa.enabled');
    expect(audit.length).toBe(2);
  });

  it('institution staff other than admins are not forced, institution admins are', async () => {
    const { accounts } = t.container.services;
    await accounts.createStaff({ kind: 'institution', username: 'a.handler', password: PASSWORD, displayName: '线索专员', role: 'lead_handler', institutionId: t.fixtures.institutionA.id });
    const handler = request.agent(t.app);
    await pageLogin(handler, 'partner', 'a.handler');
    await handler.get('/partner/leads').expect(200);
    const admin = request.agent(t.app);
    await pageLogin(admin, 'partner', t.fixtures.institutionA.staff);
    const res = await admin.get('/partner/leads');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/partner/security?required=1');
  });
});
