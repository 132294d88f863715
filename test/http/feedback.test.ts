import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/app';
import { consumerAgent, csrfFrom, staffAgent } from '../support/http';

// a real 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('意见反馈', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    const { accounts } = t.container.services;
    await accounts.createStaff({ kind: 'operator', username: 'cs.one', password: PASSWORD, displayName: '客服小李', role: 'customer_service' });
    await accounts.createStaff({ kind: 'operator', username: 'fin.one', password: PASSWORD, displayName: '财务小王', role: 'finance' });
  });
  afterAll(() => t?.close());

  const send = (agent: Awaited<ReturnType<typeof consumerAgent>>['agent'], fields: Record<string, string>, file?: { bytes: Buffer; name: string }) => {
    let req = agent.post('/api/v1/feedback').set('X-Requested-With', 'XMLHttpRequest');
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return file ? req.attach('file', file.bytes, file.name) : req;
  };

  it('a borrower sends feedback with a screenshot: checked by content, sealed at rest, theirs alone', async () => {
    const owner = await consumerAgent(t.app);
    const before = filesUnder(path.join(t.container.config.dataDir, 'documents')).length;
    const created = await send(owner.agent, { category: 'bug', body: '计算器页面在手机上显示不全', pagePath: '/calculator' }, { bytes: PNG, name: 'shot.png' }).expect(201);
    expect(created.body).toMatchObject({ category: 'bug', categoryLabel: '问题报错', status: 'open', pagePath: '/calculator', screenshot: { mime: 'image/png', size: PNG.length }, answer: null });
    const stored = filesUnder(path.join(t.container.config.dataDir, 'documents')).slice(before).map((f) => readFileSync(f));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.includes(PNG.subarray(0, 8))).toBe(false);

    // a PDF or text posing as a picture is refused, and so is a bad category or an empty body
    expect((await send(owner.agent, { category: 'bug', body: '附上说明文件' }, { bytes: PDF, name: 'x.png' }).expect(400)).body.error.fields.file).toContain('按文件内容判断');
    expect((await send(owner.agent, { category: 'praise', body: '很好用的平台' }).expect(400)).body.error.fields.category).toBeTruthy();
    expect((await send(owner.agent, { category: 'other', body: '短' }).expect(400)).body.error.fields.body).toBeTruthy();
    // an offsite pagePath is dropped, never stored
    expect((await send(owner.agent, { category: 'suggestion', body: '希望增加夜间模式', pagePath: 'https://evil.example/x' }).expect(201)).body.pagePath).toBeNull();

    const id = created.body.id as string;
    const shot = await owner.agent.get(`/api/v1/feedback/${id}/screenshot`).buffer(true).expect(200);
    expect(Buffer.compare(shot.body as Buffer, PNG)).toBe(0);
    expect((await owner.agent.get(`/account/feedback/${id}/screenshot`).buffer(true).expect(200)).headers['cache-control']).toContain('no-store');

    const stranger = await consumerAgent(t.app);
    await stranger.agent.get(`/api/v1/feedback/${id}`).expect(404);
    await stranger.agent.get(`/api/v1/feedback/${id}/screenshot`).expect(404);
    await stranger.agent.get(`/account/feedback/${id}`).expect(404);
    await stranger.agent.get(`/account/feedback/${id}/screenshot`).expect(404);
    expect((await stranger.agent.get('/api/v1/feedback').expect(200)).body.items).toEqual([]);

    // staff: an operator with feedback.handle opens it (audited); finance may not; an institution's session is no borrower's
    const cs = await staffAgent(t.app, 'admin', 'cs.one');
    expect(Buffer.compare((await cs.get(`/api/admin/v1/feedback/${id}/screenshot`).buffer(true).expect(200)).body as Buffer, PNG)).toBe(0);
    const finance = await staffAgent(t.app, 'admin', 'fin.one');
    await finance.get(`/api/admin/v1/feedback/${id}/screenshot`).expect(403);
    await finance.get(`/admin/feedback/${id}/screenshot`).expect(403);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await partner.get(`/api/v1/feedback/${id}/screenshot`).expect(401); // not a borrower
    const audit = await t.container.services.audit.forObject('feedback', id);
    expect(audit.filter((a) => a.action === 'feedback.screenshot_opened')).toHaveLength(3);
    expect(audit.map((a) => a.action)).toContain('feedback.submitted');
  });

  it('operators triage by status, category and tag, assign, answer and close; the borrower sees the answer and is notified', async () => {
    const owner = await consumerAgent(t.app);
    const id = (await send(owner.agent, { category: 'suggestion', body: '希望还款提醒可以提前三天' }).expect(201)).body.id as string;
    const other = (await send(owner.agent, { category: 'experience', body: '注册页的验证码按钮太小' }).expect(201)).body.id as string;
    const cs = await staffAgent(t.app, 'admin', 'cs.one');

    const tagged = await cs.post(`/api/admin/v1/feedback/${id}/tags`).send({ tags: '还款 提醒,还款' }).expect(200);
    expect(tagged.body.tags).toEqual(['还款', '提醒']);
    await cs.post(`/api/admin/v1/feedback/${id}/tags`).send({ tags: Array.from({ length: 9 }, (_, i) => `t${i}`) }).expect(400);
    const ids = async (qs: string) => (await cs.get(`/api/admin/v1/feedback?${qs}`).expect(200)).body.items.map((f: { id: string }) => f.id);
    expect(await ids('tag=还款')).toEqual([id]);
    expect(await ids('category=experience')).toContain(other);
    expect(await ids('category=experience')).not.toContain(id);
    await cs.get('/api/admin/v1/feedback?status=nonsense').expect(400);

    const handlers = await t.container.services.feedback.handlers();
    const csId = handlers.find((h) => h.displayName === '客服小李')!.id;
    const assigned = await cs.post(`/api/admin/v1/feedback/${id}/assign`).send({ assigneeId: csId }).expect(200);
    expect(assigned.body).toMatchObject({ status: 'in_progress', assignee: { id: csId, name: '客服小李' } });
    // only an operator holding feedback.handle can be given it
    await cs.post(`/api/admin/v1/feedback/${id}/assign`).send({ assigneeId: owner.id }).expect(400);
    expect(await ids('mine=1')).toEqual([id]);

    // the page door: answer with the CSRF token
    const page = await cs.get(`/admin/feedback/${id}`).expect(200);
    expect(page.text).toContain('希望还款提醒可以提前三天');
    await cs.post(`/admin/feedback/${id}/answer`).type('form').send({ answer: '好建议' }).expect(403);
    await cs.post(`/admin/feedback/${id}/answer`).type('form').send({ _csrf: csrfFrom(page.text), answer: '已排期：还款前三天会发送站内提醒。' }).expect(303);

    const mine = (await owner.agent.get(`/api/v1/feedback/${id}`).expect(200)).body;
    expect(mine).toMatchObject({ status: 'answered', answer: '已排期：还款前三天会发送站内提醒。' });
    expect((await owner.agent.get(`/account/feedback/${id}`).expect(200)).text).toContain('已排期：还款前三天会发送站内提醒。');
    const notes = await t.container.services.notifications.list(owner.id);
    expect(notes.find((n) => n.kind === 'feedback')).toMatchObject({ title: '平台答复了你的反馈', link: `/account/feedback/${id}` });

    await cs.post(`/api/admin/v1/feedback/${id}/close`).send({}).expect(200);
    const closed = await cs.post(`/api/admin/v1/feedback/${id}/answer`).send({ answer: '补充一句' }).expect(409);
    expect(closed.body.error.code).toBe('feedback_closed');
    await cs.post(`/api/admin/v1/feedback/${id}/close`).send({}).expect(409);
    expect(await ids('status=closed')).toContain(id);

    const actions = (await t.container.services.audit.forObject('feedback', id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['feedback.submitted', 'feedback.tagged', 'feedback.assigned', 'feedback.viewed', 'feedback.answered', 'feedback.closed']));
  });

  it('the form: signed in only, linked from the footer and the account menu, shown again with the reason', async () => {
    const anonymous = await import('supertest').then((m) => m.default.agent(t.app));
    const home = await anonymous.get('/').expect(200);
    expect(home.text).toContain('href="/account/feedback/new"');
    const away = await anonymous.get('/account/feedback/new');
    expect(away.status).toBe(303);
    expect(String(away.headers.location)).toContain('/login');

    const owner = await consumerAgent(t.app);
    expect((await owner.agent.get('/account').expect(200)).text).toContain('href="/account/feedback"');
    const form = await owner.agent.get('/account/feedback/new?from=/calculator').expect(200);
    expect(form.text).toContain('name="pagePath" value="/calculator"');
    const csrf = csrfFrom(form.text);
    const refused = await owner.agent.post('/account/feedback').field('_csrf', csrf).field('category', 'bug').field('body', '页面报错了').attach('file', PDF, 'a.png').expect(400);
    expect(refused.text).toContain('按文件内容判断');
    expect(refused.text).toContain('页面报错了');
    await owner.agent.post('/account/feedback').field('category', 'bug').field('body', '没有令牌的提交').expect(403);
    const sent = await owner.agent.post('/account/feedback').field('_csrf', csrf).field('category', 'bug').field('body', '页面报错了，点提交没反应').attach('file', PNG, 'a.png').expect(303);
    expect(String(sent.headers.location)).toMatch(/^\/account\/feedback\/fbk_/);
    const list = await owner.agent.get('/account/feedback').expect(200);
    expect(list.text).toContain('页面报错了，点提交没反应');
  });
});
