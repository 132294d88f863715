import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { eq, inArray, sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { TestClock } from '../../server/lib/clock';
import { ConflictError } from '../../server/lib/errors';
import { auditLog } from '../../server/modules/audit/audit.schema';
import type { DeskAgent, DeskParty } from '../../server/modules/desk';
import { deskConversations, deskMessages, deskPartyStreams } from '../../server/modules/desk/desk.schema';
import { complaintEvents, complaints, feedbackItems, productReviews } from '../../server/modules/feedback/feedback.schema';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { PASSWORD } from '../support/fixtures';
import { apply, consumerAgent, csrfFrom, register, staffAgent } from '../support/http';

// 2026-12-07 10:00 in Shanghai (a Monday)
const NOW = new Date('2026-12-07T02:00:00Z');
const HOUR = 3_600_000;
// a real 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const ERASED = '（用户已删除个人信息）';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe.each(databaseTargets())('the desk with complaints, notifications, sign-in and erasure ($name)', ({ open }) => {
  let t: TestApp;
  const clock = new TestClock(NOW);
  const supervisor = { kind: 'operator' as const, id: null };
  const agents: Record<string, DeskAgent> = {};

  beforeAll(async () => {
    t = await startTestApp({ database: await open(), clock });
    const { accounts, desk } = t.container.services;
    for (const name of ['kf1', 'kf2', 'ops1', 'ops2']) {
      const role = name.startsWith('kf') ? 'customer_service' : 'super_admin';
      const id = (await accounts.createStaff({ kind: 'operator', username: name, password: PASSWORD, displayName: `客服${name}`, role })).id;
      agents[name] = { id, actor: { kind: 'operator', id } };
    }
    // both work 借款咨询 and 账户与数据; only kf1 is on duty, so new conversations go to kf1
    for (const groupId of ['dg_loan', 'dg_account']) {
      await desk.setGroup(supervisor, groupId, { agentIds: [agents.kf1!.id, agents.kf2!.id], opensAtMinute: 540, closesAtMinute: 1260 });
      await desk.addShift(supervisor, { groupId, agentId: agents.kf1!.id, startsAt: new Date(NOW.getTime() - HOUR), endsAt: new Date(NOW.getTime() + 8 * HOUR) });
    }
  }, 120_000);
  afterAll(() => t?.close());

  const openAs = async (consumerId: string, body = '我的申请还在审核吗') =>
    t.container.services.desk.open({ kind: 'consumer', consumerId }, { groupId: 'dg_loan', body }, { kind: 'consumer', id: consumerId });

  it('turns a conversation into one complaint when two agents do it at once: the other gets 409 and nothing half-written', async () => {
    const borrower = await consumerAgent(t.app, { realName: '赵小刚' });
    const c = await openAs(borrower.id, '机构一天打了十几个电话');
    const { desk } = t.container.services;
    const results = await Promise.allSettled([
      desk.toComplaint(agents.kf1!, c.id, { category: 'collection', subject: '催收电话骚扰' }),
      desk.toComplaint(agents.kf2!, c.id, { category: 'collection', subject: '催收电话骚扰（重复）' }),
    ]);
    const done = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(done).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(ConflictError);
    expect((refused[0]!.reason as ConflictError).status).toBe(409);
    expect((refused[0]!.reason as ConflictError).code).toBe('complaint_exists');

    const filed = await t.container.database.db.select().from(complaints).where(eq(complaints.consumerId, borrower.id));
    expect(filed).toHaveLength(1);
    const [conversation] = await t.container.database.db.select().from(deskConversations).where(eq(deskConversations.id, c.id));
    expect(conversation!.complaintId).toBe(filed[0]!.id);
    // one line in the thread, one audit row of each kind
    const thread = await desk.getForParty({ kind: 'consumer', consumerId: borrower.id }, c.id);
    expect(thread.messages.filter((m) => m.body.startsWith('已为你登记投诉'))).toHaveLength(1);
    const audits = await t.container.database.db.select().from(auditLog).where(inArray(auditLog.objectId, [c.id, filed[0]!.id]));
    expect(audits.filter((a) => a.action === 'desk.complaint_created')).toHaveLength(1);
    expect(audits.filter((a) => a.action === 'complaint.filed')).toHaveLength(1);
  });

  it('a reply reaches a borrower who is away in the message centre, once per unread burst, with a link back; not while their stream is open', async () => {
    const borrower = await consumerAgent(t.app);
    const party: DeskParty = { kind: 'consumer', consumerId: borrower.id };
    const c = await openAs(borrower.id);
    expect(c.agentName).toBe('客服kf1');
    const { desk, notifications } = t.container.services;
    const replies = async () => (await notifications.list(borrower.id)).filter((n) => n.kind === 'desk.reply');

    await desk.reply(agents.kf1!, c.id, { body: '您好，请问 13812345678 是您的手机号吗？' });
    const notes = await replies();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ title: `客服回复了你的咨询（${c.number}）`, link: `/desk/conversations/${c.id}`, readAt: null });
    // the message centre keeps no clear phone number
    expect(notes[0]!.body).toContain('138****5678');
    expect(notes[0]!.body).not.toContain('13812345678');
    // more replies while that one is unread: no more notifications
    await desk.reply(agents.kf1!, c.id, { body: '我帮您查一下' });
    await desk.reply(agents.kf1!, c.id, { body: '查到了，审核还需一天' });
    expect(await replies()).toHaveLength(1);

    // the borrower opens the conversation: the burst ends (its notification is read)
    const page = await borrower.agent.get(`/desk/conversations/${c.id}`).expect(200);
    expect(page.text).toContain('查到了，审核还需一天');
    expect((await replies())[0]!.readAt).not.toBeNull();
    await desk.reply(agents.kf1!, c.id, { body: '还有别的问题吗？' });
    expect(await replies()).toHaveLength(2);

    // with the live thread open (on any instance) the reply shows there, not in the message centre
    await desk.seenByParty(party, c.id);
    const stream = await desk.partyStreamOpened(c.id);
    await desk.reply(agents.kf1!, c.id, { body: '在线时不发站内信' });
    expect(await replies()).toHaveLength(2);
    await stream.close();
    expect(await t.container.database.db.select().from(deskPartyStreams).where(eq(deskPartyStreams.conversationId, c.id))).toEqual([]);

    // a stream whose instance died stops counting a minute after its last refresh
    await desk.seenByParty(party, c.id);
    await desk.partyStreamOpened(c.id);
    await desk.reply(agents.kf1!, c.id, { body: '实例还在吗' });
    expect(await replies()).toHaveLength(2);
    clock.set(new Date(NOW.getTime() + 61_000));
    await desk.reply(agents.kf1!, c.id, { body: '一分钟没有刷新' });
    expect(await replies()).toHaveLength(3);
    // …and its row goes when the next stream of the conversation opens
    await (await desk.partyStreamOpened(c.id)).close();
    clock.set(NOW);
    expect(await t.container.database.db.select().from(deskPartyStreams).where(eq(deskPartyStreams.conversationId, c.id))).toEqual([]);

    // two replies at once after the borrower left: one notification
    await desk.seenByParty(party, c.id);
    await Promise.all([desk.reply(agents.kf1!, c.id, { body: '第一条' }), desk.reply(agents.kf1!, c.id, { body: '第二条' })]);
    expect(await replies()).toHaveLength(4);
    expect((await borrower.agent.get('/api/v1/notifications').expect(200)).body.items[0]).toMatchObject({ kind: 'desk.reply', link: `/desk/conversations/${c.id}` });
    // reading it through the API ends the burst too
    await borrower.agent.get(`/api/v1/desk/conversations/${c.id}`).expect(200);
    expect((await replies()).every((n) => n.readAt !== null)).toBe(true);
  });

  it('the live stream records the borrower as present while it is open', async () => {
    const borrower = await consumerAgent(t.app);
    const c = await openAs(borrower.id);
    const server = t.app.listen(0, '127.0.0.1');
    try {
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      const { port } = server.address() as { port: number };
      const jar = (borrower.agent as unknown as { jar: { getCookies(a: { domain: string; path: string; secure: boolean; script: boolean }): { toValueString(): string }[] } }).jar;
      const cookie = jar
        .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
        .map((k) => k.toValueString())
        .join('; ');
      const aborter = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/desk/conversations/${c.id}/events`, { headers: { cookie }, signal: aborter.signal });
      expect(res.status).toBe(200);
      const streams = () => t.container.database.db.select().from(deskPartyStreams).where(eq(deskPartyStreams.conversationId, c.id));
      await expect.poll(async () => (await streams()).length, { timeout: 5_000 }).toBe(1);
      await t.container.services.desk.reply(agents.kf1!, c.id, { body: '看到了吗' });
      expect((await t.container.services.notifications.list(borrower.id)).filter((n) => n.kind === 'desk.reply')).toEqual([]);
      aborter.abort();
      await expect.poll(async () => (await streams()).length, { timeout: 5_000 }).toBe(0);
      await t.container.services.desk.reply(agents.kf1!, c.id, { body: '您离开了，改发站内信' });
      expect((await t.container.services.notifications.list(borrower.id)).filter((n) => n.kind === 'desk.reply')).toHaveLength(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a visitor’s conversation moves to the account they register or sign in with; the agent sees a known borrower', async () => {
    const visitor = request.agent(t.app);
    const page = await visitor.get('/desk').expect(200);
    const created = await visitor
      .post('/desk')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), groupId: 'dg_account', body: '注册前想先问问：怎么修改手机号？', contact: '13912345678' })
      .expect(303);
    const path = String(created.headers.location);
    const id = path.split('/').pop()!;
    const kf1 = await staffAgent(t.app, 'admin', 'kf1');
    expect((await kf1.get(`/api/admin/v1/desk/conversations/${id}`).expect(200)).body.party).toMatchObject({ kind: 'visitor', label: '访客', claimedAt: null });

    // the same browser registers: the conversation is in the borrower's desk history
    const registered = await register(visitor, t.app);
    expect(registered.status).toBe(201);
    const history = (await visitor.get('/api/v1/desk/conversations').expect(200)).body.items;
    expect(history.map((c: { id: string }) => c.id)).toEqual([id]);
    const thread = await visitor.get(path).expect(200);
    expect(thread.text).toContain('怎么修改手机号？');
    expect(thread.text).toContain('访客已登录，本会话已转入其账号');
    expect((await visitor.get('/desk').expect(200)).text).toContain(path);

    // the agent sees a known borrower, who may now be helped with a complaint
    const seen = (await kf1.get(`/api/admin/v1/desk/conversations/${id}`).expect(200)).body;
    expect(seen.party).toMatchObject({ kind: 'consumer', label: '用户', contactMasked: '139****5678' });
    expect(seen.party.claimedAt).toBe(NOW.toISOString());
    expect((await kf1.get(`/admin/desk/conversations/${id}`).expect(200)).text).toContain('访客已登录 · 注册用户');
    const audits = await t.container.services.audit.forObject('desk_conversation', id);
    expect(audits.find((a) => a.action === 'desk.visitor_claimed')).toMatchObject({ actorKind: 'consumer', actorId: registered.body.account.id });
    // a fresh browser sees nothing of it
    await request.agent(t.app).get(path).expect(404);

    // signing in (not registering) moves it too
    const known = await consumerAgent(t.app);
    const second = request.agent(t.app);
    const deskPage = await second.get('/desk').expect(200);
    const opened = await second
      .post('/desk')
      .type('form')
      .send({ _csrf: csrfFrom(deskPage.text), groupId: 'dg_account', body: '忘记密码怎么办', contact: 'me@example.com' })
      .expect(303);
    const secondId = String(opened.headers.location).split('/').pop()!;
    await second.post('/api/v1/auth/login').send({ phone: known.phone, password: PASSWORD }).expect(200);
    expect((await second.get('/api/v1/desk/conversations').expect(200)).body.items.map((c: { id: string }) => c.id)).toEqual([secondId]);
    // the account's other devices see it as well
    expect((await known.agent.get(`/api/v1/desk/conversations/${secondId}`).expect(200)).body.messages[0].body).toBe('忘记密码怎么办');
  });

  it('erasure (个人信息删除) erases feedback and its screenshot file, desk messages and contact; complaints stay anonymised; reviews lose their author', async () => {
    const { services, database, config } = t.container;
    const borrower = await consumerAgent(t.app, { realName: '孙丽' });
    const actor = { kind: 'consumer' as const, id: borrower.id };
    // feedback with a screenshot, answered
    const documents = path.join(config.dataDir, 'documents');
    const filesBefore = filesUnder(documents).length;
    const fb = await services.feedback.submit(borrower.id, { category: 'bug', body: '我叫孙丽，手机 13700001111，页面打不开', pagePath: '/calculator' }, PNG, actor);
    expect(filesUnder(documents).length).toBe(filesBefore + 1);
    await services.feedback.answer(fb.id, '孙女士您好，已修复', agents.ops1!.actor);
    // a desk conversation opened as a visitor with a contact, then claimed, rated
    await services.desk.open({ kind: 'visitor', visitorKey: 'vk-erasure' }, { groupId: 'dg_loan', body: '我的身份证 110101199003071234 被机构要走了', contact: '13700001111' }, { kind: 'anonymous' });
    await services.desk.claimVisitor('vk-erasure', borrower.id, actor);
    const [conversation] = await services.desk.listForParty({ kind: 'consumer', consumerId: borrower.id });
    await services.desk.reply(agents.kf1!, conversation!.id, { body: '孙女士，我们来核实' });
    await services.desk.close(agents.kf1!, conversation!.id);
    await services.desk.rate({ kind: 'consumer', consumerId: borrower.id }, conversation!.id, { rating: 4, comment: '孙丽很满意' }, actor);
    // a complaint with messages both ways
    const complaint = await services.complaints.file(borrower.id, { category: 'privacy', subject: '孙丽的信息被泄露', description: '我的手机号 13700001111 被卖了' }, actor);
    await services.complaints.replyByConsumer(borrower.id, complaint.id, '补充：住址也被泄露', actor);
    await services.complaints.messageFromOperator(complaint.id, 'consumer', '孙女士，我们已联系机构', agents.ops1!.actor);
    await services.complaints.changeStatus(complaint.id, 'in_progress', agents.ops1!.actor, '已转机构');
    // a review of a product they applied for (the application then withdrawn: erasure waits for nothing in progress)
    const application = await apply(borrower.agent, t.fixtures.institutionA.productId);
    await services.reviews.save(borrower.id, t.fixtures.institutionA.productId, { rating: 5, body: '放款很快，推荐' }, actor);
    await borrower.agent.post(`/api/v1/applications/${application.id}/withdraw`).send({}).expect(200);

    const erasure = await services.dataRights.requestErasure(borrower.id, '用户来电核实，工单 #2026-1206-01', agents.ops1!.actor);
    await services.dataRights.approveErasure(erasure.id, agents.ops2!.actor);

    // feedback: no text, no answer, no screenshot, and the file is gone
    const [item] = await database.db.select().from(feedbackItems).where(eq(feedbackItems.id, fb.id));
    expect(item).toMatchObject({ body: ERASED, pagePath: null, answer: ERASED, screenshotKey: null, screenshotMime: null, category: 'bug', status: 'answered' });
    expect(filesUnder(documents).length).toBe(filesBefore);
    // desk: every message replaced (sealed), contact and rating comment gone, the rating kept for the reports
    const [row] = await database.db.select().from(deskConversations).where(eq(deskConversations.id, conversation!.id));
    expect(row).toMatchObject({ contactEnc: null, contactMasked: null, ratingComment: null, rating: 4, consumerId: borrower.id });
    const messages = await database.db.select().from(deskMessages).where(eq(deskMessages.conversationId, conversation!.id));
    expect(messages.length).toBeGreaterThan(3);
    expect(new Set(messages.map((m) => t.container.pii.decrypt(m.bodyEnc)))).toEqual(new Set([ERASED]));
    // complaints: kept for the regulator (category, status history, deadlines), without personal text
    const [kept] = await database.db.select().from(complaints).where(eq(complaints.id, complaint.id));
    expect(kept).toMatchObject({ subject: '信息泄露（已匿名）', description: ERASED, consumerNameMasked: '已注销用户', category: 'privacy', status: 'in_progress' });
    const events = await database.db.select().from(complaintEvents).where(eq(complaintEvents.complaintId, complaint.id));
    expect(events.map((e) => e.kind)).toEqual(['created', 'message', 'message', 'status']);
    expect(events.filter((e) => e.body !== null).map((e) => e.body)).toEqual([ERASED, ERASED, ERASED]);
    expect(events.find((e) => e.kind === 'status')).toMatchObject({ fromStatus: 'open', toStatus: 'in_progress' });
    // reviews: the text about the product stays, the author does not
    const [review] = await database.db.select().from(productReviews).where(eq(productReviews.consumerId, borrower.id));
    expect(review).toMatchObject({ reviewerNameMasked: '已注销用户', body: '放款很快，推荐' });
    // nothing of what they wrote is left in clear anywhere in these tables
    const dump = JSON.stringify(
      await queryRows(database.db, sql`select f.*, c.subject, c.description, e.body as event_body from feedback_items f, complaints c, complaint_events e where f.consumer_id = ${borrower.id} and c.consumer_id = ${borrower.id} and e.complaint_id = c.id`),
    );
    for (const secret of ['孙丽', '13700001111', '住址']) expect(dump).not.toContain(secret);
    // the audit row says what went
    const [executed] = (await services.audit.forObject('account', borrower.id)).filter((a) => a.action === 'erasure.executed');
    expect(executed!.detail).toMatchObject({ feedback: 1, screenshots: 1, conversations: 1, complaints: 1, reviews: 1 });
  });
});
