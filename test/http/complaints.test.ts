import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../server/lib/clock';
import { startTestApp, type TestApp } from '../support/app';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';

const HOUR = 3600_000;

describe('complaints', () => {
  let t: TestApp;
  // the app's clock: the system's, except where a test sets it
  const clock = new TestClock();
  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  afterEach(() => clock.release());
  afterAll(() => t?.close());

  it('goes from a consumer’s application to the institution (masked) and the operator (notes hidden), and back to the consumer', async () => {
    const { institutionA, institutionB } = t.fixtures;
    const consumer = await consumerAgent(t.app, { realName: '王小明' });
    const app = await apply(consumer.agent, institutionA.productId);

    // ── the consumer files from the application page ────────────────────────────────────────
    const appPage = await consumer.agent.get(`/applications/${app.id}`).expect(200);
    expect(appPage.text).toContain(`/account/complaints/new?applicationId=${app.id}`);
    const form = await consumer.agent.get(`/account/complaints/new?applicationId=${app.id}`).expect(200);
    const csrf = csrfFrom(form.text);
    const key = randomUUID();
    const fields = { _csrf: csrf, idempotencyKey: key, applicationId: app.id, category: 'collection', subject: '催收电话太多', description: '每天接到十几个催收电话，还打给了我的同事。' };
    const filed = await consumer.agent.post('/account/complaints').type('form').send(fields).expect(303);
    const location = String(filed.headers.location);
    expect(location).toMatch(/^\/account\/complaints\/cmp_/);
    const id = location.split('/').pop()!;
    // a double submit lands on the same ticket
    const again = await consumer.agent.post('/account/complaints').type('form').send(fields).expect(303);
    expect(again.headers.location).toBe(location);
    expect((await consumer.agent.get('/api/v1/complaints').expect(200)).body.items).toHaveLength(1);

    const mine = (await consumer.agent.get(`/api/v1/complaints/${id}`).expect(200)).body;
    expect(mine).toMatchObject({ status: 'open', category: 'collection', institution: { id: institutionA.id, name: '甲银行' }, applicationId: app.id });
    expect(new Date(mine.firstResponseDueAt).getTime() - new Date(mine.createdAt).getTime()).toBe(24 * HOUR);
    expect(new Date(mine.resolutionDueAt).getTime() - new Date(mine.createdAt).getTime()).toBe(168 * HOUR);

    // ── the institution sees it, masked, and answers the platform ───────────────────────────
    const partner = await staffAgent(t.app, 'partner', institutionA.staff);
    const list = await partner.get('/partner/complaints').expect(200);
    expect(list.text).toContain('催收电话太多');
    expect(list.text).toContain('王**');
    const detail = await partner.get(`/partner/complaints/${id}`).expect(200);
    expect(detail.text).toContain('王**');
    for (const secret of [consumer.phone, consumer.idNumber, '王小明']) expect(detail.text).not.toContain(secret);
    await partner.post(`/partner/complaints/${id}/messages`).type('form').send({ _csrf: csrfFrom(detail.text), body: '已暂停对该客户的外呼，正在核查。' }).expect(303);
    // institution B cannot see it
    const partnerB = await staffAgent(t.app, 'partner', institutionB.staff);
    await partnerB.get(`/partner/complaints/${id}`).expect(404);
    expect((await partnerB.get('/partner/complaints').expect(200)).text).not.toContain('催收电话太多');
    const detailB = await partnerB.get('/partner/complaints').expect(200);
    await partnerB.post(`/partner/complaints/${id}/messages`).type('form').send({ _csrf: csrfFrom(detailB.text), body: '试图回复' }).expect(404);

    // ── the operator works the ticket ───────────────────────────────────────────────────────
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const queue = await op.get('/admin/complaints').expect(200);
    expect(queue.text).toContain(`data-complaint-id="${id}"`);
    const page = await op.get(`/admin/complaints/${id}`).expect(200);
    expect(page.text).toContain('已暂停对该客户的外呼');
    const opCsrf = csrfFrom(page.text);
    const post = (path: string, body: Record<string, string>) => op.post(`/admin/complaints/${id}/${path}`).type('form').send({ _csrf: opCsrf, ...body });
    await post('assign', { assigneeId: 'me' }).expect(303);
    await post('notes', { body: '内部备注：该机构本月第三次被投诉' }).expect(303);
    await post('messages', { to: 'institution', body: '请三个工作日内提供通话记录。' }).expect(303);
    await post('messages', { to: 'consumer', body: '您好，我们已联系机构暂停催收。' }).expect(303);
    await post('status', { status: 'resolved', note: '机构已整改' }).expect(303);
    // an illegal move is refused, and bad input names the field
    expect((await post('status', { status: 'bogus' })).status).toBe(400);
    expect((await post('status', { status: 'open' })).status).toBe(409);
    expect((await post('status', { status: 'awaiting_consumer' })).status).toBe(409);
    const empty = await post('notes', { body: '  ' }).expect(400);
    expect(empty.text).toContain('请输入内容');
    expect((await op.get('/admin/complaints').query({ mine: '1' }).expect(200)).text).toContain(`data-complaint-id="${id}"`);

    // ── the consumer sees the progress, but neither the note nor the institution thread ────
    const seen = await consumer.agent.get(`/account/complaints/${id}`).expect(200);
    expect(seen.text).toContain('您好，我们已联系机构暂停催收。');
    expect(seen.text).toContain('已解决');
    expect(seen.text).toContain('机构已整改');
    expect(seen.text).toContain('<strong>平台客服</strong>');
    for (const hidden of ['内部备注', '请三个工作日内提供通话记录', '已暂停对该客户的外呼']) expect(seen.text).not.toContain(hidden);
    expect((await consumer.agent.get('/account/complaints').expect(200)).text).toContain('data-status="resolved">已解决<');
    const json = (await consumer.agent.get(`/api/v1/complaints/${id}`).expect(200)).body;
    expect(json.status).toBe('resolved');
    expect(json.firstRespondedAt).not.toBeNull();
    expect(json.timeline.map((e: { kind: string }) => e.kind)).toEqual(['created', 'message', 'status']);
    expect(JSON.stringify(json)).not.toContain('内部备注');

    // the institution sees its thread and the status, not the note nor the consumer thread
    const inst = await partner.get(`/partner/complaints/${id}`).expect(200);
    expect(inst.text).toContain('请三个工作日内提供通话记录');
    for (const hidden of ['内部备注', '您好，我们已联系机构暂停催收']) expect(inst.text).not.toContain(hidden);

    // another consumer gets 404 everywhere
    const other = await consumerAgent(t.app);
    await other.agent.get(`/account/complaints/${id}`).expect(404);
    await other.agent.get(`/api/v1/complaints/${id}`).expect(404);

    // the consumer confirms: closed
    await consumer.agent.post(`/account/complaints/${id}/confirm`).type('form').send({ _csrf: csrfFrom(seen.text) }).expect(303);
    expect((await consumer.agent.get(`/api/v1/complaints/${id}`).expect(200)).body.status).toBe('closed');
    expect((await consumer.agent.post(`/account/complaints/${id}/messages`).type('form').send({ _csrf: csrfFrom(seen.text), body: '还有问题' })).status).toBe(409);

    // audited: operator views and every status change
    const audit = await t.container.services.audit.forObject('complaint', id);
    const actions = audit.map((a) => `${a.actorKind}:${a.action}`);
    expect(actions).toContain('operator:complaint.viewed');
    expect(actions.filter((a) => a.endsWith('complaint.status_changed'))).toEqual(['consumer:complaint.status_changed', 'operator:complaint.status_changed']);
  });

  it('refuses bad input with 400 naming the field, on the API and the form', async () => {
    const consumer = await consumerAgent(t.app);
    const stranger = await consumerAgent(t.app);
    const strangersApp = await apply(stranger.agent, t.fixtures.institutionB.productId);

    const missing = await consumer.agent.post('/api/v1/complaints').send({ subject: '收费', description: '收了我一笔没说明的服务费用' }).expect(400);
    expect(missing.body.error.fields).toHaveProperty('category');
    const unknown = await consumer.agent.post('/api/v1/complaints').send({ category: 'fees', subject: '收费', description: '收了我一笔没说明的服务费用', status: 'closed' }).expect(400);
    expect(unknown.body.error.fields).toHaveProperty('status');
    const notMine = await consumer.agent.post('/api/v1/complaints').send({ category: 'fees', subject: '收费', description: '收了我一笔没说明的服务费用', applicationId: strangersApp.id }).expect(400);
    expect(notMine.body.error.fields).toHaveProperty('applicationId');
    // an empty application id is no application (the form's 「不涉及具体申请」): a complaint about the platform, not a 500
    const none = await consumer.agent.post('/api/v1/complaints').send({ category: 'platform', subject: '页面', description: '申请页面有时打不开，请尽快处理', applicationId: '' }).expect(201);
    expect(none.body).toMatchObject({ applicationId: null, institution: null });
    const wrongType = await consumer.agent.post('/api/v1/complaints').send({ category: 'fees', subject: '收费', description: '收了我一笔没说明的服务费用', applicationId: 12 }).expect(400);
    expect(wrongType.body.error.fields.applicationId).toBe('申请编号须为文本');

    const form = await consumer.agent.get('/account/complaints/new').expect(200);
    const bad = await consumer.agent
      .post('/account/complaints')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), category: 'platform', subject: '页面打不开', description: '太短' })
      .expect(400);
    expect(bad.text).toContain('请至少用 10 个字描述问题');
    expect(bad.text).toContain('value="页面打不开"');

    // about the platform: no institution
    const platform = await consumer.agent.post('/api/v1/complaints').send({ category: 'platform', subject: '页面打不开', description: '申请页面在手机上一直转圈打不开' }).expect(201);
    expect(platform.body.institution).toBeNull();
  });

  it('takes SLA hours from the settings and escalates overdue tickets once, with a fake clock', async () => {
    const { complaints, settings } = t.container.services;
    await settings.set('complaints.firstResponseHours', 2, { kind: 'system' });
    await settings.set('complaints.resolutionHours', 48, { kind: 'system' });
    const consumer = await consumerAgent(t.app);
    const actor = { kind: 'consumer' as const, id: consumer.id };
    const t0 = new Date(Date.now() + 1000 * HOUR); // far from every other ticket's clock
    clock.set(t0);
    const silent = await complaints.file(consumer.id, { category: 'fees', subject: '没人理', description: '提交很久了一直没有人答复我' }, actor);
    const answered = await complaints.file(consumer.id, { category: 'fees', subject: '及时答复', description: '这张工单在时限内得到了答复' }, actor);
    expect(silent.firstResponseDueAt.getTime() - t0.getTime()).toBe(2 * HOUR);
    expect(silent.resolutionDueAt.getTime() - t0.getTime()).toBe(48 * HOUR);
    clock.set(new Date(t0.getTime() + HOUR));
    await complaints.messageFromOperator(answered.id, 'consumer', '已收到，处理中', { kind: 'operator', id: null });

    const level = async (id: string) => (await complaints.getForOperator(id, { kind: 'system' })).escalationLevel;
    // (tickets of the other tests, filed on the real clock, are long overdue by then: only ours are checked)
    await complaints.escalateOverdue(clock.now());
    expect(await level(silent.id)).toBe(0);
    clock.set(new Date(t0.getTime() + 3 * HOUR));
    expect(await complaints.escalateOverdue(clock.now())).toBeGreaterThanOrEqual(1);
    expect(await level(silent.id)).toBe(1);
    expect(await level(answered.id)).toBe(0);
    // idempotent: a second run at the same time changes nothing
    expect(await complaints.escalateOverdue(clock.now())).toBe(0);
    const events = (await complaints.getForOperator(silent.id, { kind: 'system' })).events.filter((e) => e.kind === 'escalated');
    expect(events).toHaveLength(1);

    // past the resolution deadline both escalate to 2, once
    clock.set(new Date(t0.getTime() + 49 * HOUR));
    await complaints.escalateOverdue(clock.now());
    expect(await level(silent.id)).toBe(2);
    expect(await level(answered.id)).toBe(2);
    expect(await complaints.escalateOverdue(clock.now())).toBe(0);

    // the queue shows them first with a badge; escalation is never shown to the consumer
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const queue = await op.get('/admin/complaints').expect(200);
    expect(queue.text).toContain('升级 2 级');
    const overdueOnly = (await complaints.queue({ overdue: true })).map((c) => c.id);
    expect(overdueOnly).toEqual(expect.arrayContaining([silent.id, answered.id]));
    const fresh = await complaints.file(consumer.id, { category: 'fees', subject: '新工单', description: '刚刚提交的工单不应排在升级工单前面' }, actor);
    const order = (await complaints.queue({})).filter((c) => c.status !== 'resolved' && c.status !== 'closed');
    const levels = order.map((c) => c.escalationLevel);
    expect(levels).toEqual([...levels].sort((a, b) => b - a));
    expect(order.findIndex((c) => c.id === fresh.id)).toBeGreaterThan(order.findIndex((c) => c.id === silent.id));
    clock.release();
    const seen = await consumer.agent.get(`/api/v1/complaints/${silent.id}`).expect(200);
    expect(seen.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(['created']);
    await settings.set('complaints.firstResponseHours', 24, { kind: 'system' });
    await settings.set('complaints.resolutionHours', 168, { kind: 'system' });
  });

  it('lets the consumer reopen within 7 days of resolution', async () => {
    const { complaints } = t.container.services;
    const consumer = await consumerAgent(t.app);
    const actor = { kind: 'consumer' as const, id: consumer.id };
    const filed = await complaints.file(consumer.id, { category: 'other', subject: '重新打开', description: '问题解决后又出现了同样的问题' }, actor);
    const op = { kind: 'operator' as const, id: null };
    await complaints.changeStatus(filed.id, 'resolved', op);
    const page = await consumer.agent.get(`/account/complaints/${filed.id}`).expect(200);
    expect(page.text).toContain('重新打开');
    const empty = await consumer.agent.post(`/account/complaints/${filed.id}/reopen`).type('form').send({ _csrf: csrfFrom(page.text), reason: '' }).expect(400);
    expect(empty.text).toContain('请输入内容');
    await consumer.agent.post(`/account/complaints/${filed.id}/reopen`).type('form').send({ _csrf: csrfFrom(page.text), reason: '又收到了电话' }).expect(303);
    expect((await consumer.agent.get(`/api/v1/complaints/${filed.id}`).expect(200)).body.status).toBe('in_progress');
    // resolved eight days ago: too late
    const late = new Date(Date.now() + 8 * 24 * HOUR);
    await complaints.changeStatus(filed.id, 'resolved', op);
    await expect(complaints.reopen(consumer.id, filed.id, '还是不行', actor, late)).rejects.toThrow(/7 天/);
  });

  it('feeds each product’s complaint rate to the marketplace ranking', async () => {
    const { complaints } = t.container.services;
    const A = t.fixtures.institutionA;
    const first = await consumerAgent(t.app);
    const second = await consumerAgent(t.app);
    const app1 = await apply(first.agent, A.productId);
    await apply(second.agent, A.productId);
    await complaints.file(first.id, { category: 'fees', subject: '收费不透明', description: '放款后被扣了一笔没说明的服务费', applicationId: app1.id }, { kind: 'consumer', id: first.id });
    await complaints.refreshProductRates();
    const { catalogue } = t.container.services;
    const rate = catalogue.complaintRate(A.productId);
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThan(1); // the second application drew no complaint
    expect(catalogue.complaintRate(t.fixtures.institutionB.productId)).toBe(0);
  });
});
