import request from 'supertest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { AGREED, AGREED_FORM, consumerAgent, csrfFrom, newPhone, smsCode, staffAgent } from '../support/http';
import { pdfText } from '../support/pdf-text';
import type { RequestOrigin } from '../../server/modules/audit';

const origin: RequestOrigin = { actor: { kind: 'consumer', id: null, ip: '203.0.113.9' }, device: 'dev', visitor: 'v', door: 'web' };
const loanVariables = {
  borrowerName: '王小明',
  institutionName: '甲银行股份有限公司',
  productName: '甲银行信用贷',
  amount: '¥30,000.00',
  term: '12 个月',
  repaymentMethod: '等额本息',
  apr: '9.60%',
  firstRepayment: '¥2,631.97',
  totalRepayment: '¥31,583.64',
  date: '2026-12-06',
};
const pdfBuffer = (res: request.Response, callback: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('contracts over HTTP: registration agreements, downloads, verification, template review', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const signFor = (consumerId: string, institutionId = t.fixtures.institutionA.id) =>
    t.container.services.contracts.sign({ kind: 'loan_contract', institutionId, consumerId, signerAccountId: consumerId, variables: loanVariables, smsConfirmed: true, origin, subjectId: `offer_${consumerId}_${institutionId}` });

  it('registering through the API needs the agreements in force: missing is a 400 naming them, stale a 409; the version is recorded', async () => {
    const phone = newPhone();
    const code = await smsCode(t.app, phone);
    const missing = await request(t.app).post('/api/v1/auth/register').send({ phone, code, password: PASSWORD });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.error.fields)).toEqual(['agreements']);
    const stale = await request(t.app).post('/api/v1/auth/register').send({ phone, code, password: PASSWORD, agreements: { userAgreement: 1, privacyPolicy: 7 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('agreements_changed');
    const current = await request(t.app).get('/api/v1/legal/agreements').expect(200);
    expect(current.body).toMatchObject({ userAgreement: { version: 1, url: '/legal/user-agreement' }, privacyPolicy: { version: 1, url: '/legal/privacy' }, outdated: null });
    const agent = request.agent(t.app);
    const ok = await agent.post('/api/v1/auth/register').send({ phone, code, password: PASSWORD, agreements: AGREED });
    expect(ok.status).toBe(201);
    expect((await agent.get('/api/v1/legal/agreements').expect(200)).body.outdated).toEqual([]);
    expect(await t.container.services.contracts.outdatedAgreements(ok.body.account.id)).toEqual([]);
  });

  it('the register page shows the checkbox with links; without it ticked the form comes back with the reason', async () => {
    const agent = request.agent(t.app);
    const form = await agent.get('/register').expect(200);
    expect(form.text).toContain('href="/legal/user-agreement"');
    expect(form.text).toContain('href="/legal/privacy"');
    const phone = newPhone();
    const code = await smsCode(t.app, phone);
    const refused = await agent.post('/register').type('form').send({ _csrf: csrfFrom(form.text), phone, code, password: PASSWORD });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('data-testid="agreements-error"');
    expect(refused.text).toContain('请阅读并同意《用户协议》和《隐私政策》');
    const done = await agent.post('/register').type('form').send({ _csrf: csrfFrom(refused.text), phone, code, password: PASSWORD, ...AGREED_FORM });
    expect(done.status).toBe(303);
    const legal = await request(t.app).get('/legal/user-agreement').expect(200);
    expect(legal.text).toContain('贷超平台用户协议');
    expect(legal.text).toContain('不向借款人收取任何费用');
    await request(t.app).get('/legal/privacy').expect(200);
  });

  it('a borrower lists and downloads only their own contracts (another’s is a 404); the PDF holds the terms', async () => {
    const mine = await consumerAgent(t.app);
    const other = await consumerAgent(t.app);
    const signed = await signFor(mine.id);
    const list = await mine.agent.get('/api/v1/contracts').expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ id: signed.id, kind: 'loan_contract', kindLabel: '借款合同', sha256: signed.sha256, institution: { id: t.fixtures.institutionA.id, name: '甲银行' } });
    const pdf = await mine.agent.get(`/api/v1/contracts/${signed.id}/pdf`).buffer(true).parse(pdfBuffer).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(pdf.body as Buffer);
    for (const v of [loanVariables.amount, loanVariables.apr, loanVariables.totalRepayment, '甲银行股份有限公司']) expect(text).toContain(v);
    expect((await other.agent.get(`/api/v1/contracts/${signed.id}/pdf`)).status).toBe(404);
    expect((await other.agent.get('/api/v1/contracts').expect(200)).body.items).toEqual([]);
    // the pages: the list, the own download, another's 404
    const page = await mine.agent.get('/account/contracts').expect(200);
    expect(page.text).toContain(`/account/contracts/${signed.id}/pdf`);
    await mine.agent.get(`/account/contracts/${signed.id}/pdf`).expect(200).expect('Content-Type', 'application/pdf');
    expect((await other.agent.get(`/account/contracts/${signed.id}/pdf`)).status).toBe(404);
    // the institution that is a party downloads it; another institution gets a 404
    const a = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await a.get(`/api/partner/v1/contracts/${signed.id}/pdf`).expect(200).expect('Content-Type', 'application/pdf');
    expect((await a.get('/api/partner/v1/contracts').expect(200)).body.items.map((c: { id: string }) => c.id)).toContain(signed.id);
    const b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    expect((await b.get(`/api/partner/v1/contracts/${signed.id}/pdf`)).status).toBe(404);
    expect((await b.get(`/partner/contracts/${signed.id}/pdf`)).status).toBe(404);
    const audit = await t.container.database.db.execute(sql`select count(*)::int as n from audit_log where action = 'contract.downloaded' and object_id = ${signed.id}`);
    expect((audit as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(3);
  });

  it('operators verify a contract over the API and the page; a changed evidence row fails naming the check', async () => {
    const consumer = await consumerAgent(t.app);
    const signed = await signFor(consumer.id);
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    expect((await op.get(`/api/admin/v1/contracts/${signed.id}/verify`).expect(200)).body).toEqual({ contractId: signed.id, ok: true, failures: [], failureLabels: [] });
    expect((await op.get('/api/admin/v1/contracts/ctr_nope/verify')).status).toBe(404);
    await t.container.database.db.execute(sql`update contract_evidence set sms_confirmed = false where contract_id = ${signed.id}`);
    const failed = await op.get(`/api/admin/v1/contracts/${signed.id}/verify`).expect(200);
    expect(failed.body).toMatchObject({ ok: false, failures: ['evidence_row_changed'] });
    const page = await op.get('/admin/contracts').expect(200);
    const all = await op.post('/admin/contracts/verify-all').type('form').send({ _csrf: csrfFrom(page.text) }).expect(200);
    expect(all.text).toContain('data-testid="verify-all-result"');
    expect(all.text).toContain(signed.id);
    expect(all.text).toContain('合同或证据记录被改动');
    // a borrower cannot verify
    expect((await consumer.agent.get(`/api/admin/v1/contracts/${signed.id}/verify`)).status).toBe(401);
  });

  it('an institution’s 借款合同 template is reviewed like a product; once approved, new contracts use it', async () => {
    const a = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const form = await a.get('/partner/contracts/template').expect(200);
    expect(form.text).toContain('平台默认模板');
    const body = `借款人 {{borrowerName}} 向 {{institutionName}} 借款 {{amount}}，期限 {{term}}，年化利率 {{apr}}，应还总额 {{totalRepayment}}。本合同为甲银行专用版本，双方签署后生效，借款人可随时提前还款且不收取违约金。`;
    const bad = await a.post('/partner/contracts/template').type('form').send({ _csrf: csrfFrom(form.text), title: '甲银行个人借款合同', body: body.replace('{{apr}}', '若干') });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('正文必须包含 {{apr}}');
    const unknown = await a.post('/partner/contracts/template').type('form').send({ _csrf: csrfFrom(form.text), title: '甲银行个人借款合同', body: `${body}{{secretFee}}` });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('不支持的变量：secretFee');
    await a.post('/partner/contracts/template').type('form').send({ _csrf: csrfFrom(form.text), title: '甲银行个人借款合同', body }).expect(303);

    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const queue = await op.get('/admin/contracts/templates').expect(200);
    const id = /\/admin\/contracts\/templates\/(ctpl_[\w-]+)">审核/.exec(queue.text)?.[1];
    expect(id).toBeTruthy();
    const review = await op.get(`/admin/contracts/templates/${id}`).expect(200);
    const noNote = await op.post(`/admin/contracts/templates/${id}/review`).type('form').send({ _csrf: csrfFrom(review.text), decision: 'reject', note: '' });
    expect(noNote.status).toBe(400);
    await op.post(`/admin/contracts/templates/${id}/review`).type('form').send({ _csrf: csrfFrom(review.text), decision: 'approve', note: '条款清楚' }).expect(303);
    expect((await op.post(`/admin/contracts/templates/${id}/review`).type('form').send({ _csrf: csrfFrom(review.text), decision: 'approve' })).status).toBe(409);

    const consumer = await consumerAgent(t.app);
    const signed = await signFor(consumer.id);
    const row = await t.container.services.contracts.contract(signed.id);
    expect(row).toMatchObject({ title: '甲银行个人借款合同', templateId: id, templateVersion: 1 });
    expect(await pdfText(await t.container.services.contracts.pdfOf(signed.id))).toContain('本合同为甲银行专用版本');
    // institution B still signs with the platform's default
    const otherRow = await t.container.services.contracts.contract((await signFor(consumer.id, t.fixtures.institutionB.id)).id);
    expect(otherRow).toMatchObject({ title: '借款合同', templateId: 'ctpl_default_loan_contract' });
  });

  it('the institution admin accepts the 合作协议 generated from its agreement terms, once', async () => {
    const a = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const page = await a.get('/partner/contracts/cooperation').expect(200);
    expect(page.text).toContain('每条 ¥20.00');
    expect(page.text).toContain('放款金额的 1.50%');
    const refused = await a.post('/partner/contracts/cooperation').type('form').send({ _csrf: csrfFrom(page.text) });
    expect(refused.status).toBe(400);
    await a.post('/partner/contracts/cooperation').type('form').send({ _csrf: csrfFrom(page.text), agree: 'yes' }).expect(303);
    const after = await a.get('/partner/contracts/cooperation').expect(200);
    expect(after.text).toContain('data-testid="cooperation-accepted"');
    expect((await a.post('/partner/contracts/cooperation').type('form').send({ _csrf: csrfFrom(after.text), agree: 'yes' })).status).toBe(409);
    const list = (await a.get('/api/partner/v1/contracts').expect(200)).body.items as { kind: string }[];
    expect(list.filter((c) => c.kind === 'cooperation')).toHaveLength(1);
  });

  it('a new 用户协议 version asks again: pages redirect to /legal/accept, the API answers 403 until agreed', async () => {
    const consumer = await consumerAgent(t.app);
    await consumer.agent.get('/applications').expect(200);
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const templates = await op.get('/admin/contracts/templates').expect(200);
    await op
      .post('/admin/contracts/templates/publish')
      .type('form')
      .send({ _csrf: csrfFrom(templates.text), kind: 'user_agreement', title: '贷超平台用户协议', changes: '新增第七条：短信验证码登录', body: '欢迎使用贷超平台。第七条：你可以使用短信验证码登录，验证码请勿告诉任何人。' })
      .expect(303);

    const blocked = await consumer.agent.get('/api/v1/contracts');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('agreements_outdated');
    const redirect = await consumer.agent.get('/applications');
    expect(redirect.status).toBe(303);
    expect(redirect.headers.location).toBe('/legal/accept?next=%2Fapplications');
    const ask = await consumer.agent.get('/legal/accept?next=%2Fapplications').expect(200);
    expect(ask.text).toContain('新增第七条：短信验证码登录');
    expect((await consumer.agent.get('/api/v1/legal/agreements').expect(200)).body.outdated).toEqual(['user_agreement']);

    // stale versions are refused; the current ones over the API let the borrower through
    expect((await consumer.agent.put('/api/v1/me/agreements').send({ userAgreement: 1, privacyPolicy: 1 })).status).toBe(409);
    expect((await consumer.agent.put('/api/v1/me/agreements').send({})).status).toBe(400);
    await consumer.agent.put('/api/v1/me/agreements').send({ userAgreement: 2, privacyPolicy: 1 }).expect(200);
    await consumer.agent.get('/api/v1/contracts').expect(200);
    await consumer.agent.get('/applications').expect(200);

    // another borrower accepts on the page and is sent back where they were going
    const second = await request.agent(t.app);
    const phone = newPhone();
    const code = await smsCode(t.app, phone);
    await second.post('/api/v1/auth/register').send({ phone, code, password: PASSWORD, agreements: { userAgreement: 2, privacyPolicy: 1 } }).expect(201);
    await second.get('/applications').expect(200);
    const earlier = await consumerAgentAtVersion1(t);
    const askPage = await earlier.get('/legal/accept?next=%2Fapplications').expect(200);
    const without = await earlier.post('/legal/accept').type('form').send({ _csrf: csrfFrom(askPage.text), next: '/applications', userAgreementVersion: '2', privacyPolicyVersion: '1' });
    expect(without.status).toBe(400);
    const accepted = await earlier.post('/legal/accept').type('form').send({ _csrf: csrfFrom(askPage.text), next: '/applications', userAgreementVersion: '2', privacyPolicyVersion: '1', agree: 'yes' });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.location).toBe('/applications');
    await earlier.get('/applications').expect(200);
  });
});

/** A borrower who agreed to version 1 before version 2 was published (recorded directly, as registration did then). */
async function consumerAgentAtVersion1(t: TestApp) {
  const phone = newPhone();
  const account = await t.container.services.accounts.registerConsumer({ phone, password: PASSWORD });
  await t.container.database.db.execute(
    sql`insert into agreement_acceptances (id, account_id, kind, version, accepted_at, ip) values (${`agacc_${phone}_u`}, ${account.id}, 'user_agreement', 1, now(), ''), (${`agacc_${phone}_p`}, ${account.id}, 'privacy_policy', 1, now(), '')`,
  );
  const agent = request.agent(t.app);
  await agent.post('/api/v1/auth/login').send({ phone, password: PASSWORD }).expect(200);
  return agent;
}
