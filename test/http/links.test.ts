import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoConsumers } from '../../scripts/demo-data';
import { institutionRoles, operatorRoles } from '../../server/modules/accounts/permissions';
import { startTestApp, type TestApp } from '../support/app';

type Agent = ReturnType<typeof request.agent>;

/** the same page with another id or query is not visited again */
const shapeOf = (href: string) => href.replace(/[?].*$/, '').replace(/[0-9a-z_]{20,}/g, ':id');

interface FoundForm {
  page: string;
  action: string;
  hidden: Record<string, string>;
  visible: string[];
  multipart: boolean;
}

/**
 * Follows every same-surface link a person sees, from the surface's home, breadth first; one
 * page per path shape. Downloads, printing and logging out are not followed. Collects the
 * POST forms on the way (one per action shape).
 */
async function crawl(agent: Agent, start: string[], surface: RegExp, limit = 400): Promise<{ visited: number; problems: string[]; forms: FoundForm[] }> {
  const seen = new Set<string>();
  const shapes = new Set<string>();
  const forms = new Map<string, FoundForm>();
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
    for (const f of res.text.matchAll(/<form[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/gi)) {
      const action = (/action="([^"]+)"/.exec(f[0])?.[1] ?? url).replace(/&amp;/g, '&');
      const hidden: Record<string, string> = {};
      const visible: string[] = [];
      for (const field of f[1]!.matchAll(/<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*>/g)) {
        if (/type="hidden"/.test(field[0])) hidden[field[1]!] = /value="([^"]*)"/.exec(field[0])?.[1] ?? '';
        else visible.push(field[1]!);
      }
      if (!forms.has(shapeOf(action))) forms.set(shapeOf(action), { page: url, action, hidden, visible, multipart: /multipart/.test(f[0]) });
    }
  }
  return { visited: seen.size, problems, forms: [...forms.values()] };
}

/**
 * Posts every form twice: with nothing filled in, and with text in every field (where numbers,
 * dates or choices are expected too). Each answer must be a page or a redirect, never a server
 * error. Logging out, closing the account and starting MFA set-up are left out (they end or
 * change the session the rest runs in).
 */
async function postBadInput(agent: Agent, forms: FoundForm[]): Promise<{ posted: number; problems: string[] }> {
  const problems: string[] = [];
  let posted = 0;
  for (const form of forms) {
    if (/logout|\/close$|mfa\/start/.test(form.action)) continue;
    for (const filled of [false, true]) {
      const body: Record<string, string> = { ...form.hidden };
      if (filled) for (const name of form.visible) body[name] = `x'<>"${name}`;
      const page = await agent.get(form.page); // a fresh token and idempotency key
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
      if (csrf) body._csrf = csrf;
      const post = agent.post(form.action);
      const res = form.multipart ? await Object.entries(body).reduce((r, [k, v]) => r.field(k, v), post) : await post.type('form').send(body);
      posted++;
      if (res.status >= 500 || res.status === 403) problems.push(`${res.status} ${filled ? 'filled with text' : 'empty'} ${form.action}`);
    }
  }
  return { posted, problems };
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

  // last: posting forms with text in every field changes the demo data (a staff member frozen, a category renamed)
  it('bad input in every form a consumer, an institution admin and a super admin see is refused with a page, never a server error', { timeout: 240_000 }, async () => {
    const consumer = request.agent(t.app);
    await consumer.post('/api/v1/auth/login').send({ phone: demoConsumers[1]!.phone, password: DEMO_PASSWORD }).expect(200);
    const institution = request.agent(t.app);
    await institution.post('/api/partner/v1/auth/login').send({ username: 'links.i.admin', password: DEMO_PASSWORD }).expect(200);
    const operator = request.agent(t.app);
    await operator.post('/api/admin/v1/auth/login').send({ username: 'links.super_admin', password: DEMO_PASSWORD }).expect(200);
    for (const [agent, start, surface, atLeast] of [
      [consumer, ['/', '/account'], /^\/(?!admin|partner)/, 10],
      [institution, ['/partner'], /^\/partner/, 10],
      [operator, ['/admin'], /^\/admin/, 40],
    ] as const) {
      const { forms } = await crawl(agent, [...start], surface);
      expect(forms.length).toBeGreaterThanOrEqual(atLeast);
      const result = await postBadInput(agent, forms);
      expect(result.problems).toEqual([]);
      expect(result.posted).toBeGreaterThanOrEqual(atLeast * 2 - 6);
    }
  });
});
