import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminNav } from '../../admin/nav';
import { partnerNav } from '../../institution-portal/nav';
import { startTestApp, type TestApp } from '../support/app';
import { consumerAgent, csrfFrom, newIdNumber, staffAgent } from '../support/http';

const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
/** A title repeats itself when one of its parts ("A - B · C") contains another: 贷款比价 - 贷超 · 贷款比价, 工作台 - 贷超机构工作台. */
const repeats = (title: string) => {
  const parts = title.split(/\s[-·]\s/).map((p) => p.trim());
  return parts.some((a, i) => parts.some((b, j) => i !== j && a.includes(b)));
};

/** What a first-time visitor ran into: the ID number typed away, the tab's icon, titles that say the same thing twice. */
describe('a first visit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  }, 120_000);
  afterAll(() => t?.close());

  it('a failed real-name check keeps what was typed, the 18-digit ID included, and says why', async () => {
    const consumer = await consumerAgent(t.app, { verified: false });
    const page = await consumer.agent.get('/verify').expect(200);
    const good = newIdNumber();
    const typo = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
    const failed = await consumer.agent.post('/verify').type('form').send({ _csrf: csrfFrom(page.text), realName: '李四', idNumber: typo }).expect(400);
    expect(failed.text).toContain(`name="idNumber" maxlength="18" autocomplete="off" value="${typo}"`);
    expect(failed.text).toContain('value="李四"');
    expect(failed.text).toMatch(/<span class="field-error">[^<]*校验[^<]*<\/span>/);
  });

  it('answers /favicon.ico with an icon, and every layout links it', async () => {
    const icon = await request(t.app).get('/favicon.ico').expect(200);
    expect(icon.headers['content-type']).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
    expect(Buffer.from(icon.body as Buffer).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    expect((await request(t.app).get('/').expect(200)).text).toContain('<link rel="icon" href="/favicon.ico"');
  });

  it('no page title repeats itself, on any surface', async () => {
    const pages: [ReturnType<typeof request.agent> | ReturnType<typeof request>, string][] = [];
    for (const path of ['/', '/products', '/compare', '/calculator', '/recommendations', '/guides', '/login', '/register']) pages.push([request(t.app), path]);
    const consumer = await consumerAgent(t.app);
    for (const path of ['/account', '/applications', '/my-data', '/verify', '/notifications']) pages.push([consumer.agent, path]);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    for (const path of ['/partner', ...partnerNav.map((n) => n.href)]) pages.push([partner, path]);
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    for (const path of adminNav.map((n) => n.href)) pages.push([operator, path]);

    const titles: string[] = [];
    for (const [agent, path] of pages) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(200);
      titles.push(`${path} → ${titleOf(res.text)}`);
    }
    expect(titles.filter((t) => repeats(t.split(' → ')[1]!) || t.endsWith('→ '))).toEqual([]);
    expect(titles).toContain('/ → 贷超 · 贷款比价');
    expect(titles).toContain('/partner → 甲银行 - 贷超机构工作台');
  });
});
