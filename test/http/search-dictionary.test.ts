import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { csrfFrom, staffAgent } from '../support/http';

/** Operators edit the search dictionary at /admin/search (versioned, audited) and read what people search for. */

type Agent = ReturnType<typeof request.agent>;

describe('the search dictionary and the search report (demo catalogue)', () => {
  let t: TestApp;
  let op: Agent;
  beforeAll(async () => {
    t = await startTestApp({ data: 'demo' });
    await t.container.services.accounts.createStaff({ kind: 'operator', username: 'op.search', password: PASSWORD, displayName: '搜索运营', role: 'operations' });
    op = await staffAgent(t.app, 'admin', 'op.search');
  });
  afterAll(() => t?.close());

  const post = async (url: string, values: Record<string, string>) => {
    const csrf = csrfFrom((await op.get('/admin/search').expect(200)).text);
    return op.post(url).type('form').send({ ...values, _csrf: csrf });
  };
  const total = async (q: string) => (await request(t.app).get(`/api/v1/products?q=${encodeURIComponent(q)}`).expect(200)).body.total as number;
  /** the page's text with the entities Handlebars writes for = and > read back */
  const plain = (html: string) => html.replaceAll('&#x3D;', '=').replaceAll('&gt;', '>');
  const carLoans = () => t.container.services.catalogue.allListed().filter((p) => p.category === '车贷').length;

  it('shows the dictionary in force as one entry per line, and is in the admin menu', async () => {
    const page = await op.get('/admin/search').expect(200);
    expect(page.text).toContain('第 1 版，系统默认');
    expect(plain(page.text)).toContain('synonym: 汽车贷款, 汽车贷, 车贷款, 买车, 购车, 汽车分期, 买车贷款, 购车贷款 => 车贷');
    expect(plain(page.text)).toContain('negation: 免抵押, 无抵押, 不要抵押, 无需抵押, 不用抵押, 不需要抵押, 不需抵押, 没有抵押, 没抵押, 零抵押, 免抵押贷款, 无抵押贷款 => 免抵押 != 抵押');
    expect(page.text).toContain('href="/admin/search"');
  });

  it('a refused dictionary comes back as the form with a 400 naming the line, what was typed kept', async () => {
    const typed = 'synonym: 座驾 => 车贷\nintent: 急用钱 => cheap\n房贷 房抵贷';
    const res = await post('/admin/search', { entries: typed, note: '试试' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('搜索词典有误');
    expect(res.text).toContain('第 2 行：意图只能是 fast、low-apr、employee；第 3 行：应以 synonym:、intent: 或 negation: 开头');
    expect(plain(res.text)).toContain(typed);
    expect(res.text).toContain('value="试试"');
    const twice = await post('/admin/search', { entries: 'synonym: 座驾 => 车贷\nintent: 座驾 => fast' });
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('第 2 行：“座驾”已在第 1 条中出现，一个词只能属于一条');
    expect((await t.container.services.searchDictionary.active()).version).toBe(1);
    // without the CSRF token nothing is saved
    await op.post('/admin/search').type('form').send({ entries: 'synonym: 座驾 => 车贷' }).expect(403);
  });

  it('saving makes a new version that search uses at once; the API’s cached anonymous lists follow it', async () => {
    expect(await total('座驾')).toBe(0);
    const current = (await op.get('/api/admin/v1/search/dictionary').expect(200)).body;
    const text = `${plain((await op.get('/admin/search')).text.match(/<textarea[^>]*>([\s\S]*?)<\/textarea>/)![1]!)}\nsynonym: 座驾, 爱车 => 车贷`;
    const saved = await post('/admin/search', { entries: text, note: '座驾 = 车贷' });
    expect(saved.status).toBe(303);
    expect(await total('座驾')).toBe(carLoans());
    const page = await op.get('/admin/search').expect(200);
    expect(page.text).toContain('已保存为第 2 版');
    expect(page.text).toContain('新增 座驾 → 车贷；爱车 → 车贷');
    expect(page.text).toContain('搜索运营');
    const after = (await op.get('/api/admin/v1/search/dictionary').expect(200)).body;
    expect(after).toMatchObject({ version: 2, note: '座驾 = 车贷', author: '搜索运营' });
    expect(after.entries).toEqual([...current.entries, { kind: 'synonym', words: ['座驾', '爱车'], to: '车贷' }]);
    expect(after.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const [audit] = await t.container.services.audit.recentActions('search.dictionary_saved');
    expect(audit).toMatchObject({ actorKind: 'operator', objectId: '2' });
  });

  it('revert saves an old version as the newest; a bad version number is a 400, an unknown one a 404', async () => {
    expect((await post('/admin/search/revert', { version: '1' })).status).toBe(303);
    expect(await total('座驾')).toBe(0);
    const page = await op.get('/admin/search').expect(200);
    expect(page.text).toContain('已将第 1 版恢复为第 3 版');
    expect(page.text).toContain('恢复第 1 版');
    const bad = await post('/admin/search/revert', { version: 'abc' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('版本号须为正整数');
    expect((await post('/admin/search/revert', { version: '99' })).status).toBe(404);
  });

  it('PUT /api/admin/v1/search/dictionary saves a version; a bad list is a 400 naming the entry', async () => {
    const { entries } = (await op.get('/api/admin/v1/search/dictionary').expect(200)).body;
    const refused = await op.put('/api/admin/v1/search/dictionary').send({ entries: [...entries, { kind: 'synonym', words: ['买车'], to: '车贷' }] }).expect(400);
    expect(refused.body.error.message).toBe('搜索词典有误');
    expect(refused.body.error.fields[`entries.${entries.length}.words.0`]).toMatch(/已在第 \d+ 条中出现/);
    await op.put('/api/admin/v1/search/dictionary').send({ entries, role: 'x' }).expect(400);
    const saved = await op.put('/api/admin/v1/search/dictionary').send({ entries: [...entries, { kind: 'synonym', words: ['座驾'], to: '车贷' }], note: 'API' }).expect(200);
    expect(saved.body).toMatchObject({ version: 4, note: 'API', author: '搜索运营' });
    expect(await total('座驾')).toBe(carLoans());
  });

  it('the report counts searches per text over 7 or 30 days, with result counts, zero-result searches and what they are read as now', async () => {
    const catalogue = t.container.services.catalogue;
    for (let i = 0; i < 3; i++) await request(t.app).get(`/api/v1/products?q=${encodeURIComponent('买车')}`).expect(200);
    await request(t.app).get(`/products?q=${encodeURIComponent('买车')}`).expect(200);
    await request(t.app).get(`/api/v1/products?q=${encodeURIComponent('飞机贷')}`).expect(200);
    await request(t.app).get(`/api/v1/products?q=${encodeURIComponent('飞机贷')}`).expect(200);
    catalogue.recordEvent('old-visitor', 'search', { query: '游艇贷', results: 0, at: new Date(Date.now() - 10 * 86_400_000) });
    const bought = (await request(t.app).get(`/api/v1/products?q=${encodeURIComponent('买车')}`).expect(200)).body.total as number;

    const week = (await op.get('/api/admin/v1/search/queries').expect(200)).body;
    expect(week.days).toBe(7);
    const car = week.top.find((r: { query: string }) => r.query === '买车');
    expect(car).toMatchObject({ searches: 5, lastResultCount: bought, zeroResults: 0, rewritten: '车贷', understood: ['买车 → 车贷'] });
    expect(week.top[0].query).toBe('买车');
    expect(week.zeroResults).toContainEqual(expect.objectContaining({ query: '飞机贷', searches: 2, zeroResults: 2, lastResultCount: 0, rewritten: '飞机贷', understood: [] }));
    // 座驾 found nothing before it was added, and again after the revert
    expect(week.zeroResults.find((r: { query: string }) => r.query === '座驾')).toMatchObject({ zeroResults: 2, rewritten: '车贷' });
    expect(week.top.some((r: { query: string }) => r.query === '游艇贷')).toBe(false);

    const month = (await op.get('/api/admin/v1/search/queries?days=30').expect(200)).body;
    expect(month.zeroResults.map((r: { query: string }) => r.query).sort()).toEqual(['座驾', '游艇贷', '飞机贷'].sort());
    expect(week.zeroResults.map((r: { query: string }) => r.query)).not.toContain('游艇贷');
    const refused = await op.get('/api/admin/v1/search/queries?days=5').expect(400);
    expect(refused.body.error.fields.days).toBe('days 须为 7 或 30');

    const page = await op.get('/admin/search?days=30').expect(200);
    expect(page.text).toContain('用户搜索词（近 30 天）');
    const zeroTable = page.text.slice(page.text.indexOf('data-testid="zero-result-queries"'), page.text.indexOf('data-testid="top-queries"'));
    expect(zeroTable).toContain('<td>游艇贷</td>');
    expect(zeroTable).toContain('<td>飞机贷</td><td>2</td><td>2</td>');
    const topTable = page.text.slice(page.text.indexOf('data-testid="top-queries"'));
    expect(topTable).toContain('<td>买车</td><td>5</td>');
    expect(topTable).toContain('买车 → 车贷');
    // a stale link still opens the page, on the last 7 days
    expect((await op.get('/admin/search?days=x').expect(200)).text).toContain('用户搜索词（近 7 天）');
  });

  it('a role without search.manage gets 403', async () => {
    await t.container.services.accounts.createStaff({ kind: 'operator', username: 'op.cs', password: PASSWORD, displayName: '客服', role: 'customer_service' });
    const cs = await staffAgent(t.app, 'admin', 'op.cs');
    await cs.get('/admin/search').expect(403);
    await cs.get('/api/admin/v1/search/queries').expect(403);
    expect((await cs.get('/admin').expect(200)).text).not.toContain('href="/admin/search"');
  });
});
