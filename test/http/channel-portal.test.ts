import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelAttributions, channelLinks, channels, channelTouches, funnelRows } from '../../server/modules/channels';
import { shanghaiDate } from '../../server/lib/shanghai-date';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';

describe('funnelRows (pure)', () => {
  const at = (iso: string) => new Date(iso);
  it('counts visits and each conversion kind per Shanghai day, every day of the range present, and by sub-ID', () => {
    const visits = [
      { at: at('2026-12-01T15:59:00Z'), subId: 'a' }, // 23:59 in Shanghai: Dec 1
      { at: at('2026-12-01T16:01:00Z'), subId: 'b' }, // 00:01 in Shanghai: Dec 2
      { at: at('2026-12-02T03:00:00Z'), subId: 'a' },
    ];
    const conversions = [
      { kind: 'registration' as const, at: at('2026-12-02T04:00:00Z'), subId: 'a' },
      { kind: 'application' as const, at: at('2026-12-02T05:00:00Z'), subId: 'a' },
      { kind: 'application' as const, at: at('2026-12-02T05:00:00Z'), subId: 'a' },
      { kind: 'disbursement' as const, at: at('2026-12-02T09:00:00Z'), subId: 'b' },
    ];
    const byDay = funnelRows('day', ['2026-12-01', '2026-12-02', '2026-12-03'], visits, conversions);
    expect(byDay.rows.map((r) => [r.key, r.visits, r.registrations, r.applications, r.disbursements])).toEqual([
      ['2026-12-01', 1, 0, 0, 0],
      ['2026-12-02', 2, 1, 2, 1],
      ['2026-12-03', 0, 0, 0, 0],
    ]);
    expect(byDay.total).toMatchObject({ visits: 3, registrations: 1, applications: 2, disbursements: 1, approvals: 0, verified: 0 });
    const bySub = funnelRows('sub', [], visits, conversions);
    expect(bySub.rows.map((r) => [r.key, r.visits, r.applications, r.disbursements])).toEqual([
      ['a', 2, 2, 0],
      ['b', 1, 0, 1],
    ]);
  });
});

describe('the channel portal and API: a channel partner sees its own counts, never a borrower', () => {
  let t: TestApp;
  let borrowerId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const db = t.container.database.db;
    await db.insert(channels).values([
      // a postback URL nobody listens on: the log shows the events queued, never delivered
      { id: 'chn_dy', code: 'dy01', name: '抖音信息流', type: 'feed_ads', postbackUrl: 'http://127.0.0.1:9/postback' },
      { id: 'chn_other', code: 'zz02', name: '另一个渠道', type: 'agent' },
    ]);
    await db.insert(channelLinks).values([
      { id: 'chl_1', channelId: 'chn_dy', subId: '', label: '默认' },
      { id: 'chl_2', channelId: 'chn_dy', subId: 'campaign-7', label: '双十二', landingHeadline: '最快 10 分钟到账' },
      { id: 'chl_3', channelId: 'chn_other', subId: 'secret-sub', label: '别家' },
    ]);
    const now = new Date();
    await db.insert(channelTouches).values([
      { visitor: 'v1', channelId: 'chn_dy', subId: 'campaign-7', touchedAt: now },
      { visitor: 'v2', channelId: 'chn_dy', subId: 'campaign-7', touchedAt: now },
      { visitor: 'v3', channelId: 'chn_dy', subId: '', touchedAt: now },
      { visitor: 'v4', channelId: 'chn_other', subId: 'secret-sub', touchedAt: now },
    ]);
    const borrower = await consumerAgent(t.app);
    borrowerId = borrower.id;
    await db.insert(channelAttributions).values({ accountId: borrower.id, channelId: 'chn_dy', subId: 'campaign-7', clickId: 'ck-1', touchedAt: now, attributedAt: now });
    await apply(borrower.agent, t.fixtures.institutionA.productId);
    await apply(borrower.agent, t.fixtures.institutionB.productId);
  });
  afterAll(() => t?.close());

  let oneTimePassword = '';
  it('an operator opens a login for a channel: 201 with a one-time password shown once; 400, 404 and 409 where due', async () => {
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const bad = await op.post('/api/admin/v1/channels/chn_dy/staff').send({ username: 'dy.admin', displayName: '张渠道', role: 'owner' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(['role']);
    expect((await op.post('/api/admin/v1/channels/chn_nope/staff').send({ username: 'x.admin', displayName: '某人', role: 'channel_admin' })).status).toBe(404);
    const created = await op.post('/api/admin/v1/channels/chn_dy/staff').send({ username: 'dy.admin', displayName: '张渠道', role: 'channel_analyst' });
    expect(created.status).toBe(201);
    expect(created.body.account.role).toBe('channel_analyst');
    oneTimePassword = created.body.oneTimePassword;
    expect(oneTimePassword.length).toBeGreaterThan(10);
    expect((await op.post('/api/admin/v1/channels/chn_dy/staff').send({ username: 'dy.admin', displayName: '张渠道', role: 'channel_analyst' })).status).toBe(409);
    const list = await op.get('/api/admin/v1/channels/chn_dy/staff').expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(oneTimePassword);
    // the page: the form, and the one-time password on the answer
    const page = await op.get('/admin/channel-staff?channelId=chn_dy').expect(200);
    expect(page.text).toContain('dy***');
    const made = await op.post('/admin/channel-staff').type('form').send({ _csrf: csrfFrom(page.text), channelId: 'chn_dy', username: 'dy.second', displayName: '李渠道', role: 'channel_analyst' });
    expect(made.status).toBe(200);
    expect(made.text).toContain('data-testid="one-time-password"');
    const refused = await op.post('/admin/channel-staff').type('form').send({ _csrf: csrfFrom(page.text), channelId: 'chn_dy', username: 'X', displayName: '', role: 'channel_analyst' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('用户名 3–32 位');
  });

  it('the channel staff must replace the one-time password first (403 password_change_required), then sees only its own channel', async () => {
    const agent = request.agent(t.app);
    await agent.post('/api/channel/v1/auth/login').send({ username: 'dy.admin', password: oneTimePassword }).expect(200);
    const blocked = await agent.get('/api/channel/v1/funnel');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('password_change_required');
    await agent.post('/api/channel/v1/auth/password/change').send({ currentPassword: oneTimePassword, password: PASSWORD }).expect(204);

    const me = await agent.get('/api/channel/v1/me').expect(200);
    expect(me.body).toMatchObject({ channel: { id: 'chn_dy', code: 'dy01', typeLabel: '信息流广告' }, attributedBorrowers: 1 });
    const links = await agent.get('/api/channel/v1/links').expect(200);
    expect(links.body.items.map((l: { subId: string }) => l.subId).sort()).toEqual(['', 'campaign-7']);
    expect(links.body.items.find((l: { subId: string }) => l.subId === 'campaign-7')).toMatchObject({ landingUrl: expect.stringMatching(/\/c\/dy01\/campaign-7$/), trackingUrl: expect.stringMatching(/\?ch=dy01&sub=campaign-7$/) });
    expect(JSON.stringify(links.body)).not.toContain('secret-sub');

    const bySub = await agent.get('/api/channel/v1/funnel?by=sub&days=7').expect(200);
    expect(bySub.body.total).toMatchObject({ visits: 3, registrations: 1, verified: 1, applications: 2, approvals: 0, disbursements: 0 });
    expect(bySub.body.rows.find((r: { key: string }) => r.key === 'campaign-7')).toMatchObject({ visits: 2, registrations: 1, applications: 2 });
    const byDay = await agent.get('/api/channel/v1/funnel?days=7').expect(200);
    expect(byDay.body.rows).toHaveLength(7);
    expect(byDay.body.rows.at(-1)).toMatchObject({ key: shanghaiDate(new Date()), visits: 3, applications: 2 });
    // the postback log: the channel's own events (registration, verified, two applications), with its click id
    await t.container.services.channels.enqueuePostbacks();
    const postbacks = await agent.get('/api/channel/v1/postbacks').expect(200);
    expect(postbacks.body.items.map((p: { event: string }) => p.event).sort()).toEqual(['application', 'application', 'registration', 'verified_registration']);
    expect(postbacks.body.items.every((p: { clickId: string; status: string }) => p.clickId === 'ck-1' && p.status === 'pending')).toBe(true);
    // counts only: nothing that names or reaches a borrower
    expect(JSON.stringify([me.body, byDay.body, bySub.body, postbacks.body])).not.toContain(borrowerId);

    const invalid = await agent.get('/api/channel/v1/funnel?by=week');
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.body.error.fields)).toEqual(['by']);
    expect((await agent.get('/api/channel/v1/funnel?from=2026-13-01')).status).toBe(400);

    // other surfaces' sessions are not a channel's
    const consumer = await consumerAgent(t.app);
    expect((await consumer.agent.get('/api/channel/v1/funnel')).status).toBe(401);
    const institution = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    expect((await institution.get('/api/channel/v1/me')).status).toBe(401);
    // and the channel's session is not an institution's or an operator's
    expect((await agent.get('/api/partner/v1/leads')).status).toBe(401);
    expect((await agent.get('/api/admin/v1/channels/chn_dy/staff')).status).toBe(401);
  });

  it('the portal pages: login, the funnel table by day and by sub-ID, the links; a bad query is shown again with the reason', async () => {
    const agent = request.agent(t.app);
    const form = await agent.get('/channel/login').expect(200);
    expect(form.text).toContain('渠道登录');
    const wrong = await agent.post('/channel/login').type('form').send({ _csrf: csrfFrom(form.text), username: 'dy.admin', password: 'Wrong-password-1' });
    expect(wrong.status).toBe(401);
    await agent.post('/channel/login').type('form').send({ _csrf: csrfFrom(form.text), username: 'dy.admin', password: PASSWORD }).expect(303);
    const home = await agent.get('/channel').expect(200);
    expect(home.text).toContain('抖音信息流 · 转化数据');
    expect(home.text).toContain('data-testid="channel-funnel"');
    expect(home.text).toMatch(/data-kpi="applications">2</);
    const bySub = await agent.get('/channel?by=sub&days=30').expect(200);
    expect(bySub.text).toContain('<code>campaign-7</code>');
    expect(bySub.text).not.toContain('secret-sub');
    const bad = await agent.get('/channel?from=2026-02-31');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('开始日期格式应为 YYYY-MM-DD');
    const log = await agent.get('/channel/postbacks').expect(200);
    expect(log.text).toContain('data-testid="channel-postbacks"');
    expect(log.text).toContain('申请');
    const links = await agent.get('/channel/links').expect(200);
    expect(links.text).toContain('/c/dy01/campaign-7');
    expect(links.text).toContain('最快 10 分钟到账');
    // an anonymous visitor is sent to the channel login
    const anon = await request(t.app).get('/channel/links');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/channel/login?next=%2Fchannel%2Flinks');
  });
});

describe('the channel’s statements: issued ones only, its own only, a line disputed once', () => {
  let t: TestApp;
  let statementId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const db = t.container.database.db;
    await db.insert(channels).values([
      { id: 'chn_st', code: 'st01', name: '应用商店', type: 'app_store' },
      { id: 'chn_else', code: 'el01', name: '别的渠道', type: 'sms' },
    ]);
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    await op.post('/api/admin/v1/channel-agreements').send({ channelId: 'chn_st', perEvent: [{ rule: 'registration', amount: 12 }], effectiveFrom: '2026-01-01' }).expect(201);
    // two borrowers registered through the channel in November
    for (const [i, at] of ['2026-11-03T02:00:00Z', '2026-11-09T02:00:00Z'].entries()) {
      const borrower = await consumerAgent(t.app);
      await db.insert(channelAttributions).values({ accountId: borrower.id, channelId: 'chn_st', subId: `s${i}`, touchedAt: new Date(at), attributedAt: new Date(at) });
    }
    const payouts = t.container.services.channelPayouts;
    await payouts.postPayables(new Date('2026-12-01T02:00:00+08:00'), { from: new Date('2026-11-01T00:00:00Z') });
    const closed = await payouts.closeMonth('2026-11', { now: new Date('2026-12-01T02:10:00+08:00'), channelIds: ['chn_st'] });
    statementId = closed.created[0]!;
    const { accounts } = t.container.services;
    await accounts.createStaff({ kind: 'channel', username: 'st.admin', password: PASSWORD, displayName: '商店渠道', role: 'channel_admin', channelId: 'chn_st' });
    await accounts.createStaff({ kind: 'channel', username: 'el.admin', password: PASSWORD, displayName: '别家', role: 'channel_admin', channelId: 'chn_else' });
  });
  afterAll(() => t?.close());

  it('a draft is not shown; once issued the channel sees it, disputes a line (204, then 409), another channel gets 404', async () => {
    const mine = await staffAgent(t.app, 'channel', 'st.admin');
    const other = await staffAgent(t.app, 'channel', 'el.admin');
    expect((await mine.get('/api/channel/v1/statements').expect(200)).body.items).toEqual([]);
    expect((await mine.get(`/api/channel/v1/statements/${statementId}`)).status).toBe(404);
    await t.container.services.channelPayouts.issue(statementId, { kind: 'operator', id: 'op' });

    const list = await mine.get('/api/channel/v1/statements').expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id: statementId, period: '2026-11', status: 'issued', totalFen: 2_400, lineCount: 2 })]);
    const detail = await mine.get(`/api/channel/v1/statements/${statementId}`).expect(200);
    expect(detail.body.lines.map((l: { subId: string; amountFen: number }) => [l.subId, l.amountFen])).toEqual([
      ['s0', 1_200],
      ['s1', 1_200],
    ]);
    expect((await other.get(`/api/channel/v1/statements/${statementId}`)).status).toBe(404);
    expect((await other.get('/api/channel/v1/statements').expect(200)).body.items).toEqual([]);

    const lineId = detail.body.lines[0].id as number;
    expect((await other.post(`/api/channel/v1/statement-lines/${lineId}/dispute`).send({ reason: '不是我们的' })).status).toBe(404);
    const blank = await mine.post(`/api/channel/v1/statement-lines/${lineId}/dispute`).send({ reason: ' ' });
    expect(blank.status).toBe(400);
    expect(Object.keys(blank.body.error.fields)).toEqual(['reason']);
    await mine.post(`/api/channel/v1/statement-lines/${lineId}/dispute`).send({ reason: '该用户注册时间在活动之外' }).expect(204);
    const twice = await mine.post(`/api/channel/v1/statement-lines/${lineId}/dispute`).send({ reason: '再次提出' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('line_disputed');
    expect((await mine.get(`/api/channel/v1/statements/${statementId}`).expect(200)).body).toMatchObject({ status: 'disputed', openDisputes: 1 });

    // the pages: the list, the statement with the dispute shown, a second line disputed through the form
    const page = await mine.get('/channel/statements').expect(200);
    expect(page.text).toContain(`/channel/statements/${statementId}`);
    const shown = await mine.get(`/channel/statements/${statementId}`).expect(200);
    expect(shown.text).toContain('该用户注册时间在活动之外');
    expect(shown.text).toContain('¥24.00');
    const second = detail.body.lines[1].id as number;
    const refused = await mine.post(`/channel/statements/${statementId}/lines/${second}/dispute`).type('form').send({ _csrf: csrfFrom(shown.text), reason: '' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('请填写异议原因');
    await mine.post(`/channel/statements/${statementId}/lines/${second}/dispute`).type('form').send({ _csrf: csrfFrom(shown.text), reason: '重复注册' }).expect(303);
    expect((await other.get(`/channel/statements/${statementId}`)).status).toBe(404);
  });
});
