import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { consumerAgent, csrfFrom } from '../support/http';
import { offSitePayloads } from '../support/redirect-payloads';

const SITE = 'http://127.0.0.1';

/** The attribute value as the browser reads it (Handlebars escapes & < > " ' ` =). */
const unescape = (html: string) =>
  html.replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#x60': '`', '#x3D': '=' })[e]!);

/** Where a browser on `page` goes following `href` (WHATWG URL, as the browser resolves it). */
const followed = (href: string, page = '/verify') => new URL(unescape(href), `${SITE}${page}`);

/** The payload (`/verify?next=%2F%09%2Fevil.example%2Fx`) plus the whole table. */
const payloads = ['/\t/evil.example/x', ...offSitePayloads, '/%2f/evil.example/x', '/%09/evil.example/x', '/%0a/evil.example/x', '/%0d%0a/evil.example/x'];
/** A NUL byte never reaches a route: the edge refuses it with a 400 naming the field (server/http/safe-input.ts). */
const refusedAtEdge = (next: string) => next.includes('\u0000');

describe('next links stay on the site, rendered or redirected', () => {
  let t: TestApp;
  let consumer: Awaited<ReturnType<typeof consumerAgent>>;
  beforeAll(async () => {
    t = await startTestApp();
    consumer = await consumerAgent(t.app);
  });
  afterAll(() => t?.close());

  it('the exact report: /verify?next=%2F%09%2Fevil.example%2Fx renders no link off the site', async () => {
    const page = await consumer.agent.get('/verify?next=%2F%09%2Fevil.example%2Fx').expect(200);
    expect(page.text).not.toContain('继续申请');
    expect(page.text).not.toContain('evil.example');
  });

  it.each(payloads.filter(refusedAtEdge))('%j is refused before any route sees it, naming the field', async (next) => {
    const page = await consumer.agent.get('/verify').query({ next }).expect(400);
    expect(page.text).toContain('next');
    expect(page.text).not.toContain('evil.example');
    const form = await request(t.app).get('/login').expect(200);
    const login = await request(t.app).post('/login').type('form').send({ _csrf: csrfFrom(form.text), phone: consumer.phone, password: PASSWORD, next });
    expect(login.status).toBe(400);
    expect(login.headers.location).toBeUndefined();
  });

  const reachingRoutes = payloads.filter((p) => !refusedAtEdge(p));

  it.each(reachingRoutes)('「继续申请」 and the login form keep %j on the site', async (next) => {
    const verify = await consumer.agent.get('/verify').query({ next }).expect(200);
    const href = /<a class="btn" href="([^"]*)">继续申请<\/a>/.exec(verify.text)?.[1];
    if (href !== undefined) expect(followed(href).origin).toBe(SITE);

    const login = await request(t.app).get('/login').query({ next }).expect(200);
    const hidden = /name="next" value="([^"]*)"/.exec(login.text)![1]!;
    if (hidden) expect(followed(hidden, '/login').origin).toBe(SITE);
    const register = /<a href="(\/register[^"]*)">注册<\/a>/.exec(login.text)![1]!;
    expect(followed(register, '/login').origin).toBe(SITE);
    expect(new URLSearchParams(followed(register, '/login').search).get('next') ?? '').not.toMatch(/evil\.example/i);
  });

  it.each(reachingRoutes)('logging in with next=%j redirects on the site', async (next) => {
    const agent = request.agent(t.app);
    const form = await agent.get('/login').expect(200);
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(form.text), phone: consumer.phone, password: PASSWORD, next }).expect(303);
    expect(followed(res.headers.location as string, '/login').origin).toBe(SITE);
    expect(res.headers.location).toMatch(/^\/(?![/\\])/);
  });

  it.each(reachingRoutes)('saving the profile with next=%j redirects on the site', async (next) => {
    const page = await consumer.agent.get('/profile').expect(200);
    const res = await consumer.agent.post('/profile').type('form').send({ _csrf: csrfFrom(page.text), city: '上海', next }).expect(303);
    expect(followed(res.headers.location as string, '/profile').origin).toBe(SITE);
  });

  it('staff logins stay inside their own surface', async () => {
    for (const [surface, username] of [
      ['partner', t.fixtures.institutionA.staff],
      ['admin', t.fixtures.operator],
    ] as const) {
      for (const next of [...reachingRoutes, '/', `/${surface === 'admin' ? 'partner' : 'admin'}/x`, `/${surface}evil`]) {
        const agent = request.agent(t.app);
        const form = await agent.get(`/${surface}/login`).expect(200);
        const res = await agent.post(`/${surface}/login`).type('form').send({ _csrf: csrfFrom(form.text), username, password: PASSWORD, next });
        expect(res.status, next).toBe(303);
        const target = followed(res.headers.location as string, `/${surface}/login`);
        expect(target.origin, next).toBe(SITE);
        expect(target.pathname, next).toMatch(new RegExp(`^/${surface}(/|$)`));
      }
      // a good next is kept
      const agent = request.agent(t.app);
      const form = await agent.get(`/${surface}/login`).expect(200);
      const res = await agent.post(`/${surface}/login`).type('form').send({ _csrf: csrfFrom(form.text), username, password: PASSWORD, next: `/${surface}/staff?x=1` }).expect(303);
      expect(res.headers.location).toBe(`/${surface}/staff?x=1`);
    }
  });

  it('verifying identity with the reported next continues on the site', async () => {
    const fresh = await consumerAgent(t.app, { verified: false });
    const page = await fresh.agent.get('/verify').query({ next: '/\t/evil.example/x' }).expect(200);
    expect(/name="next" value="([^"]*)"/.exec(page.text)![1]).toBe('');
    const res = await fresh.agent
      .post('/verify')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), realName: '王小明', idNumber: fresh.idNumber, next: '/\r\n/evil.example/x' })
      .expect(303);
    expect(res.headers.location).toBe('/profile');
  });
});
