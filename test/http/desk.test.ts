import request from 'supertest';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../server/lib/clock';
import { auditLog } from '../../server/modules/audit/audit.schema';
import { deskMessages } from '../../server/modules/desk/desk.schema';
import { PASSWORD } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/app';
import { consumerAgent, csrfFrom, staffAgent } from '../support/http';

// 2026-12-07 10:00 in Shanghai (a Monday)
const NOW = new Date('2026-12-07T02:00:00Z');
const HOUR = 3_600_000;

describe('customer-service desk', () => {
  let t: TestApp;
  const clock = new TestClock(NOW);
  const supervisor = { kind: 'operator' as const, id: null };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ clock });
    const { accounts, desk } = t.container.services;
    for (const name of ['kf1', 'kf2', 'kf3']) {
      ids[name] = (await accounts.createStaff({ kind: 'operator', username: name, password: PASSWORD, displayName: `客服${name}`, role: 'customer_service' })).id;
    }
    ids.ops = (await accounts.createStaff({ kind: 'operator', username: 'ops', password: PASSWORD, displayName: '主管', role: 'operations' })).id;
    // 借款咨询 and 机构咨询: kf1 and kf2; 还款: kf3 only
    await desk.setGroup(supervisor, 'dg_loan', { agentIds: [ids.kf1!, ids.kf2!], opensAtMinute: 540, closesAtMinute: 1260 });
    await desk.setGroup(supervisor, 'dg_institution', { agentIds: [ids.kf1!], opensAtMinute: 540, closesAtMinute: 1080 });
    await desk.setGroup(supervisor, 'dg_repay', { agentIds: [ids.kf3!], opensAtMinute: 540, closesAtMinute: 1260 });
  }, 60_000);
  afterAll(() => t?.close());

  const onDuty = async (groupId: string, agent: string, fromHours: number, toHours: number) =>
    t.container.services.desk.addShift(supervisor, { groupId, agentId: ids[agent]!, startsAt: new Date(NOW.getTime() + fromHours * HOUR), endsAt: new Date(NOW.getTime() + toHours * HOUR) });

  it('outside the group’s hours the borrower is told when someone will answer, and the conversation waits in the queue', async () => {
    // 还款 is staffed from 11:00 only
    await onDuty('dg_repay', 'kf3', 1, 9);
    const borrower = await consumerAgent(t.app, { realName: '王小明' });
    // the groups a borrower may choose from, with their service hours (not the institutions' group)
    const groups = (await borrower.agent.get('/api/v1/desk/groups').expect(200)).body.items as { id: string; name: string; hours: string }[];
    expect(groups.map((g) => g.id)).toEqual(['dg_loan', 'dg_repay', 'dg_account']);
    expect(groups[1]).toMatchObject({ name: '还款', hours: expect.stringMatching(/\d{2}:\d{2}/) });
    const opened = await borrower.agent.post('/api/v1/desk/conversations').send({ groupId: 'dg_repay', body: '这个月的还款日能不能推迟几天？' }).expect(201);
    expect(opened.body).toMatchObject({ status: 'waiting', agentName: null, group: { id: 'dg_repay', name: '还款' } });
    expect(opened.body.waitingNotice).toContain('12/7 11:00');
    expect(opened.body.number).toMatch(/^KF\d{6}$/);

    const kf3 = await staffAgent(t.app, 'admin', 'kf3');
    const queue = (await kf3.get('/api/admin/v1/desk/queue').expect(200)).body;
    expect(queue.items.map((c: { id: string }) => c.id)).toContain(opened.body.id);
    expect(queue.groups).toEqual([expect.objectContaining({ id: 'dg_repay', onDutyCount: 0, waiting: 1 })]);

    // at 11:00 kf3 is on duty: the borrower's next message is assigned to them
    clock.set(new Date(NOW.getTime() + 1 * HOUR));
    const after = (await borrower.agent.post(`/api/v1/desk/conversations/${opened.body.id}/messages`).send({ body: '在吗？' }).expect(200)).body;
    expect(after).toMatchObject({ status: 'open', agentName: '客服kf3', waitingNotice: null });
    clock.set(NOW);
  });

  it('assigns new conversations round robin among the agents on duty in the group', async () => {
    await onDuty('dg_loan', 'kf1', -1, 8);
    await onDuty('dg_loan', 'kf2', -1, 8);
    const borrower = await consumerAgent(t.app);
    const agents: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = (await borrower.agent.post('/api/v1/desk/conversations').send({ groupId: 'dg_loan', body: `第 ${i + 1} 个问题：额度怎么算？` }).expect(201)).body;
      expect(c.status).toBe('open');
      agents.push(c.agentName);
    }
    expect(agents[0]).not.toBe(agents[1]);
    expect(agents[2]).toBe(agents[0]);
    expect(agents[3]).toBe(agents[1]);
    expect(new Set(agents)).toEqual(new Set(['客服kf1', '客服kf2']));
  });

  it('a borrower reads only their own conversations; an agent only those of their groups; a role without desk.work gets 403', async () => {
    const owner = await consumerAgent(t.app);
    const other = await consumerAgent(t.app);
    const c = (await owner.agent.post('/api/v1/desk/conversations').send({ groupId: 'dg_loan', body: '我的申请还在审核吗' }).expect(201)).body;
    await other.agent.get(`/api/v1/desk/conversations/${c.id}`).expect(404);
    await other.agent.post(`/api/v1/desk/conversations/${c.id}/messages`).send({ body: '插一句' }).expect(404);
    await other.agent.post(`/api/v1/desk/conversations/${c.id}/rating`).send({ rating: 1 }).expect(404);
    await other.agent.get(`/desk/conversations/${c.id}`).expect(404);
    await other.agent.get(`/desk/conversations/${c.id}/events`).expect(404);
    expect((await other.agent.get('/api/v1/desk/conversations').expect(200)).body.items).toEqual([]);
    await request(t.app).get(`/api/v1/desk/conversations/${c.id}`).expect(401);

    // kf3 works 还款 only
    const kf3 = await staffAgent(t.app, 'admin', 'kf3');
    await kf3.get(`/admin/desk/conversations/${c.id}`).expect(404);
    await kf3.get(`/api/admin/v1/desk/conversations/${c.id}`).expect(404);
    await kf3.post(`/api/admin/v1/desk/conversations/${c.id}/take`).send({}).expect(404);
    await kf3.get('/admin/desk/groups/dg_loan/events').expect(404);
    expect((await kf3.get('/api/admin/v1/desk/queue').expect(200)).body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);
    // 运营 supervises the desk but does not work it
    const ops = await staffAgent(t.app, 'admin', 'ops');
    await ops.get('/admin/desk').expect(403);
    await ops.get(`/api/admin/v1/desk/conversations/${c.id}`).expect(403);
    await ops.get('/admin/desk/settings').expect(200);
    await kf3.get('/admin/desk/settings').expect(403);
    await kf3.get('/api/admin/v1/desk/reports').expect(403);
  });

  it('an anonymous visitor opens a conversation from the page with a contact, bound to their cookie', async () => {
    const visitor = request.agent(t.app);
    const page = await visitor.get('/desk').expect(200);
    expect(page.text).toContain('联系方式');
    const csrf = csrfFrom(page.text);
    // without a contact the form comes back with the reason
    const refused = await visitor.post('/desk').type('form').send({ _csrf: csrf, groupId: 'dg_account', body: '怎么注销账号？' }).expect(400);
    expect(refused.text).toContain('请填写手机号或邮箱');
    expect(refused.text).toContain('怎么注销账号？');
    const created = await visitor.post('/desk').type('form').send({ _csrf: csrf, groupId: 'dg_account', body: '怎么注销账号？', contact: '13912345678' }).expect(303);
    const path = String(created.headers.location);
    expect(path).toMatch(/^\/desk\/conversations\/kf_/);
    const thread = await visitor.get(path).expect(200);
    expect(thread.text).toContain('怎么注销账号？');
    expect(thread.text).toContain('不在服务时间'); // no one is rostered for 账户与数据
    await visitor.post(`${path}/messages`).type('form').send({ _csrf: csrfFrom(thread.text), body: '补充一下' }).expect(303);
    // another browser, or a signed-in borrower, does not see it
    await request.agent(t.app).get(path).expect(404);
    await (await consumerAgent(t.app)).agent.get(path).expect(404);
    const id = path.split('/').pop()!;
    const row = await t.container.services.desk.listForParty({ kind: 'consumer', consumerId: 'nobody' });
    expect(row).toEqual([]);
    // the visitor cannot be turned into a complaint (no account)
    await t.container.services.desk.setGroup(supervisor, 'dg_account', { agentIds: [ids.kf1!], opensAtMinute: 540, closesAtMinute: 1080 });
    const kf1 = await staffAgent(t.app, 'admin', 'kf1');
    const seen = (await kf1.get(`/api/admin/v1/desk/conversations/${id}`).expect(200)).body;
    expect(seen.party).toEqual({ kind: 'visitor', label: '访客', contactMasked: '139****5678', claimedAt: null });
    const refusedComplaint = await kf1.post(`/api/admin/v1/desk/conversations/${id}/complaint`).send({ category: 'platform', subject: '注销' }).expect(409);
    expect(refusedComplaint.body.error.code).toBe('complaint_needs_account');
  });

  it('an agent answers with a canned reply, notes, turns it into a complaint with its SLA, closes; the borrower rates once', async () => {
    const borrower = await consumerAgent(t.app, { realName: '李小红' });
    const c = (await borrower.agent.post('/api/v1/desk/conversations').send({ groupId: 'dg_loan', body: '机构一直打我电话 13812345678，身份证 110101199003071234 也被要了' }).expect(201)).body;
    const agentName = c.agentName as string;
    const agent = await staffAgent(t.app, 'admin', agentName === '客服kf1' ? 'kf1' : 'kf2');

    // masked for the agent; sealed at rest
    const seen = (await agent.get(`/api/admin/v1/desk/conversations/${c.id}`).expect(200)).body;
    expect(seen.party.label).toBe('李**');
    expect(seen.messages[0].body).toContain('138****5678');
    expect(seen.messages[0].body).toContain('**************1234');
    expect(seen.messages[0].body).not.toContain('13812345678');
    const stored = await t.container.database.db.select().from(deskMessages).where(eq(deskMessages.conversationId, c.id));
    for (const m of stored) expect(m.bodyEnc).not.toContain('13812345678');
    // the reveal shows it in full and is audited
    const page = await agent.get(`/admin/desk/conversations/${c.id}`).expect(200);
    const revealed = await agent.post(`/admin/desk/conversations/${c.id}/reveal`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(200);
    expect(revealed.text).toContain('13812345678');
    const audits = await t.container.database.db.select().from(auditLog).where(eq(auditLog.objectId, c.id));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['desk.conversation_opened', 'desk.conversation_viewed', 'desk.pii_revealed']));

    // a canned reply, its variables filled in at send time
    const canned = await t.container.services.desk.saveCanned(supervisor, { title: '问候', body: '您好，{{称呼}}！我是{{坐席}}，会话 {{会话编号}} 已记录。' });
    await agent.post(`/api/admin/v1/desk/conversations/${c.id}/reply`).send({ cannedId: canned.id }).expect(200);
    await agent.post(`/api/admin/v1/desk/conversations/${c.id}/reply`).send({ body: '好的', cannedId: canned.id }).expect(400);
    await agent.post(`/api/admin/v1/desk/conversations/${c.id}/notes`).send({ body: '疑似暴力催收，需要转投诉' }).expect(200);
    const thread = (await borrower.agent.get(`/api/v1/desk/conversations/${c.id}`).expect(200)).body;
    const texts = thread.messages.map((m: { body: string }) => m.body);
    expect(texts).toContain(`您好，李**！我是${agentName}，会话 ${c.number} 已记录。`);
    expect(texts.join('\n')).not.toContain('疑似暴力催收');

    // into a complaint, with its SLA, linked back
    const done = (await agent.post(`/api/admin/v1/desk/conversations/${c.id}/complaint`).send({ category: 'collection', subject: '催收电话骚扰' }).expect(200)).body;
    expect(done.complaintId).toMatch(/^cmp_/);
    await agent.post(`/api/admin/v1/desk/conversations/${c.id}/complaint`).send({ category: 'collection', subject: '再来一次' }).expect(409);
    const complaint = (await borrower.agent.get(`/api/v1/complaints/${done.complaintId}`).expect(200)).body;
    expect(complaint).toMatchObject({ subject: '催收电话骚扰', category: 'collection', status: 'open' });
    expect(new Date(complaint.firstResponseDueAt).getTime() - new Date(complaint.createdAt).getTime()).toBe(24 * HOUR);

    // rating before closing is refused; after closing once
    await borrower.agent.post(`/api/v1/desk/conversations/${c.id}/rating`).send({ rating: 5 }).expect(409);
    await agent.post(`/api/admin/v1/desk/conversations/${c.id}/close`).send({}).expect(200);
    await borrower.agent.post(`/api/v1/desk/conversations/${c.id}/messages`).send({ body: '还有一个问题' }).expect(409);
    await borrower.agent.post(`/api/v1/desk/conversations/${c.id}/rating`).send({ rating: 6 }).expect(400);
    const rated = (await borrower.agent.post(`/api/v1/desk/conversations/${c.id}/rating`).send({ rating: 5, comment: '处理很快' }).expect(200)).body;
    expect(rated).toMatchObject({ rating: 5, ratingComment: '处理很快', canRate: false });
    expect((await borrower.agent.post(`/api/v1/desk/conversations/${c.id}/rating`).send({ rating: 1 }).expect(409)).body.error.code).toBe('already_rated');

    // the report counts it for the agent and the group
    const ops = await staffAgent(t.app, 'admin', 'ops');
    const report = (await ops.get('/api/admin/v1/desk/reports?from=2026-12-07&to=2026-12-07').expect(200)).body;
    const row = report.agents.find((r: { name: string }) => r.name === agentName);
    expect(row).toMatchObject({ ratings: 1, averageRating: 5, complaints: 1 });
    expect(row.firstResponseSeconds).toBe(0);
    const group = report.groups.find((r: { id: string }) => r.id === 'dg_loan');
    expect(group.complaints).toBe(1);
    expect(group.conversations).toBeGreaterThanOrEqual(5);
    const reportPage = await ops.get('/admin/desk/reports?from=2026-12-07&to=2026-12-07').expect(200);
    expect(reportPage.text).toContain(agentName);
    await ops.get('/api/admin/v1/desk/reports?from=2026-12-32').expect(400);
  });

  it('institution staff open conversations in 机构咨询 only, and see only their institution’s', async () => {
    const { institutionA, institutionB } = t.fixtures;
    const a = await staffAgent(t.app, 'partner', institutionA.staff);
    await a.post('/api/partner/v1/desk/conversations').send({ groupId: 'dg_loan', body: '产品审核要多久' }).expect(400);
    const c = (await a.post('/api/partner/v1/desk/conversations').send({ groupId: 'dg_institution', body: '产品审核要多久' }).expect(201)).body;
    expect(c.group.name).toBe('机构咨询');
    const b = await staffAgent(t.app, 'partner', institutionB.staff);
    await b.get(`/api/partner/v1/desk/conversations/${c.id}`).expect(404);
    await b.get(`/partner/desk/conversations/${c.id}`).expect(404);
    expect((await b.get('/api/partner/v1/desk/conversations').expect(200)).body.items).toEqual([]);
    expect((await a.get('/partner/desk').expect(200)).text).toContain(c.number);
    // a borrower cannot open in the institutions' group
    const borrower = await consumerAgent(t.app);
    await borrower.agent.post('/api/v1/desk/conversations').send({ groupId: 'dg_institution', body: '你好' }).expect(400);
    // the agent of 机构咨询 sees the institution's name
    const kf1 = await staffAgent(t.app, 'admin', 'kf1');
    expect((await kf1.get(`/api/admin/v1/desk/conversations/${c.id}`).expect(200)).body.party).toMatchObject({ kind: 'institution', label: '甲银行' });
  });

  it('suggests guides before the borrower writes', async () => {
    const author = { kind: 'operator' as const, id: null };
    const article = await t.container.services.content.createArticle(
      { slug: 'early-repayment', categoryId: 'cc_loan_basics', title: '提前还款要不要违约金', summary: '看产品页的提前还款条款', body: '<p>提前还款是否收费，以合同为准。</p>', removeCover: undefined },
      author,
    );
    await t.container.services.content.publishArticle(article.id, author);
    const found = (await request(t.app).get('/api/v1/desk/suggestions').query({ q: '我想提前还款，会收违约金吗' }).expect(200)).body;
    expect(found.items[0]).toMatchObject({ slug: 'early-repayment', url: '/guides/early-repayment' });
    const page = await request(t.app).get('/desk').query({ body: '提前还款' }).expect(200);
    expect(page.text).toContain('提前还款要不要违约金');
  });
});
