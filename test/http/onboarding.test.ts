import request from 'supertest';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { institutions } from '../../server/db/schema';
import { unifiedCodeCheckChar } from '../../server/modules/institutions/unified-code';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { csrfFrom, staffAgent } from '../support/http';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const code = (n: number) => {
  const first17 = `91440300MA5${String(n).padStart(6, '0')}`;
  return first17 + unifiedCodeCheckChar(first17);
};
const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);

function joinFields(overrides: Record<string, string> = {}) {
  return {
    legalName: '深圳前海丁小额贷款有限公司',
    shortName: '丁小贷',
    kind: 'microloan',
    unifiedCode: code(1),
    licenceType: '小额贷款业务经营许可证',
    licenceNumber: 'XD-2026-0001',
    licenceExpiresOn: inAYear,
    adminUsername: 'ding.admin',
    contact0Name: '丁一',
    contact0Title: '合规负责人',
    contact0Phone: '13700001111',
    contact0Email: 'ding@example.com',
    ...overrides,
  };
}

async function submitJoin(agent: ReturnType<typeof request.agent>, fields: Record<string, string>, file: Buffer | null = PDF) {
  const csrf = csrfFrom((await agent.get('/partner/join').expect(200)).text);
  let req = agent.post('/partner/join').field('_csrf', csrf);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  if (file) req = req.attach('licence', file, 'licence.pdf');
  return req;
}

describe('institution onboarding', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_URL: 'https://daichao.example' } });
  });
  afterAll(() => t?.close());

  it('an institution applies, answers a question, is approved, and its first admin activates the account', async () => {
    const applicant = request.agent(t.app);

    // bad input: the form comes back with the field and the reason, and what was typed
    const bad = await submitJoin(applicant, joinFields({ unifiedCode: code(1).slice(0, 17) + (code(1)[17] === '0' ? '1' : '0') }));
    expect(bad.status, String(bad.headers.location)).toBe(400);
    expect(bad.text).toContain('校验位不正确');
    expect(bad.text).toContain('深圳前海丁小额贷款有限公司');
    const noFile = await submitJoin(applicant, joinFields(), null);
    expect(noFile.status).toBe(400);
    expect(noFile.text).toContain('请上传牌照扫描件');
    const notPdf = await submitJoin(applicant, joinFields(), Buffer.from('just text, renamed to .pdf'));
    expect(notPdf.status).toBe(400);

    const submitted = await submitJoin(applicant, joinFields());
    expect(submitted.status).toBe(303);
    const trackUrl = String(submitted.headers.location);
    expect(trackUrl).toMatch(/^\/partner\/join\/[\w-]{20,}$/);
    const firstView = (await applicant.get(trackUrl).expect(200)).text;
    expect(firstView, firstView.slice(firstView.indexOf('<main'), firstView.indexOf('<main') + 1500)).toContain('待审核');
    // a second request for the same code while one is open is refused
    expect((await submitJoin(request.agent(t.app), joinFields())).status).toBe(409);
    // a wrong tracking token finds nothing
    expect((await request(t.app).get('/partner/join/not-a-real-token')).status).toBe(404);

    // the operator asks for more
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const queue = await operator.get('/admin/onboarding').expect(200);
    const id = /data-onboarding-id="([^"]+)"/.exec(queue.text)![1]!;
    const detail = await operator.get(`/admin/onboarding/${id}`).expect(200);
    expect(detail.text).toContain('137****1111');
    expect(detail.text).not.toContain('13700001111');
    const licence = await operator.get(`/admin/onboarding/${id}/licence`).expect(200);
    expect(Buffer.from(licence.body as Buffer).equals(PDF)).toBe(true);
    const csrf = csrfFrom(detail.text);
    expect((await operator.post(`/admin/onboarding/${id}/request-info`).type('form').send({ _csrf: csrf, body: '' })).status).toBe(400);
    await operator.post(`/admin/onboarding/${id}/request-info`).type('form').send({ _csrf: csrf, body: '请补充近一年的审计报告' }).expect(303);
    const asked = await applicant.get(trackUrl).expect(200);
    expect(asked.text).toContain('待补充材料');
    expect(asked.text).toContain('请补充近一年的审计报告');
    await applicant.post(`${trackUrl}/reply`).type('form').send({ _csrf: csrfFrom(asked.text), body: '审计报告已通过邮件发送' }).expect(303);
    expect((await applicant.get(trackUrl)).text).toContain('待审核');

    // approval creates the institution and the first admin's invitation, texted to the contact
    // (the link is on PUBLIC_URL, whatever Host the request carried)
    await operator.post(`/admin/onboarding/${id}/approve`).set('Host', 'evil.example').type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(303);
    const [created] = await t.container.database.db.select().from(institutions).where(eq(institutions.unifiedCode, code(1)));
    expect(created).toMatchObject({ name: '深圳前海丁小额贷款有限公司', kind: 'microloan', licenceNumber: 'XD-2026-0001', licenceExpiresOn: inAYear });
    const sms = await t.container.services.notifications.lastSmsTo('13700001111');
    const invitePath = /\/partner\/invite\/[\w-]+/.exec(sms!.body)![0];
    expect(sms!.body).toContain(`：https://daichao.example${invitePath}`);
    expect(sms!.body).not.toContain('evil.example');
    const tracked = await applicant.get(trackUrl).expect(200);
    expect(tracked.text).toContain('已通过');
    expect(tracked.text).toContain(invitePath);
    expect((await operator.post(`/admin/onboarding/${id}/approve`).type('form').send({ _csrf: csrf, confirm: 'yes' })).status).toBe(409);

    // activation: the password twice, then logged in to the portal
    const admin = request.agent(t.app);
    const invite = await admin.get(invitePath).expect(200);
    expect(invite.text).toContain('ding.admin');
    const inviteCsrf = csrfFrom(invite.text);
    expect((await admin.post(invitePath).type('form').send({ _csrf: inviteCsrf, password: PASSWORD, confirm: 'different1!' })).status).toBe(400);
    expect((await admin.post(invitePath).type('form').send({ _csrf: inviteCsrf, password: 'short', confirm: 'short' })).status).toBe(400);
    await admin.post(invitePath).type('form').send({ _csrf: inviteCsrf, password: PASSWORD, confirm: PASSWORD }).expect(303);
    const home = await admin.get('/partner/').expect(200);
    expect(home.text).toContain('深圳前海丁小额贷款有限公司');
    expect(home.text).toContain('员工');
    // the link works once
    expect((await request(t.app).get(invitePath)).status).toBe(404);
    expect((await applicant.get(trackUrl)).text).not.toContain(invitePath);
    const audit = await t.container.services.audit.forObject('onboarding', id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['onboarding.submitted', 'onboarding.info_requested', 'onboarding.approved', 'onboarding.licence_opened']));
  });

  it('institution admins invite colleagues, change roles and freeze them; roles decide what each sees', async () => {
    const admin = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    let page = await admin.get('/partner/staff').expect(200);
    const bad = await admin.post('/partner/staff/invitations').type('form').send({ _csrf: csrfFrom(page.text), displayName: '王五', username: 'X', role: 'lead_handler' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('用户名为');
    const invited = await admin
      .post('/partner/staff/invitations')
      .set('Host', 'evil.example')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), displayName: '王五', username: 'a.wangwu', role: 'lead_handler' })
      .expect(200);
    const link = /\/partner\/invite\/[\w-]+/.exec(invited.text)![0];
    // the link to hand over is on PUBLIC_URL, never the request's Host
    expect(invited.text).toContain(`https://daichao.example${link}`);
    expect(invited.text).not.toContain('evil.example');
    // the same username cannot be invited twice
    expect((await admin.post('/partner/staff/invitations').type('form').send({ _csrf: csrfFrom(invited.text), displayName: '王五', username: 'a.wangwu', role: 'finance' })).status).toBe(409);

    const colleague = request.agent(t.app);
    const form = await colleague.get(link).expect(200);
    await colleague.post(link).type('form').send({ _csrf: csrfFrom(form.text), password: PASSWORD, confirm: PASSWORD }).expect(303);
    await colleague.get('/partner/leads').expect(200);
    expect((await colleague.get('/partner/staff')).status).toBe(403);
    expect((await colleague.get('/partner/api-keys')).status).toBe(403);

    page = await admin.get('/partner/staff').expect(200);
    const colleagueId = (await t.container.services.staff.members({ kind: 'institution', institutionId: t.fixtures.institutionA.id })).find((m) => m.displayName === '王五')!.id;
    expect(page.text).toContain(`data-account-id="${colleagueId}"`);
    await admin.post(`/partner/staff/${colleagueId}/role`).type('form').send({ _csrf: csrfFrom(page.text), role: 'finance' }).expect(303);
    // a new role ends the old sessions
    expect((await colleague.get('/partner/leads')).status).toBe(303);
    const self = (await t.container.services.staff.members({ kind: 'institution', institutionId: t.fixtures.institutionA.id })).find((m) => m.role === 'admin')!;
    const own = await admin.post(`/partner/staff/${self.id}/role`).type('form').send({ _csrf: csrfFrom(page.text), role: 'finance' });
    expect(own.status).toBe(409);

    // institution B cannot touch A's people
    const other = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const otherPage = await other.get('/partner/staff').expect(200);
    expect(otherPage.text).not.toContain('王五');
    expect((await other.post(`/partner/staff/${colleagueId}/freeze`).type('form').send({ _csrf: csrfFrom(otherPage.text), reason: '离职' })).status).toBe(404);

    const frozen = await admin.post(`/partner/staff/${colleagueId}/freeze`).type('form').send({ _csrf: csrfFrom(page.text), reason: '离职' });
    expect(frozen.status).toBe(303);
    const login = await request(t.app).post('/api/partner/v1/auth/login').send({ username: 'a.wangwu', password: PASSWORD });
    expect(login.status).toBe(401);
    expect(login.body.error.message).toContain('冻结');
  });

  it('operators find a consumer by exact mobile number, see them masked, and freeze them with a reason', async () => {
    const consumer = request.agent(t.app);
    const phone = '13912340001';
    await t.container.services.accounts.registerConsumer({ phone, password: PASSWORD });
    await consumer.post('/api/v1/auth/login').send({ phone, password: PASSWORD }).expect(200);
    await consumer.get('/api/v1/me').expect(200);

    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const found = await operator.get('/admin/users').query({ q: phone }).expect(200);
    expect(found.text).toContain('139****0001');
    expect(found.text.split('<tbody>')[1]).not.toContain(phone);
    const id = /data-account-id="([^"]+)"/.exec(found.text)![1]!;
    expect((await operator.get('/admin/users').query({ q: '1391234' })).text).not.toContain(id);
    const detail = await operator.get(`/admin/users/${id}`).expect(200);
    const csrf = csrfFrom(detail.text);
    expect((await operator.post(`/admin/users/${id}/freeze`).type('form').send({ _csrf: csrf, reason: '' })).status).toBe(400);
    await operator.post(`/admin/users/${id}/freeze`).type('form').send({ _csrf: csrf, reason: '疑似盗号，暂停使用' }).expect(303);
    expect((await consumer.get('/api/v1/me')).status).toBe(401);
    expect((await request(t.app).post('/api/v1/auth/login').send({ phone, password: PASSWORD })).status).toBe(401);
    expect((await operator.get(`/admin/users/${id}`)).text).toContain('疑似盗号');
    await operator.post(`/admin/users/${id}/unfreeze`).type('form').send({ _csrf: csrf, reason: '本人核实' }).expect(303);
    await request(t.app).post('/api/v1/auth/login').send({ phone, password: PASSWORD }).expect(200);
    const actions = (await t.container.services.audit.forObject('account', id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['account.viewed', 'account.frozen', 'account.unfrozen']));
  });

  it('erasing a consumer’s data takes two people: one asks, a different one approves', async () => {
    const { accounts } = t.container.services;
    await accounts.createStaff({ kind: 'operator', username: 'op.second', password: PASSWORD, displayName: '二号管理员', role: 'super_admin' });
    await accounts.createStaff({ kind: 'operator', username: 'op.cs', password: PASSWORD, displayName: '客服', role: 'customer_service' });
    const phone = '13912340002';
    const consumer = await accounts.registerConsumer({ phone, password: PASSWORD });

    const first = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const page = await first.get(`/admin/users/${consumer.id}`).expect(200);
    expect(page.text).toContain('申请删除');
    const csrf = csrfFrom(page.text);
    expect((await first.post(`/admin/users/${consumer.id}/erasure`).type('form').send({ _csrf: csrf, reason: '' })).status).toBe(400);
    await first.post(`/admin/users/${consumer.id}/erasure`).type('form').send({ _csrf: csrf, reason: '用户来电核实，工单 #2026-1121-08' }).expect(303);
    expect((await first.post(`/admin/users/${consumer.id}/erasure`).type('form').send({ _csrf: csrf, reason: '再次申请同一个用户' })).status).toBe(409);
    const [request] = await t.container.services.dataRights.erasureRequests();
    // the one who asked cannot approve, by the page or around it
    const own = await first.post(`/admin/erasures/${request!.id}/approve`).type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(own.status).toBe(403);
    expect(own.text).toContain('双人复核');
    await expect(t.container.services.dataRights.approveErasure(request!.id, { kind: 'operator', id: t.fixtures.operator === 'op.admin' ? request!.requestedBy : 'x' })).rejects.toMatchObject({ code: 'two_person_rule' });
    // customer service may not touch it at all
    const cs = await staffAgent(t.app, 'admin', 'op.cs');
    expect((await cs.get('/admin/erasures')).status).toBe(403);
    // still there until a second person approves
    await request_(t).post('/api/v1/auth/login').send({ phone, password: PASSWORD }).expect(200);
    const second = await staffAgent(t.app, 'admin', 'op.second');
    const queue = await second.get('/admin/erasures').expect(200);
    expect(queue.text).toContain('批准并删除');
    await second.post(`/admin/erasures/${request!.id}/approve`).type('form').send({ _csrf: csrfFrom(queue.text), confirm: 'yes' }).expect(303);
    expect((await request_(t).post('/api/v1/auth/login').send({ phone, password: PASSWORD })).status).toBe(401);
    const after = await t.container.services.staff.get(consumer.id);
    expect(after).toMatchObject({ status: 'closed', loginMasked: '已注销' });
    const actions = (await t.container.services.audit.forObject('account', consumer.id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['erasure.requested', 'erasure.executed']));
  });
});

const request_ = (t: TestApp) => request(t.app);
