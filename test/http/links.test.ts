import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoConsumers } from '../../server/demo/demo-data';
import { institutionRoles, operatorRoles } from '../../server/modules/accounts/permissions';
import { startTestApp, type TestApp } from '../support/app';
import { crawl } from '../support/crawl';

/** On the demo data, no link any role is shown leads to an error page or to a page it may not open. */
describe('every link each person sees answers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ data: 'demo' });
    const institutionId = (await t.container.services.institutions.list())[0]!.id;
    for (const role of operatorRoles) {
      await t.container.services.accounts.createStaff({ kind: 'operator', username: `links.${role}`, password: DEMO_PASSWORD, displayName: role, role });
    }
    for (const role of institutionRoles) {
      await t.container.services.accounts.createStaff({ kind: 'institution', username: `links.i.${role}`, password: DEMO_PASSWORD, displayName: role, role, institutionId });
    }
  });
  afterAll(() => t?.close());

  it('for a visitor and a consumer on the consumer site', { timeout: 120_000 }, async () => {
    const visitor = await crawl(request.agent(t.app), ['/'], /^\/(?!admin|partner|account|applications|profile|verify|my-data|notifications|apply)/);
    expect(visitor.problems).toEqual([]);
    expect(visitor.visited).toBeGreaterThan(20);
    const consumer = request.agent(t.app);
    await consumer.post('/api/v1/auth/login').send({ phone: demoConsumers[0]!.phone, password: DEMO_PASSWORD }).expect(200);
    const pages = await crawl(consumer, ['/', '/account'], /^\/(?!admin|partner)/);
    expect(pages.problems).toEqual([]);
    expect(pages.visited).toBeGreaterThan(40);
  });

  it.each(institutionRoles)('for institution staff with the role %s', { timeout: 120_000 }, async (role) => {
    const agent = request.agent(t.app);
    await agent.post('/api/partner/v1/auth/login').send({ username: `links.i.${role}`, password: DEMO_PASSWORD }).expect(200);
    const pages = await crawl(agent, ['/partner'], /^\/partner/);
    expect(pages.problems).toEqual([]);
    expect(pages.visited).toBeGreaterThan(3);
  });

  it.each(operatorRoles)('for operators with the role %s', { timeout: 120_000 }, async (role) => {
    const agent = request.agent(t.app);
    await agent.post('/api/admin/v1/auth/login').send({ username: `links.${role}`, password: DEMO_PASSWORD }).expect(200);
    const pages = await crawl(agent, ['/admin'], /^\/admin/);
    expect(pages.problems).toEqual([]);
    expect(pages.visited).toBeGreaterThan(3);
  });
});
