import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { describeDemoLoginsStatic, seedDemo } from '../../server/demo/seed-demo';
import { demoChannels } from '../../server/demo/demo-channels';
import { DEMO_PASSWORD } from '../../server/demo/demo-data';
import { shanghaiDate } from '../../server/lib/shanghai-date';
import { startTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ data: 'demo' });
}, 180_000);
afterAll(() => t?.close());

const counts = async () =>
  (
    await queryRows<Record<string, number>>(
      t.container.database.db,
      sql`select (select count(*)::int from channels) as channels, (select count(*)::int from channel_links) as links,
                 (select count(*)::int from channel_touches) as touches, (select count(*)::int from channel_attributions) as attributions,
                 (select count(*)::int from channel_statements) as statements, (select count(*)::int from channel_payables) as payables,
                 (select count(*)::int from accounts) as accounts, (select count(*)::int from bi_daily_facts) as facts`,
    )
  )[0]!;

const lastMonth = () => {
  const [y, m] = shanghaiDate(new Date()).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};

async function login(surface: 'admin' | 'channel', username: string) {
  const agent = request.agent(t.app);
  await agent.post(`/api/${surface}/v1/auth/login`).send({ username, password: DEMO_PASSWORD }).expect(200);
  return agent;
}

describe('the demo channels (seedDemo)', () => {
  it('four channels of different types, each with its tracking links and attributed borrowers; a month of traffic', async () => {
    const list = await t.container.services.channels.list();
    expect(list.map((c) => c.name).sort()).toEqual(demoChannels.map((c) => c.input.name).sort());
    expect(new Set(list.map((c) => c.type))).toEqual(new Set(['feed_ads', 'app_store', 'agent', 'sms']));
    for (const c of list) {
      const demo = demoChannels.find((d) => d.input.code === c.code)!;
      expect((await t.container.services.channels.links(c.id)).map((l) => l.subId).sort()).toEqual(demo.links.map((l) => l.subId).sort());
      expect(c.registrations).toBeGreaterThanOrEqual(4);
      // the contact phone and account number are sealed and shown masked
      const view = await t.container.services.channels.get(c.id);
      expect(view.contactPhoneMasked).toContain('****');
      expect(view.settlementAccountMasked).toContain('****');
    }
    const [span] = await queryRows<{ touches: number; days: number; oldest: Date }>(
      t.container.database.db,
      sql`select count(*)::int as touches, count(distinct (touched_at at time zone 'Asia/Shanghai')::date)::int as days, min(touched_at) as oldest from channel_touches`,
    );
    expect(span!.touches).toBeGreaterThan(250);
    expect(span!.touches).toBeLessThan(500);
    expect(span!.days).toBeGreaterThanOrEqual(25);
    expect(Date.now() - new Date(span!.oldest).getTime()).toBeLessThanOrEqual(35 * 86_400_000);
  });

  it("last month's statements are closed and issued (one paid, one left a draft); 地推代理's shows the shared device's registrations excluded with evidence", async () => {
    const statements = await t.container.services.channelPayouts.list();
    const period = lastMonth();
    expect(statements.every((s) => s.period === period)).toBe(true);
    expect(Object.fromEntries(statements.map((s) => [s.channelCode, s.status]))).toEqual({ dy01: 'issued', app01: 'paid', dt01: 'issued', sms01: 'draft' });
    expect(statements.every((s) => s.totalFen > 0)).toBe(true);
    const ditui = statements.find((s) => s.channelCode === 'dt01')!;
    const detail = await t.container.services.channelPayouts.detail(ditui.id);
    const excluded = detail.lines.filter((l) => l.kind === 'excluded');
    expect(excluded).toHaveLength(5);
    expect(excluded.every((l) => l.amountFen === 0 && l.evidence?.code === 'shared_device')).toBe(true);
    expect(excluded[0]!.evidence).toMatchObject({ evidence: { accounts: 5, threshold: 3 } });
    expect(excluded[0]!.description).toMatch(/设备 \S{8} 上已有 5 个账号（上限 3 个）/);
    expect(detail.lines.filter((l) => l.kind === 'payable').length).toBeGreaterThanOrEqual(3);
    expect(detail.subtotals.excluded).toEqual([{ code: 'shared_device', label: expect.any(String), count: 5 }]);
    // the paid one: its payment is in the ledger
    const paid = await t.container.services.channelPayouts.detail(statements.find((s) => s.channelCode === 'app01')!.id);
    expect(paid.payment).toMatchObject({ amountFen: paid.totalFen });
    // operators see them on their pages, the evidence in words
    const op = await login('admin', 'admin');
    const channelsPage = await op.get('/admin/channels').expect(200);
    for (const c of demoChannels) expect(channelsPage.text).toContain(c.input.name);
    const list = await op.get('/admin/channel-payouts/statements').expect(200);
    expect(list.text).toContain('地推代理');
    const page = await op.get(`/admin/channel-payouts/statements/${ditui.id}`).expect(200);
    expect(page.text).toContain('上已有 5 个账号（上限 3 个）');
  });

  it('douyin.admin signs in to /channel and sees non-zero counts and the issued statement; no draft is visible', async () => {
    const agent = await login('channel', 'douyin.admin');
    const me = await agent.get('/api/channel/v1/me').expect(200);
    expect(me.body).toMatchObject({ channel: { code: 'dy01' }, attributedBorrowers: 11 });
    const funnel = await agent.get('/api/channel/v1/funnel?days=35').expect(200);
    expect(funnel.body.total.visits).toBeGreaterThan(100);
    expect(funnel.body.total).toMatchObject({ registrations: 11, verified: 7, applications: 4, approvals: 2, disbursements: 1 });
    const page = await agent.get('/channel').expect(200);
    expect(page.text).toContain('抖音信息流');
    // the login is among the ones printed at start
    expect(describeDemoLoginsStatic('http://localhost:3000')).toContain('渠道     http://localhost:3000/channel/login  用户名 douyin.admin（抖音信息流）  密码 Demo@2026');
    const statements = await agent.get('/api/channel/v1/statements').expect(200);
    expect(statements.body.items).toHaveLength(1);
    expect(statements.body.items[0]).toMatchObject({ period: lastMonth(), status: 'issued' });
  });

  it('/admin/bi by channel shows non-zero figures on first start (the rollup was built by the seed)', async () => {
    const op = await login('admin', 'admin');
    const today = shanghaiDate(new Date());
    const from = shanghaiDate(new Date(Date.now() - 34 * 86_400_000));
    const q = (await op.get('/api/admin/v1/bi/query').query({ from, to: today, measures: 'visits,registrations,applications,channelCost', rows: 'channel' }).expect(200)).body;
    const dy = (await t.container.services.channels.list()).find((c) => c.code === 'dy01')!;
    const i = q.rows.findIndex((r: { key: string }) => r.key === dy.id);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(q.rowTotals[i].visits.value).toBeGreaterThan(0);
    expect(q.rowTotals[i].registrations.value).toBe(11);
    expect(q.rowTotals[i].applications.value).toBe(4);
    expect(q.rowTotals[i].channelCost.value).toBeGreaterThan(0);
    const page = await op.get('/admin/bi').query({ from, to: today, measures: 'registrations,channelCost', rows: 'channel' }).expect(200);
    expect(page.text).toContain('抖音信息流');
    expect(page.text).toContain('地推代理');
  });

  it('a second seedDemo changes nothing', async () => {
    const before = await counts();
    expect(await seedDemo(t.container.services)).toBeNull();
    expect(await counts()).toEqual(before);
  });
});
