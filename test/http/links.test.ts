import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoConsumers } from '../../scripts/demo-data';
import { institutionRoles, operatorRoles } from '../../server/modules/accounts/permissions';
import { startTestApp, type TestApp } from '../support/app';

type Agent = ReturnType<typeof request.agent>;

/** the same page with another id or query is not visited again */
const shapeOf = (href: string) => href.replace(/[?].*$/, '').replace(/[0-9a-z_]{20,}/g, ':id');

/**
 * Follows every same-surface link a person sees, from the surface's home, breadth first; one
 * page per path shape. Downloads, printing and logging out are not followed.
 */
async function crawl(agent: Agent, start: string[], surface: RegExp, limit = 400): Promise<{ visited: number; problems: string[] }> {
  const seen = new Set<string>();
  const shapes = new Set<string>();
  const queue = [...start];
  const problems: string[] = [];
  while (queue.length && seen.size < limit) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    shapes.add(shapeOf(url));
    const res = await agent.get(url);
    if (res.status >= 400) problems.push(`${res.status} ${url}`);
    if (!String(res.headers['content-type'] ?? '').includes('text/html')) continue;
    for (const m of res.text.matchAll(/href="([^"#]+)"/g)) {
      const href = m[1]!.replace(/&amp;/g, '&');
      if (!href.startsWith('/') || href.startsWith('//') || !surface.test(href)) continue;
      if (/logout|\.csv|\/assets\/|download|export|print/.test(href)) continue;
      if (!seen.has(href) && !shapes.has(shapeOf(href))) queue.push(href);
    }
  }
  return { visited: seen.size, problems };
}

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
