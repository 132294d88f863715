import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { TestClock } from '../../server/lib/clock';
import { startTestApp, type TestApp } from '../support/app';
import { BI_NOW, D, seedBi, type BiSeed } from '../support/bi';
import { csrfFrom, staffAgent } from '../support/http';
import { PASSWORD } from '../support/fixtures';

let t: TestApp;
let seed: BiSeed;
let op: Awaited<ReturnType<typeof staffAgent>>;
const period = { from: D(1), to: D(20) };

beforeAll(async () => {
  t = await startTestApp({ clock: new TestClock(BI_NOW) });
  seed = await seedBi(t.container, t.fixtures);
  await t.container.services.bi.rebuild(D(1), D(20));
  op = await staffAgent(t.app, 'admin', t.fixtures.operator);
});
afterAll(() => t?.close());

const audits = async (action: string) => (await queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from audit_log where action = ${action}`))[0]!.n;

describe('BI over HTTP', () => {
  it('answers a pivot by channel × day with ¥, rates with two decimals, totals and drill links', async () => {
    const page = await op.get('/admin/bi').query({ ...period, measures: 'applications,approvalRate,roi', rows: 'channel', cols: 'day' }).expect(200);
    expect(page.text).toContain('data-testid="bi-pivot"');
    expect(page.text).toContain('抖音（dy01）');
    expect(page.text).toContain('¥80.00'); // 抖音's ROI: ¥100 commission − ¥20 channel cost
    expect(page.text).toContain('50.00%');
    expect(page.text).toContain('<svg');
    const links = [...page.text.replaceAll('&amp;', '&').replaceAll('&#x3D;', '=').matchAll(/href="(\/admin\/bi\/drill\?[^"]*)"/g)].map((m) => m[1]!);
    // the row total of 抖音's ROI (no column key)
    const rowTotal = links.find((l) => l.includes('measure=roi') && l.includes(`row=${seed.channelX}`) && !l.includes('col='));
    expect(rowTotal).toBeDefined();
    // the channel's label opens its sub-IDs
    const slice = links.length && /href="(\/admin\/bi\?[^"]*f\.channel=ch_bitestx[^"]*)"/.exec(page.text.replaceAll('&amp;', '&').replaceAll('&#x3D;', '='));
    expect(slice).toBeTruthy();
    const subs = await op.get((slice as RegExpExecArray)[1]!).expect(200);
    expect(subs.text).toContain('抖音（dy01） / c7');
    const drill = await op.get(rowTotal!).expect(200);
    expect(drill.text).toContain('data-testid="bi-drill"');
    expect(drill.text).toContain(`data-id="${seed.apps.a1}"`);
    expect(drill.text).not.toContain(`data-id="${seed.apps.a2}"`);
    expect(drill.text).toContain('张**');
    expect(drill.text).not.toContain('张三丰');
  });

  it('takes the form as a browser sends it: repeated measures, 全部 as an empty filter', async () => {
    const page = await op.get(`/admin/bi?measures=applications&measures=registrations&rows=channel&cols=&from=${D(1)}&to=${D(20)}&f.channel=&f.institution=`).expect(200);
    expect(page.text).toMatch(/<tfoot><tr><th>合计<\/th><th class="num"><a [^>]*>3<\/a><\/th><th class="num"><a [^>]*>3<\/a>/);
    expect(page.text).toContain('name="measures" value="registrations" checked');
  });

  it('shows a bad selection again with the reason (400) and the API names the field', async () => {
    const page = await op.get('/admin/bi').query({ measures: 'profit' }).expect(400);
    expect(page.text).toContain('未知的指标：profit');
    const api = await op.get('/api/admin/v1/bi/query').query({ measures: 'applications', rows: 'colour' }).expect(400);
    expect(api.body.error.fields).toEqual({ rows: expect.stringContaining('colour') });
    const m = await op.get('/api/admin/v1/bi/query').query({ measures: 'applications,profit' }).expect(400);
    expect(Object.keys(m.body.error.fields)).toEqual(['measures']);
    await op.get('/api/admin/v1/bi/drill').query({ measure: 'profit' }).expect(400);
    const badDay = await op.get('/api/admin/v1/bi/drill').query({ measure: 'applications', rows: 'day', row: 'monday' }).expect(400);
    expect(badDay.body.error.fields).toHaveProperty('row');
  });

  it('mirrors the pivot and the drill-down in the API; the drill is audited', async () => {
    const q = (await op.get('/api/admin/v1/bi/query').query({ ...period, measures: 'applications,channelCost', rows: 'channel' }).expect(200)).body;
    const i = q.rows.findIndex((r: { key: string }) => r.key === seed.channelX);
    expect(q.rowTotals[i]).toEqual({ applications: { value: 1, text: '1' }, channelCost: { value: 2000, text: '¥20.00' } });
    expect(q.total.applications.value).toBe(3);
    const before = await audits('bi.drilled');
    const d = (await op.get('/api/admin/v1/bi/drill').query({ ...period, measures: 'applications', rows: 'channel', measure: 'registrations', row: 'organic' }).expect(200)).body;
    expect(d.rows.map((r: { id: string; kind: string }) => [r.kind, r.id])).toEqual([['borrower', seed.users.u3]]);
    expect(d.total).toBe(1);
    expect(await audits('bi.drilled')).toBe(before + 1);
  });

  it('exports the pivot as CSV (audited), money in yuan and rates in percent', async () => {
    const before = await audits('bi.exported');
    const csv = await op.get('/admin/bi.csv').query({ ...period, measures: 'disbursedAmount,approvalRate', rows: 'institution' }).expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('机构,放款金额（元）,批核率（%）');
    expect(lines).toContain('甲银行,50000.00,100');
    expect(lines.at(-1)).toBe('合计,50000.00,50');
    expect(await audits('bi.exported')).toBe(before + 1);
  });

  it('saves, lists, opens and deletes views; another operator gets 404', async () => {
    const bi = await op.get('/admin/bi').query({ ...period, measures: 'roi', rows: 'channel' }).expect(200);
    const saved = await op.post('/admin/bi/views').type('form').send({ _csrf: csrfFrom(bi.text), name: '渠道 ROI', query: `measures=roi&rows=channel&from=${D(1)}&to=${D(20)}` }).expect(303);
    expect(saved.headers.location).toContain('rows=channel');
    const list = (await op.get('/api/admin/v1/bi/views').expect(200)).body.items;
    expect(list.map((v: { name: string }) => v.name)).toEqual(['渠道 ROI']);
    const id = list[0].id;
    expect((await op.get(`/admin/bi/views/${id}`).expect(303)).headers.location).toContain('measures=roi');
    const api = await op.post('/api/admin/v1/bi/views').send({ name: '机构批核率', selection: { measures: ['approvalRate'], rows: 'institution' } }).expect(201);
    expect(api.body.selection).toMatchObject({ measures: ['approvalRate'], rows: 'institution', cols: null });
    expect((await op.post('/api/admin/v1/bi/views').send({ name: '机构批核率', selection: {} }).expect(409)).body.error.code).toBe('view_name_taken');
    expect((await op.post('/api/admin/v1/bi/views').send({ name: 'x', selection: { measures: ['nope'] } }).expect(400)).body.error.fields).toHaveProperty('measures');
    await t.container.services.accounts.createStaff({ kind: 'operator', username: 'op.other', password: PASSWORD, displayName: '另一位运营', role: 'operations' });
    const other = await staffAgent(t.app, 'admin', 'op.other');
    await other.get(`/api/admin/v1/bi/views/${id}`).expect(404);
    await other.delete(`/api/admin/v1/bi/views/${id}`).send({}).expect(404);
    await op.delete(`/api/admin/v1/bi/views/${api.body.id}`).send({}).expect(204);
    expect((await op.get('/api/admin/v1/bi/views').expect(200)).body.items).toHaveLength(1);
  });

  it('shows cohorts with shading, by page and API', async () => {
    const page = await op.get('/admin/bi/cohorts').query({ from: D(9), to: D(15), byChannel: '1' }).expect(200);
    expect(page.text).toContain('data-week="2026-03-09"');
    expect(page.text).toContain('shade-5');
    expect(page.text).toContain('100.00%');
    const api = (await op.get('/api/admin/v1/bi/cohorts').query({ from: D(9), to: D(15) }).expect(200)).body.items;
    expect(api).toEqual([expect.objectContaining({ week: '2026-03-09', size: 3, applied: [1, null, null, null, null, null, null, null, null] })]);
    await op.get('/api/admin/v1/bi/cohorts').query({ from: 'yesterday' }).expect(400);
    await op.get('/admin/bi/cohorts').query({ to: '2026-13-01' }).expect(400);
  });

  it('subscribes to alerts, lists fired ones and counts them on the dashboard', async () => {
    const created = await op.post('/api/admin/v1/bi/alerts/subscriptions').send({ kind: 'institution_approval', thresholdPoints: 20, minBase: 1 }).expect(201);
    expect(created.body.items).toHaveLength(1);
    await op.post('/api/admin/v1/bi/alerts/subscriptions').send({ kind: 'weather', thresholdPoints: 20 }).expect(400);
    const bad = await op.post('/api/admin/v1/bi/alerts/subscriptions').send({ kind: 'region_overdue', thresholdPoints: 5, phone: '12345' }).expect(400);
    expect(bad.body.error.fields).toHaveProperty('phone');
    const unknown = await op.post('/api/admin/v1/bi/alerts/subscriptions').send({ kind: 'channel_fraud', subject: 'ch_nope', thresholdPoints: 5 }).expect(400);
    expect(unknown.body.error.fields).toEqual({ subject: '没有这个渠道' });
    // the page: a channel chosen from the menu, shown by name
    const form = await op.get('/admin/bi/alerts').expect(200);
    expect(form.text).toContain(`<option value="${seed.channelX}">抖音（dy01）</option>`);
    await op.post('/admin/bi/alerts/subscriptions').type('form').send({ _csrf: csrfFrom(form.text), kind: 'channel_fraud', subject: seed.channelX, region: '', thresholdPoints: '15', minBase: '5', phone: '' }).expect(303);
    const mine = (await op.get('/api/admin/v1/bi/alerts/subscriptions').expect(200)).body.items;
    expect(mine.map((x: { kind: string; subjectLabel: string }) => [x.kind, x.subjectLabel])).toContainEqual(['channel_fraud', '抖音（dy01）']);
    for (const x of mine.filter((x: { kind: string }) => x.kind === 'channel_fraud')) await op.delete(`/api/admin/v1/bi/alerts/subscriptions/${x.id}`).send({}).expect(204);
    // 甲银行: approved 1 of 1 on the 11th; the week after, 0 of 2
    await t.container.database.db.execute(sql`insert into bi_daily_facts (day, institution_id, approvals, rejections) values ('2026-03-18'::date, ${t.fixtures.institutionA.id}, 0, 2)`);
    await t.container.services.bi.evaluateAlerts(D(18));
    const alerts = (await op.get('/api/admin/v1/bi/alerts').expect(200)).body.items;
    expect(alerts.map((a: { kind: string; subjectLabel: string }) => [a.kind, a.subjectLabel])).toEqual([['institution_approval', '甲银行']]);
    const page = await op.get('/admin/bi/alerts').expect(200);
    expect(page.text).toContain('机构批核率下降');
    const home = await op.get('/admin/').expect(200);
    expect(home.text).toMatch(/data-testid="bi-alert-count"[\s\S]*?<strong>1<\/strong>/);
    const sub = created.body.items[0].id;
    await op.delete(`/api/admin/v1/bi/alerts/subscriptions/${sub}`).send({}).expect(204);
    await op.delete(`/api/admin/v1/bi/alerts/subscriptions/${sub}`).send({}).expect(404);
  });

  it('rebuilds a range for an operator allowed to run jobs, refusing bad ranges by field', async () => {
    expect((await op.post('/api/admin/v1/bi/rebuild').send({ from: D(10), to: D(12) }).expect(200)).body).toEqual({ days: 3, rows: expect.any(Number) });
    expect((await op.post('/api/admin/v1/bi/rebuild').send({ from: D(12), to: D(10) }).expect(400)).body.error.fields).toHaveProperty('from');
    expect((await op.post('/api/admin/v1/bi/rebuild').send({ from: D(10), to: '2026-04-01' }).expect(400)).body.error.fields).toHaveProperty('to');
    const page = await op.get('/admin/bi').expect(200);
    await op.post('/admin/bi/rebuild').type('form').send({ _csrf: csrfFrom(page.text), from: D(10), to: D(10) }).expect(303);
    expect(await audits('bi.rollup_rebuilt')).toBe(2);
  });

  it('shows the funnel per channel on the dashboard, no step above 100%', async () => {
    const d = (await op.get('/api/admin/v1/dashboard').query(period).expect(200)).body;
    for (const f of [d.funnel, ...d.funnelByChannel.map((c: { steps: unknown }) => c.steps)] as { count: number; stepRate: number | null }[][]) {
      for (const [i, s] of f.entries()) {
        if (s.stepRate !== null) expect(s.stepRate).toBeLessThanOrEqual(1);
        if (i > 0) expect(s.count).toBeLessThanOrEqual(f[i - 1]!.count);
      }
    }
    expect(d.funnelByChannel.map((c: { channel: string }) => c.channel).sort()).toEqual(['ch_bitestx', 'ch_bitesty', 'organic']);
    // the seeded borrowers applied without browsing as themselves: they are not applicants among viewers
    expect(d.funnel.map((s: { count: number }) => s.count)).toEqual([4, 3, 0, 0, 0]);
    const page = await op.get('/admin/').query(period).expect(200);
    expect(page.text).toContain('data-testid="funnel-by-channel"');
    const channelLink = /<tr data-channel="ch_bitestx"><td><a href="([^"]+)"/.exec(page.text)![1]!.replaceAll('&amp;', '&').replaceAll('&#x3D;', '=');
    expect((await op.get(channelLink).expect(200)).text).toContain('抖音（dy01） / c7');
    expect(page.text).not.toContain('NaN');
  });

  it('needs a login', async () => {
    await request(t.app).get('/api/admin/v1/bi/query').expect(401);
  });
});
