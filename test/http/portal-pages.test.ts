import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, consumerAgent, staffAgent } from '../support/http';
import { acceptOffer } from '../support/offers';

/** The portal's page tables: a path param that cannot be an id is the page's 404; a stale filter link still opens its list. */
describe.each(databaseTargets())('institution portal page tables on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
  });
  afterAll(() => t?.close());

  it('answers a malformed id in any portal path with the not-found page', async () => {
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const tooLong = 'x'.repeat(65);
    for (const path of ['/partner/leads/bad%20id', `/partner/loans/${tooLong}`, '/partner/collections/a%24b', `/partner/statements/${tooLong}/print`, '/partner/products/%E4%B8%AD/edit', '/partner/join/a%20b']) {
      const res = await partner.get(path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).toContain('</html>');
    }
  });

  it('opens the loan and collection lists whatever their filter links say, and applies a valid filter', async () => {
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.12 }).expect(200);
    await acceptOffer(t, application.id);
    const disbursed = await partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'disbursed', amount: 50000 }).expect(200);
    const row = `data-loan-id="${disbursed.body.loan.id}"`;

    for (const path of ['/partner/loans?status=bogus&overdue=yes', '/partner/loans?status=active&status=settled', '/partner/loans?status=active&overdue=2']) {
      expect((await partner.get(path).expect(200)).text, path).toContain(row);
    }
    expect((await partner.get('/partner/loans?status=settled').expect(200)).text).not.toContain(row);
    expect((await partner.get('/partner/loans?overdue=1').expect(200)).text).not.toContain(row);
    for (const path of ['/partner/collections?status=nope', '/partner/collections?status=closed&status=open', '/partner/collections?status=closed']) {
      await partner.get(path).expect(200);
    }
  });
});
