import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { csrfFrom, staffAgent } from '../support/http';

describe('admin pages with a malformed id in their path', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('answer 404 with the page-not-found page', async () => {
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const malformed = ['a%20b', '%3Cscript%3E', 'x'.repeat(65)];
    for (const id of malformed) {
      for (const path of [`/admin/applications/${id}`, `/admin/complaints/${id}`, `/admin/users/${id}`, `/admin/finance/statements/${id}`, `/admin/onboarding/${id}`]) {
        const res = await op.get(path);
        expect(res.status, path).toBe(404);
        expect(res.text, path).toContain('<p>页面不存在</p>');
      }
    }
    const csrf = csrfFrom((await op.get('/admin/settings').expect(200)).text);
    const refused = await op.post('/admin/settings/rates%20listingCap').type('form').send({ _csrf: csrf, value: '30' });
    expect(refused.status).toBe(404);
    const freeze = await op.post(`/admin/users/${'x'.repeat(65)}/freeze`).type('form').send({ _csrf: csrf, reason: '测试' });
    expect(freeze.status).toBe(404);
  });

  it('still open a well-formed id that does not exist as the thing that does not exist', async () => {
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const res = await op.get('/admin/complaints/cmp_missing');
    expect(res.status).toBe(404);
    expect(res.text).toContain('<p>投诉不存在</p>');
  });
});
