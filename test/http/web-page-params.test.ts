import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { consumerAgent, csrfFrom, staffAgent } from '../support/http';

describe('consumer pages check their path params', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('a malformed id is the page’s 404, for visitors and consumers alike', async () => {
    const { agent } = await consumerAgent(t.app);
    const tooLong = 'x'.repeat(65);
    for (const path of ['/applications/bad$id', `/account/complaints/${tooLong}`, '/documents/a%20b', '/account/loans/%E8%B4%B7']) {
      await agent.get(path).expect(404);
    }
    // the old single-product apply link: a product that cannot exist is not sent on to /apply
    await agent.get('/apply/bad$id').expect(404);
    const known = t.fixtures.institutionA.productId;
    const old = await agent.get(`/apply/${known}?amount=5000`).expect(303);
    expect(old.headers.location).toBe(`/apply?products=${known}&amount=5000`);
    const visitor = request(t.app);
    await visitor.get('/products/bad$id').expect(404);
    await visitor.get('/media/nope').expect(404);
  });

  it('a guide whose slug is longer than an id opens', async () => {
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const csrf = csrfFrom((await op.get('/admin/content/articles/new').expect(200)).text);
    const slug = `how-to-compare-${'loans-'.repeat(10)}apr`;
    expect(slug.length).toBeGreaterThan(64);
    const created = await op.post('/admin/content/articles').type('form').send({ _csrf: csrf, categoryId: 'cc_loan_basics', title: '怎么比较综合年化', slug, body: '<p>先比综合年化</p>' });
    expect(created.status, created.text.slice(0, 500)).toBe(303);
    const id = /\/admin\/content\/articles\/(art_\w+)\/edit/.exec(created.headers.location!)![1]!;
    await op.post(`/admin/content/articles/${id}/publish`).type('form').send({ _csrf: csrf }).expect(303);
    const page = await request(t.app).get(`/guides/${slug}`).expect(200);
    expect(page.text).toContain('怎么比较综合年化');
    await request(t.app).get('/guides/bad$slug').expect(404);
  });

  it('a stale guides link with unreadable filters still opens the list', async () => {
    const res = await request(t.app).get('/guides?page=abc&category=&q=').expect(200);
    expect(res.text).toContain('贷款攻略与资讯');
  });
});
