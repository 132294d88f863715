import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../server/modules/analytics';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';
import { acceptOffer } from '../support/offers';

/**
 * Statistics through the real app: events and applications seeded through the services and
 * the consumer API for two institutions, then the institution pages, CSV and API, and the
 * operator dashboard checked against what was done and against plain SQL.
 */
describe.each(databaseTargets())('statistics and dashboard, on $name', (target) => {
  let t: TestApp;
  let A: TestApp['fixtures']['institutionA'];
  let B: TestApp['fixtures']['institutionB'];
  const today = shanghaiDate(new Date());
  /** what was done, per institution */
  const expected = {
    a: { impressions: 0, clicks: 0, applies: 0, webImpressions: 0, apiImpressions: 0, webClicks: 0, apiClicks: 0 },
    b: { impressions: 0, clicks: 0, applies: 0 },
  };
  let searches = 0;

  const rows = async <T>(query: ReturnType<typeof sql>): Promise<T[]> => ((await t.container.database.db.execute(query)) as unknown as { rows: T[] }).rows;

  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
    A = t.fixtures.institutionA;
    B = t.fixtures.institutionB;
    const { catalogue, applications } = t.container.services;
    const actor = { kind: 'institution' as const, id: null };

    // impressions: one search through the API, two list pages on the web, three from the service
    const found = await request(t.app).get('/api/v1/products').query({ q: '信用贷' }).expect(200);
    searches += 1;
    const apiShownA = found.body.items.filter((p: { id: string }) => p.id === A.productId).length;
    const apiShownB = found.body.items.filter((p: { id: string }) => p.id === B.productId).length;
    expect(apiShownA + apiShownB).toBe(2);
    for (let i = 0; i < 2; i++) await request(t.app).get('/products').expect(200);
    catalogue.recordImpressions('visitor-x', [A.productId, A.productId, A.productId], 'test');
    expected.a.apiImpressions = apiShownA;
    expected.a.webImpressions = 2 + 3;
    expected.a.impressions = apiShownA + 5;
    expected.b.impressions = apiShownB + 2;
    // two product pages on the web for A
    for (let i = 0; i < 2; i++) await request(t.app).get(`/products/${A.productId}`).expect(200);
    expected.a.webClicks = 2;

    // six applicants for A (all 上海, credit 'good'), two for B (北京); each apply() opens the product through the API first
    const applyAs = async (productId: string, city: string) => {
      const c = await consumerAgent(t.app);
      await c.agent.put('/api/v1/profile').send({ city, creditSelfAssessment: 'good', monthlyIncome: 20000 }).expect(200);
      return apply(c.agent, productId);
    };
    const appsA = [];
    for (let i = 0; i < 6; i++) appsA.push(await applyAs(A.productId, '上海'));
    const appsB = [];
    for (let i = 0; i < 2; i++) appsB.push(await applyAs(B.productId, '北京'));
    expected.a.apiClicks = 6;
    expected.a.clicks = 2 + 6;
    expected.a.applies = 6;
    expected.b.clicks = 2;
    expected.b.applies = 2;

    const approve = (inst: string, id: string) =>
      applications.changeStatusByInstitution(inst, id, { status: 'approved', offeredAmountFen: 5_000_000, offeredTermMonths: 12, offeredApr: '0.12' }, actor);
    // A: three approved, one rejected, two of the approved disbursed (50,000 + 30,000 yuan)
    for (const app of appsA.slice(0, 3)) await approve(A.id, app.id);
    await applications.changeStatusByInstitution(A.id, appsA[3]!.id, { status: 'rejected', reason: 'income' }, actor);
    await acceptOffer(t, appsA[0]!.id);
    await acceptOffer(t, appsA[1]!.id);
    await applications.changeStatusByInstitution(A.id, appsA[0]!.id, { status: 'disbursed', amountFen: 5_000_000 }, actor);
    await applications.changeStatusByInstitution(A.id, appsA[1]!.id, { status: 'disbursed', amountFen: 3_000_000 }, actor);
    // B: one approved and disbursed (20,000 yuan)
    await approve(B.id, appsB[0]!.id);
    await acceptOffer(t, appsB[0]!.id);
    await applications.changeStatusByInstitution(B.id, appsB[0]!.id, { status: 'disbursed', amountFen: 2_000_000 }, actor);

    await catalogue.flushEvents();
  }, 180_000);
  afterAll(async () => t?.close());

  it("gives an institution exactly its own numbers, as JSON in yuan", async () => {
    const a = await staffAgent(t.app, 'partner', A.staff);
    const res = await a.get('/api/partner/v1/statistics').expect(200);
    const s = res.body;
    expect(s.range.to).toBe(today);
    expect(s.kpis).toMatchObject({
      impressions: expected.a.impressions,
      clicks: expected.a.clicks,
      applications: 6,
      approvals: 3,
      rejections: 1,
      decided: 4,
      approvalRate: 0.75,
      disbursements: 2,
      disbursedAmount: 80_000,
      clickThroughRate: expected.a.clicks / expected.a.impressions,
      applicationRate: 6 / expected.a.clicks,
    });
    expect(s.kpis.avgFirstResponseHours).toBeGreaterThanOrEqual(0);
    expect(s.kpis.avgFirstResponseHours).toBeLessThan(1);
    const day = s.daily.find((d: { day: string }) => d.day === today);
    expect(day).toMatchObject({ impressions: expected.a.impressions, clicks: expected.a.clicks, applications: 6, approvals: 3, disbursements: 2, disbursedAmount: 80_000 });
    expect(s.daily).toHaveLength(30);
    expect(s.daily.filter((d: { applications: number }) => d.applications > 0)).toHaveLength(1);
    expect(s.byProduct.map((p: { productId: string }) => p.productId)).toEqual([A.productId]);
    expect(s.byChannel).toEqual([
      { channel: 'web', label: '网站', impressions: expected.a.webImpressions, clicks: expected.a.webClicks, applications: 0 },
      { channel: 'api', label: 'API / App', impressions: expected.a.apiImpressions, clicks: expected.a.apiClicks, applications: 6 },
    ]);
    // six applicants in 上海 with credit 'good': shown; the age bands hold fewer than five each or are withheld
    expect(s.byRegion).toEqual([{ city: '上海', applicants: 6, applications: 6, approved: 3, disbursedAmount: 80_000, suppressed: false, display: '6' }]);
    expect(s.mix.city).toEqual([{ label: '上海', people: 6, share: 1, suppressed: false, display: '6' }]);
    expect(s.mix.credit).toEqual([{ label: '信用良好（偶有小额逾期已结清）', people: 6, share: 1, suppressed: false, display: '6' }]);
    const ageTotal = s.mix.age.reduce((n: number, b: { people: number | null }) => n + (b.people ?? 0), 0);
    expect(ageTotal).toBeLessThanOrEqual(6);
    for (const b of s.mix.age) if (!b.suppressed) expect(b.people).toBeGreaterThanOrEqual(5);
  });

  it('shows institution B only its own numbers, and none of A’s products', async () => {
    const b = await staffAgent(t.app, 'partner', B.staff);
    const s = (await b.get('/api/partner/v1/statistics').expect(200)).body;
    expect(s.kpis).toMatchObject({
      impressions: expected.b.impressions,
      clicks: expected.b.clicks,
      applications: 2,
      approvals: 1,
      rejections: 0,
      disbursements: 1,
      disbursedAmount: 20_000,
    });
    expect(s.products.map((p: { id: string }) => p.id)).toEqual([B.productId]);
    expect(s.byProduct.map((p: { productId: string }) => p.productId)).toEqual([B.productId]);
    // two applicants: every customer-mix bucket and the region row say "<5"
    expect(s.byRegion).toEqual([{ city: '北京', applicants: null, applications: null, approved: null, disbursedAmount: null, suppressed: true, display: '<5' }]);
    for (const mix of [s.mix.age, s.mix.city, s.mix.credit]) for (const bucket of mix) expect(bucket).toMatchObject({ people: null, suppressed: true, display: '<5' });
    // A's product is someone else's: 404, on the API and the page
    await b.get('/api/partner/v1/statistics').query({ productId: A.productId }).expect(404);
    await b.get('/partner/statistics').query({ productId: A.productId }).expect(404);
    const page = await b.get('/partner/statistics').expect(200);
    expect(page.text).not.toContain('甲银行信用贷');
    expect(page.text).toContain('&lt;5');
  });

  it('renders the statistics page with KPIs, SVG charts and tables, and filters by product', async () => {
    const a = await staffAgent(t.app, 'partner', A.staff);
    const page = await a.get('/partner/statistics').query({ days: '7', productId: A.productId }).expect(200);
    expect(page.text).toContain(`data-kpi="applications">6<`);
    expect(page.text).toContain(`data-kpi="approvals">3<`);
    expect(page.text).toContain('通过率 75.00%');
    expect(page.text).toContain('¥80,000.00（8万）');
    expect(page.text).toMatch(/<svg viewBox="0 0 360 200" role="img" aria-label="每日曝光与点击">/);
    expect(page.text).toContain('<path d="M');
    expect(page.text).not.toMatch(/style=/);
    expect(page.text).toMatch(/class="current">近 7 天/);
    const daily = /data-testid="daily">([\s\S]*?)<\/table>/.exec(page.text)![1]!;
    expect(daily.match(/<tr><td>\d{4}-/g)).toHaveLength(7);
  });

  it('exports the by-day and by-product tables as CSV with the same filters', async () => {
    const a = await staffAgent(t.app, 'partner', A.staff);
    const daily = await a.get('/partner/statistics/daily.csv').query({ from: today, to: today }).expect(200);
    expect(daily.headers['content-type']).toMatch(/text\/csv/);
    expect(daily.headers['content-disposition']).toContain(`statistics-daily-${today}_${today}.csv`);
    expect(daily.text.replace(/^\uFEFF/, '').trim().split('\n')).toEqual([
      '日期,曝光,点击,申请,审批通过,拒绝,放款笔数,放款金额(元)',
      `${today},${expected.a.impressions},${expected.a.clicks},6,3,1,2,80000.00`,
    ]);
    const products = await a.get('/partner/statistics/products.csv').query({ from: today, to: today, productId: A.productId }).expect(200);
    const lines = products.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${A.productId},甲银行信用贷,${expected.a.impressions},${expected.a.clicks},`);
    expect(lines[1]).toMatch(/,3,1,75\.00%,2,80000\.00,\d+\.\d{2}$/);
    expect(products.text).not.toContain(B.productId);
    // a day with nothing
    const empty = await a.get('/partner/statistics/daily.csv').query({ from: '2026-01-01', to: '2026-01-01' }).expect(200);
    expect(empty.text.trim().split('\n')[1]).toBe('2026-01-01,0,0,0,0,0,0,0.00');
  });

  it('answers API keys, which hold statistics.view', async () => {
    const a = await staffAgent(t.app, 'partner', A.staff);
    const page = await a.get('/partner/api-keys').expect(200);
    const created = await a.post('/partner/api-keys').type('form').send({ _csrf: csrfFrom(page.text), name: '报表' }).expect(200);
    const key = /<code>(dck_[^<]+)<\/code>/.exec(created.text)![1]!;
    const res = await request(t.app).get('/api/partner/v1/statistics').set('Authorization', `Bearer ${key}`).expect(200);
    expect(res.body.kpis.applications).toBe(6);
  });

  it('refuses a bad range with 400 naming the field', async () => {
    const a = await staffAgent(t.app, 'partner', A.staff);
    const bad = await a.get('/api/partner/v1/statistics').query({ from: '2026-02-30' }).expect(400);
    expect(bad.body.error.fields).toHaveProperty('from');
    const long = await a.get('/api/partner/v1/statistics').query({ from: '2024-01-01', to: '2025-06-01' }).expect(400);
    expect(long.body.error.fields).toHaveProperty('to');
    const unknown = await a.get('/api/partner/v1/statistics').query({ institutionId: B.id }).expect(400);
    expect(unknown.body.error.fields).toHaveProperty('institutionId');
    const page = await a.get('/partner/statistics').query({ from: '2026-03-05', to: '2026-03-01' }).expect(400);
    expect(page.text).toContain('开始日期不能晚于结束日期');
    expect(page.text).toContain('value="2026-03-05"');
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    expect((await op.get('/api/admin/v1/dashboard').query({ to: 'x' }).expect(400)).body.error.fields).toHaveProperty('to');
    await op.get('/admin/').query({ days: '0' }).expect(400);
  });

  it('gives operators totals, per-institution figures and the funnel that match plain SQL', async () => {
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const d = (await op.get('/api/admin/v1/dashboard').expect(200)).body;

    const [sqlCounts] = await rows<Record<string, string | number>>(sql`
      select
        (select count(*) from catalogue_events where kind = 'search') as searches,
        (select count(*) from catalogue_events where kind in ('view', 'click')) as clicks,
        (select count(distinct visitor) from catalogue_events) as visitors,
        (select count(*) from applications) as applications,
        (select count(*) from application_events where to_status = 'approved') as approvals,
        (select count(*) from application_events where to_status = 'rejected') as rejections,
        (select count(*) from applications where status = 'disbursed') as disbursements,
        (select coalesce(sum(disbursed_amount_fen), 0) from applications where status = 'disbursed') as disbursed_fen,
        (select coalesce(sum(e.amount_fen), 0) from ledger_entries e join ledger_journals j on j.id = e.journal_id
           where j.kind like 'commission%' and e.account like 'receivable:institution:%') as commission_fen`);
    const n = (k: string) => Number(sqlCounts![k]);
    expect(n('searches')).toBe(searches);
    expect(d.totals).toMatchObject({
      searches: n('searches'),
      clicks: n('clicks'),
      applications: n('applications'),
      approvals: n('approvals'),
      disbursements: n('disbursements'),
      disbursedAmount: n('disbursed_fen') / 100,
      commission: n('commission_fen') / 100,
      activeUsers: n('visitors'),
    });
    expect(d.totals).toMatchObject({ applications: 8, approvals: 4, disbursements: 3, disbursedAmount: 100_000 });
    // CPL 20 yuan per delivered lead, CPA 100 yuan per approval, CPS 1.5% of the disbursed amount
    expect(d.totals.commission).toBe(8 * 20 + 4 * 100 + 0.015 * 100_000);
    expect(d.totals.approvalRate).toBe(4 / 5);

    // the funnel counts nested groups of people: visitors ⊇ those who opened a product or applied ⊇ applicants ⊇ approved ⊇ disbursed
    const [people] = await rows<Record<string, string | number>>(sql`
      select
        (select count(distinct visitor) from catalogue_events where kind in ('search', 'view', 'click', 'apply')) as visitors,
        (select count(distinct visitor) from catalogue_events where kind in ('view', 'click', 'apply')) as viewers`);
    const visitors = Number(people!.visitors);
    const viewers = Number(people!.viewers);
    expect(d.funnel.map((s: { key: string; label: string; count: number }) => [s.key, s.label, s.count])).toEqual([
      ['visitors', '访客', visitors],
      ['viewers', '查看产品', viewers],
      ['applicants', '提交申请', 8],
      ['approved', '获得批准', 4],
      ['disbursed', '成功放款', 3],
    ]);
    expect(d.funnel[0].stepRate).toBeNull();
    expect(d.funnel[0].overallRate).toBe(1);
    expect(d.funnel[2].stepRate).toBe(8 / viewers);
    expect(d.funnel[3].stepRate).toBe(4 / 8);
    expect(d.funnel[4].stepRate).toBe(3 / 4);
    expect(d.funnel[4].overallRate).toBe(3 / visitors);
    for (const step of d.funnel) {
      if (step.stepRate !== null) expect(step.stepRate).toBeLessThanOrEqual(1);
    }

    const today_ = d.daily.find((x: { day: string }) => x.day === today);
    expect(today_).toMatchObject({ applications: 8, approvals: 4, disbursements: 3, disbursedAmount: 100_000, commission: d.totals.commission, activeUsers: n('visitors') });

    const perInst = await rows<{ institution_id: string; applications: number; commission_fen: string }>(sql`
      select a.institution_id, count(*)::int as applications,
        (select coalesce(sum(-e.amount_fen), 0) from ledger_entries e join ledger_journals j on j.id = e.journal_id
           where j.institution_id = a.institution_id and e.account like 'revenue:commission:%') as commission_fen
      from applications a group by a.institution_id`);
    for (const row of perInst) {
      const inst = d.institutions.find((i: { institutionId: string }) => i.institutionId === row.institution_id);
      expect(inst.applications).toBe(row.applications);
      expect(inst.commission).toBe(Number(row.commission_fen) / 100);
    }
    const a = d.institutions.find((i: { institutionId: string }) => i.institutionId === A.id);
    expect(a).toMatchObject({ name: '甲银行', applications: 6, approvals: 3, rejections: 1, approvalRate: 0.75, disbursements: 2, disbursedAmount: 80_000, commission: 6 * 20 + 300 + 1200 });
    const b = d.institutions.find((i: { institutionId: string }) => i.institutionId === B.id);
    expect(b).toMatchObject({ applications: 2, approvals: 1, approvalRate: 1, disbursedAmount: 20_000, commission: 2 * 20 + 100 + 300 });
  });

  it('renders the operator dashboard page and exports its tables', async () => {
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const page = await op.get('/admin/').expect(200);
    expect(page.text).toContain('data-total="applications">8<');
    expect(page.text).toContain('转化漏斗');
    expect(page.text).toMatch(/<tr data-step="disbursed"><td>成功放款<\/td><td class="num">3<\/td><td class="num">75\.00%<\/td>/);
    expect(page.text).toMatch(/<tr data-step="approved"><td>获得批准<\/td><td class="num">4<\/td><td class="num">50\.00%<\/td>/);
    expect(page.text).toContain('class="bar funnel-bar"');
    // the funnel's bars carry their shares in words, never "NaN%" (the rate helper used to swallow them)
    expect(page.text).toContain('3（较上一步 75.0% · 占首步');
    expect(page.text).not.toContain('NaN');
    // measured times in words people use (was "0.00 小时"), counts on whole-number ticks, no axis drawn for a chart without data
    expect(page.text).not.toMatch(/\d\.\d\d 小时/);
    expect(page.text).toContain('<td class="num">约 1 分钟</td>');
    expect(page.text).not.toMatch(/class="axis"[^>]*>\d+\.5</);
    expect(page.text).toMatch(/每日新增投诉<\/figcaption>\s*<p class="chart-empty" data-testid="chart-empty">该时间段无数据<\/p>/);
    expect(page.text).toContain('每日活跃用户');
    expect(page.text).toContain('应收佣金（按机构，当前余额）');
    expect(page.text).not.toMatch(/style=/);

    const daily = await op.get('/admin/dashboard/daily.csv').query({ from: today, to: today }).expect(200);
    const dailyLines = daily.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(dailyLines[0]).toBe('日期,搜索,查看产品,申请,审批通过,放款笔数,放款金额(元),佣金(元),活跃用户');
    expect(dailyLines[1]).toMatch(new RegExp(`^${today},${searches},\\d+,8,4,3,100000\\.00,2060\\.00,\\d+$`));

    const inst = await op.get('/admin/dashboard/institutions.csv').query({ from: today, to: today }).expect(200);
    const instLines = inst.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(instLines[0]).toBe('机构编号,机构,申请,审批通过,拒绝,通过率,放款笔数,放款金额(元),佣金(元),平均首次响应(小时)');
    // commission includes CPL (20 yuan per lead): 甲 6 leads, 乙 2 leads
    expect(instLines).toContainEqual(expect.stringMatching(new RegExp(`^${A.id},甲银行,6,3,1,75\\.00%,2,80000\\.00,1620\\.00,\\d+\\.\\d{2}$`)));
    expect(instLines).toContainEqual(expect.stringMatching(new RegExp(`^${B.id},乙银行,2,1,0,100\\.00%,1,20000\\.00,440\\.00,\\d+\\.\\d{2}$`)));
  });
});
