import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../server/lib/clock';
import { startTestApp, type TestApp } from '../support/app';
import { csrfFrom, staffAgent } from '../support/http';

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('content: articles, guides, campaigns', () => {
  let t: TestApp;
  let op: ReturnType<typeof request.agent>;
  let csrf: string;
  // the app's clock: the system's, except where a test sets it
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestApp({ clock });
    op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    csrf = csrfFrom((await op.get('/admin/content/articles/new').expect(200)).text);
  });
  afterAll(() => t?.close());

  const createArticle = async (fields: Record<string, string>) => {
    const res = await op.post('/admin/content/articles').type('form').send({ _csrf: csrf, categoryId: 'cc_loan_basics', ...fields });
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    return /\/admin\/content\/articles\/(art_\w+)\/edit/.exec(res.headers.location!)![1]!;
  };
  const auditActions = async (objectId: string) => (await t.container.services.audit.forObject('article', objectId)).map((r) => r.action);

  it('an operator writes, publishes and unpublishes an article; consumers see only published ones', async () => {
    const id = await createArticle({
      title: '装修贷款怎么选',
      slug: 'renovation-loan',
      summary: '比综合年化，不只看月供',
      body: '<h2>先看利率</h2><p>装修前先比<b>综合年化</b><script>alert(1)</script></p><p onclick="x()"><a href="javascript:alert(1)">坏</a></p>',
    });
    const article = await t.container.services.content.getArticle(id);
    expect(article.status).toBe('draft');
    expect(article.bodyHtml).toBe('<h2>先看利率</h2><p>装修前先比<strong>综合年化</strong></p><p><a rel="noopener nofollow">坏</a></p>');

    const consumer = request.agent(t.app);
    await consumer.get('/guides/renovation-loan').expect(404);
    expect((await consumer.get('/guides').expect(200)).text).not.toContain('装修贷款怎么选');
    // preview shows the sanitised body to the operator
    const preview = await op.get(`/admin/content/articles/${id}/preview`).expect(200);
    expect(preview.text).toContain('<strong>综合年化</strong>');

    await op.post(`/admin/content/articles/${id}/publish`).type('form').send({ _csrf: csrf }).expect(303);
    const page = await consumer.get('/guides/renovation-loan').expect(200);
    expect(page.text).toContain('<title>装修贷款怎么选 · 贷款知识 - 贷超</title>');
    expect(page.text).toContain('<strong>综合年化</strong>');
    expect(page.text).not.toContain('alert(1)');
    expect(page.text).toContain('<meta name="description" content="比综合年化，不只看月供">');
    // listed in /guides, on the home page (latest 3) and in the menu
    const list = await consumer.get('/guides').expect(200);
    expect(list.text).toContain('href="/guides/renovation-loan"');
    const home = await consumer.get('/').expect(200);
    expect(home.text).toContain('href="/guides/renovation-loan"');
    expect(home.text).toContain('<a href="/guides">攻略</a>');

    // publishing twice is refused, not a 500
    await op.post(`/admin/content/articles/${id}/publish`).type('form').send({ _csrf: csrf }).expect(303);
    await op.post(`/admin/content/articles/${id}/unpublish`).type('form').send({ _csrf: csrf }).expect(303);
    await consumer.get('/guides/renovation-loan').expect(404);
    expect((await consumer.get('/guides').expect(200)).text).not.toContain('renovation-loan');

    expect(await auditActions(id)).toEqual(['content.article.unpublished', 'content.article.published', 'content.article.created']);
    await op.post(`/admin/content/articles/${id}/delete`).type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(303);
    await op.get(`/admin/content/articles/${id}/edit`).expect(404);
    expect((await auditActions(id))[0]).toBe('content.article.deleted');
  });

  it('finds Chinese text: 装修 finds the article about 装修贷款, and only it', async () => {
    const a = await createArticle({ title: '装修贷款避坑指南', body: '<p>家装分期要看清费用。</p>' });
    const b = await createArticle({ title: '征信报告怎么看', categoryId: 'cc_credit', body: '<p>逾期记录保留五年。</p>' });
    const c = await createArticle({ title: '草稿：装修也要防骗', body: '<p>还没写完</p>' });
    for (const id of [a, b]) await op.post(`/admin/content/articles/${id}/publish`).type('form').send({ _csrf: csrf }).expect(303);
    const slugs = async (q: string, extra = '') => {
      const html = (await request(t.app).get(`/guides?q=${encodeURIComponent(q)}${extra}`).expect(200)).text;
      return [...html.matchAll(/href="\/guides\/([\w-]+)"/g)].map((m) => m[1]);
    };
    const slugOf = async (id: string) => (await t.container.services.content.getArticle(id)).slug;
    expect(await slugs('装修')).toEqual([await slugOf(a)]);
    expect(await slugs('装修贷款')).toEqual([await slugOf(a)]);
    expect(await slugs('逾期')).toEqual([await slugOf(b)]);
    expect(await slugs('征信', '&category=cc_loan_basics')).toEqual([]);
    expect(await slugs('旅游')).toEqual([]);
    expect(await slugs('装修')).not.toContain(await slugOf(c));
    // the operator list searches drafts too
    const admin = (await op.get(`/admin/content/articles?q=${encodeURIComponent('装修')}&status=draft`).expect(200)).text;
    expect(admin).toContain(`data-article-id="${c}"`);
    expect(admin).not.toContain(`data-article-id="${a}"`);

    // the same through the consumer API
    const api = await request(t.app).get('/api/v1/guides').query({ q: '装修' }).expect(200);
    expect(api.body).toMatchObject({ total: 1, items: [{ slug: await slugOf(a), title: '装修贷款避坑指南', category: { id: 'cc_loan_basics', name: '贷款知识' } }] });
    const one = await request(t.app).get(`/api/v1/guides/${await slugOf(a)}`).expect(200);
    expect(one.body.bodyHtml).toBe('<p>家装分期要看清费用。</p>');
    await request(t.app).get(`/api/v1/guides/${await slugOf(c)}`).expect(404);
    const bad = await request(t.app).get('/api/v1/guides').query({ pageSize: '500' }).expect(400);
    expect(bad.body.error.fields).toHaveProperty('pageSize');
    expect((await request(t.app).get('/api/openapi.json').expect(200)).body.paths).toHaveProperty(['/api/v1/guides/{slug}']);
  });

  it('bad input gets 400 naming the field, with what was typed kept', async () => {
    const empty = await op.post('/admin/content/articles').type('form').send({ _csrf: csrf, title: '', categoryId: 'cc_loan_basics', summary: '保留我' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('请填写标题');
    expect(empty.text).toContain('保留我');
    const slug = await op.post('/admin/content/articles').type('form').send({ _csrf: csrf, title: '标题', slug: '装修-指南', categoryId: 'cc_loan_basics' });
    expect(slug.status).toBe(400);
    expect(slug.text).toContain('链接名只能用小写字母');
    const category = await op.post('/admin/content/articles').type('form').send({ _csrf: csrf, title: '标题', categoryId: 'cc_nope' });
    expect(category.status).toBe(400);
    expect(category.text).toContain('请选择分类');
    const unknown = await op.post('/admin/content/articles').type('form').send({ _csrf: csrf, title: '标题', categoryId: 'cc_loan_basics', status: 'published' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('不允许的字段');
    await createArticle({ title: '一', slug: 'taken' });
    const taken = await op.post('/admin/content/articles').type('form').send({ _csrf: csrf, title: '二', slug: 'taken', categoryId: 'cc_loan_basics' });
    expect(taken.status).toBe(409); // a duplicate of what is stored conflicts with the state, as a taken category name does
    expect(taken.text).toContain('链接名已被其他文章使用');
    const takenName = await op.post('/admin/content/categories').type('form').send({ _csrf: csrf, name: '贷款知识', sortOrder: '50' });
    expect(takenName.status).toBe(409); // category_exists: the table once lacked it, so it answered 400
    expect(takenName.text).toContain('分类名称已存在');

    const link = await op.post('/admin/content/campaigns').type('form').send({ _csrf: csrf, title: '活动', linkPath: 'https://evil.example/', startDate: '2026-03-01', endDate: '2026-03-10' });
    expect(link.status).toBe(400);
    expect(link.text).toContain('只能填写站内路径');
    for (const linkPath of ['//evil.example/x', '/\\evil.example']) {
      expect((await op.post('/admin/content/campaigns').type('form').send({ _csrf: csrf, title: '活动', linkPath, startDate: '2026-03-01', endDate: '2026-03-10' })).status).toBe(400);
    }
    const dates = await op.post('/admin/content/campaigns').type('form').send({ _csrf: csrf, title: '活动', linkPath: '/guides', startDate: '2026-03-10', endDate: '2026-03-01' });
    expect(dates.status).toBe(400);
    expect(dates.text).toContain('结束日期不能早于开始日期');
    const badDate = await op.post('/admin/content/campaigns').type('form').send({ _csrf: csrf, title: '活动', linkPath: '/guides', startDate: '2026-02-30', endDate: '2026-03-01' });
    expect(badDate.status).toBe(400);
    expect(badDate.text).toContain('开始日期须为有效日期');

    const dup = await op.post('/admin/content/categories').type('form').send({ _csrf: csrf, name: '贷款知识' });
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('分类名称已存在');
    const inUse = await op.post('/admin/content/categories/cc_loan_basics/delete').type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(inUse.status).toBe(409);
  });

  it("the editor's image upload answers with a /media URL an article body may use", async () => {
    const up = await op.post('/admin/content/media').set('X-CSRF-Token', csrf).attach('file', PNG, 'inline.png').expect(201);
    expect(up.body.url).toMatch(/^\/media\/med_\w+$/);
    await request(t.app).get(up.body.url).expect(200).expect('content-type', 'image/png');
    const id = await createArticle({ title: '带图的文章', body: `<p>图：<img src="${up.body.url}" alt="示意图"><img src="https://evil.example/x.png"></p>` });
    expect((await t.container.services.content.getArticle(id)).bodyHtml).toBe(`<p>图：<img src="${up.body.url}" alt="示意图" /></p>`);
    const bad = await op.post('/admin/content/media').set('X-CSRF-Token', csrf).attach('file', Buffer.from('%PDF-1.4 not an image'), 'x.gif').expect(400);
    expect(bad.body.error.fields.file).toContain('只支持');
    await op.post('/admin/content/media').attach('file', PNG, 'inline.png').expect(403);
  });

  it('categories: add, rename, delete', async () => {
    await op.post('/admin/content/categories').type('form').send({ _csrf: csrf, name: '理财小知识', sortOrder: '50' }).expect(303);
    const cat = (await t.container.services.content.listCategories()).find((c) => c.name === '理财小知识')!;
    await op.post(`/admin/content/categories/${cat.id}`).type('form').send({ _csrf: csrf, name: '还款技巧', sortOrder: '5' }).expect(303);
    expect((await op.get('/admin/content/categories').expect(200)).text).toContain('value="还款技巧"');
    await op.post(`/admin/content/categories/${cat.id}/delete`).type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(303);
    expect((await t.container.services.content.listCategories()).some((c) => c.id === cat.id)).toBe(false);
  });

  it('a campaign banner (uploaded image) shows on the home page only inside its dates, in Asia/Shanghai', async () => {
    const { content } = t.container.services;
    const created = await op
      .post('/admin/content/campaigns')
      .field('_csrf', csrf)
      .field('title', '春季低息季')
      .field('description', '精选产品综合年化低至 7.2%')
      .field('linkPath', '/guides?category=cc_loan_basics')
      .field('startDate', '2026-03-01')
      .field('endDate', '2026-03-10')
      .field('status', 'enabled')
      .attach('file', PNG, { filename: 'banner.png', contentType: 'image/png' });
    expect(created.status, created.text.slice(0, 400)).toBe(303);
    const campaign = (await content.listCampaigns()).find((c) => c.title === '春季低息季')!;
    expect(campaign.bannerMediaId).toMatch(/^med_/);
    const image = await request(t.app).get(`/media/${campaign.bannerMediaId}`).expect(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(image.body as Buffer, PNG)).toBe(0);
    await request(t.app).get('/media/med_nothere').expect(404);

    const bannerShown = async (instant: string) => {
      clock.set(instant);
      return (await request(t.app).get('/').expect(200)).text.includes(`data-campaign-id="${campaign.id}"`);
    };
    try {
      expect(await bannerShown('2026-02-28T15:59:59Z')).toBe(false); // 2月28日 23:59:59 in Shanghai
      expect(await bannerShown('2026-02-28T16:00:00Z')).toBe(true); // 3月1日 00:00
      expect(await bannerShown('2026-03-10T15:59:59Z')).toBe(true); // 3月10日 23:59:59
      expect(await bannerShown('2026-03-10T16:00:00Z')).toBe(false); // 3月11日 00:00
      clock.set('2026-03-05T04:00:00Z');
      expect((await request(t.app).get('/api/v1/campaigns').expect(200)).body.items).toEqual([
        expect.objectContaining({ id: campaign.id, link: '/guides?category=cc_loan_basics', bannerUrl: `/media/${campaign.bannerMediaId}` }),
      ]);
      // disabled: never shown
      await op.post(`/admin/content/campaigns/${campaign.id}`).type('form').send({ _csrf: csrf, title: '春季低息季', linkPath: '/products', startDate: '2026-03-01', endDate: '2026-03-10', status: 'disabled' }).expect(303);
      expect(await bannerShown('2026-03-05T04:00:00Z')).toBe(false);
      expect((await content.getCampaign(campaign.id)).bannerMediaId).toBe(campaign.bannerMediaId);
    } finally {
      clock.release();
    }
    // a file that is not an image is refused by its bytes
    const notImage = await op
      .post('/admin/content/campaigns')
      .field('_csrf', csrf)
      .field('title', '坏图')
      .field('linkPath', '/products')
      .field('startDate', '2026-03-01')
      .field('endDate', '2026-03-10')
      .attach('file', Buffer.from('<script>alert(1)</script>'), { filename: 'x.png', contentType: 'image/png' });
    expect(notImage.status).toBe(400);
    expect(notImage.text).toContain('只支持 JPG、PNG、WebP、GIF');
    // a multipart form without the CSRF token is refused
    const noToken = await op.post('/admin/content/campaigns').field('title', 'x').attach('file', PNG, 'b.png');
    expect(noToken.status).toBe(403);

    await op.post(`/admin/content/campaigns/${campaign.id}/delete`).type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(303);
    expect((await t.container.services.audit.forObject('campaign', campaign.id)).map((r) => r.action)).toEqual([
      'content.campaign.deleted',
      'content.campaign.updated',
      'content.campaign.created',
    ]);
  });
});

describe('audit log viewer', () => {
  let t: TestApp;
  let op: ReturnType<typeof request.agent>;

  beforeAll(async () => {
    t = await startTestApp();
    op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const { audit } = t.container.services;
    for (let i = 0; i < 60; i++) {
      await audit.recordNow({ kind: 'system', ip: i % 2 ? '10.0.0.2' : '10.0.0.1' }, { action: i % 3 ? 'institution.licence_expiring' : 'institution.licence_lapsed', objectType: 'institution', objectId: `t${i}`, detail: { i } });
    }
  });
  afterAll(() => t?.close());

  const ids = (html: string) => [...html.matchAll(/data-audit-id="(\d+)"/g)].map((m) => Number(m[1]));

  it('filters, pages by keyset newest first, and shows staff names', async () => {
    const first = await op.get('/admin/audit').query({ action: 'institution.licence_' }).expect(200);
    const page1 = ids(first.text);
    expect(page1).toHaveLength(50);
    expect([...page1].sort((a, b) => b - a)).toEqual(page1);
    const next = /href="(\/admin\/audit\?[^"]+)" rel="next"/.exec(first.text)![1]!.replaceAll('&amp;', '&').replaceAll('&#x3D;', '=');
    expect(next).toContain(`before=${page1[49]}`);
    const page2 = ids((await op.get(next).expect(200)).text);
    expect(page2).toHaveLength(10);
    expect(Math.max(...page2)).toBeLessThan(Math.min(...page1));

    const third = ids((await op.get('/admin/audit').query({ action: 'institution.licence_lapsed', ip: '10.0.0.1', actorKind: 'system' }).expect(200)).text);
    expect(third).toHaveLength(10); // i ≡ 0 mod 6
    expect(ids((await op.get('/admin/audit').query({ objectType: 'institution', objectId: 't7' }).expect(200)).text)).toHaveLength(1);
    // dates are Shanghai calendar days: today holds everything, tomorrow nothing
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    expect(ids((await op.get('/admin/audit').query({ action: 'institution.licence_', from: today, to: today }).expect(200)).text)).toHaveLength(50);
    expect(ids((await op.get('/admin/audit').query({ action: 'institution.licence_', from: '2099-01-01' }).expect(200)).text)).toHaveLength(0);

    // the operator's own viewing is itself audited, with their display name
    const views = await op.get('/admin/audit').query({ action: 'audit.viewed' }).expect(200);
    expect(views.text).toContain('运营 · 运营');
    const viewed = await t.container.services.audit.recentActions('audit.viewed', 100);
    expect(viewed.length).toBeGreaterThanOrEqual(6);
    expect(viewed.some((r) => JSON.stringify(r.detail).includes('institution.licence_lapsed'))).toBe(true);
  });

  it('refuses bad filters with 400 naming the field', async () => {
    const bad = await op.get('/admin/audit').query({ from: '2026-13-01' }).expect(400);
    expect(bad.text).toContain('开始日期须为有效日期');
    expect((await op.get('/admin/audit').query({ actorKind: 'robot' })).status).toBe(400);
    expect((await op.get('/admin/audit').query({ from: '2026-03-02', to: '2026-03-01' })).status).toBe(400);
    expect((await op.get('/admin/audit').query({ sneaky: '1' })).status).toBe(400);
    expect((await op.get('/admin/audit/export.csv').query({ to: 'yesterday' })).status).toBe(400);
  });

  it('exports the filtered rows as CSV, and records the export', async () => {
    const csv = await op.get('/admin/audit/export.csv').query({ action: 'institution.licence_lapsed' }).expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('编号,时间(UTC),操作者类型,操作者编号,操作者姓名,操作,对象类型,对象编号,IP,请求编号,详情');
    expect(lines).toHaveLength(21);
    expect(lines.slice(1).every((l) => l.includes(',institution.licence_lapsed,institution,'))).toBe(true);
    expect(lines[1]).toContain('"{""i"":57}"');
    const exported = await t.container.services.audit.recentActions('audit.exported', 5);
    expect(exported[0]!.detail).toEqual({ filter: { action: 'institution.licence_lapsed' } });
  });

  it('the admin API pages the same way', async () => {
    const api = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const first = await api.get('/api/admin/v1/audit').query({ action: 'institution.licence_lapsed' }).expect(200);
    expect(first.body.items).toHaveLength(20);
    expect(first.body.nextBefore).toBeNull();
    expect(first.body.items[0]).toMatchObject({ action: 'institution.licence_lapsed', actor: { kind: 'system', id: null, name: null }, object: { type: 'institution', id: 't57' }, ip: '10.0.0.2', detail: { i: 57 } });
    const bad = await api.get('/api/admin/v1/audit').query({ to: '2026-02-30' }).expect(400);
    expect(bad.body.error.fields).toHaveProperty('to');
  });
});
