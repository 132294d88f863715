import { sql } from 'drizzle-orm';
import request from 'supertest';
import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../server/db/client';
import { anonymousLists } from '../../server/http/api/consumer/anonymous-lists';
import { startTestApp, type TestApp } from '../support/app';
import { consumerAgent } from '../support/http';
import { SESSION_COOKIE } from '../../server/http/sessions';

/**
 * Anonymous product lists, built and kept by the API ahead of the rest of the stack
 * (anonymousProductList): the same answer and the same records as building it, never for a signed-in
 * borrower, never after the catalogue changed, and never for a URL the route refused.
 */
/** A request's answer as bytes on the wire (supertest and fetch would decode a gzipped body) */
function raw(server: Server, path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    http
      .request({ method, host: '127.0.0.1', port, path: encodeURI(path), headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject)
      .end();
  });
}

/** Runs `work` against the app listening on a real socket, closed afterwards. */
async function listening(app: TestApp['app'], work: (server: Server) => Promise<void>): Promise<void> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    await work(server);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('kept anonymous product lists', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const VISITOR = 'dc_vid=0b5e4c2a-7d1f-4e8b-9a3c-5f6d7e8f9a0b';

  /** a list is kept under the URL as sent (percent-encoded) */
  const isKept = (url: string) => anonymousLists(t.container.services).has(encodeURI(url));

  async function searchEvents(query: string): Promise<number> {
    await t.container.services.catalogue.flushEvents();
    const [row] = await queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from catalogue_events where kind = 'search' and query = ${query}`);
    return row!.n;
  }
  async function apiImpressions(productId: string): Promise<number> {
    await t.container.services.catalogue.flushEvents();
    const [row] = await queryRows<{ n: number }>(
      t.container.database.db,
      sql`select coalesce(sum(count), 0)::int as n from catalogue_impressions where product_id = ${productId} and channel = 'api' and list = 'search'`,
    );
    return row!.n;
  }

  it('keeps a list from its second asking on: a URL asked once is not kept', async () => {
    const url = '/api/v1/products?q=甲银行&pageSize=4';
    await request(t.app).get(url).set('Cookie', VISITOR).expect(200);
    expect(isKept(url)).toBe(false);
    await request(t.app).get(url).set('Cookie', VISITOR).expect(200);
    expect(isKept(url)).toBe(true);
  });

  it('answers a repeated anonymous search with the same body and headers, recording the search and its impressions each time', async () => {
    const url = '/api/v1/products?q=甲银行&pageSize=5';
    const productId = t.fixtures.institutionA.productId;
    const before = { searches: await searchEvents('甲银行'), impressions: await apiImpressions(productId) };
    const first = await request(t.app).get(url).set('Cookie', VISITOR).expect(200);
    await request(t.app).get(url).set('Cookie', VISITOR).expect(200); // built again, and kept
    expect(isKept(url)).toBe(true);
    const kept = await request(t.app).get(url).set('Cookie', VISITOR).expect(200);
    expect(first.body.items.map((p: { id: string }) => p.id)).toContain(productId);
    expect(kept.text).toBe(first.text);
    for (const header of ['content-type', 'content-security-policy', 'x-content-type-options']) expect(kept.headers[header], header).toBe(first.headers[header]);
    expect(kept.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(kept.headers['x-request-id']).toMatch(/^[\w-]{8,64}$/);
    expect(await searchEvents('甲银行')).toBe(before.searches + 3);
    expect(await apiImpressions(productId)).toBe(before.impressions + 3);
  });

  it('answers a repeat compressed to a client that accepts gzip, from one copy made in the background', () =>
    listening(t.app, async (server) => {
      const url = '/api/v1/products?q=银行&pageSize=20';
      const get = (accept: string) => raw(server, url, { Cookie: VISITOR, 'Accept-Encoding': accept });
      const first = await get('gzip, deflate, br'); // built by the route
      expect(first.status).toBe(200);
      expect(first.headers['content-encoding']).toBeUndefined();
      expect(first.headers.vary).toMatch(/Accept-Encoding/i);
      expect(JSON.parse(first.body.toString('utf8')).items.length).toBeGreaterThan(0);
      await get('gzip, deflate, br'); // built again, and kept
      await get('gzip, deflate, br'); // the first answer from the kept list starts the compressed copy
      await vi.waitFor(async () => expect((await get('gzip, deflate, br')).headers['content-encoding']).toBe('gzip'));
      const compressed = await get('gzip, deflate, br');
      expect(compressed.status).toBe(200);
      expect(compressed.headers['content-encoding']).toBe('gzip');
      expect(compressed.headers.vary).toMatch(/Accept-Encoding/i);
      expect(compressed.body.length).toBeLessThan(first.body.length / 2);
      expect(gunzipSync(compressed.body).equals(first.body)).toBe(true);
      for (const accept of ['identity', 'br', 'gzip;q=0']) {
        const res = await get(accept);
        expect(res.headers['content-encoding'], accept).toBeUndefined();
        expect(res.body.equals(first.body), accept).toBe(true);
      }
    }));

  it('answers HEAD for a kept list with its headers and length, and no body', () =>
    listening(t.app, async (server) => {
      const url = '/api/v1/products?q=银行&pageSize=3';
      await raw(server, url, { Cookie: VISITOR });
      const get = await raw(server, url, { Cookie: VISITOR }); // kept
      expect(isKept(url)).toBe(true);
      const head = await raw(server, url, { Cookie: VISITOR }, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Number(head.headers['content-length'])).toBe(get.body.length);
      expect(head.headers.vary).toMatch(/Accept-Encoding/i);
    }));

  it('gives a first-time visitor its cookie with a kept list too', async () => {
    const url = '/api/v1/products?category=信用贷';
    for (let i = 0; i < 2; i++) await request(t.app).get(url).set('Cookie', VISITOR).expect(200);
    expect(isKept(url)).toBe(true);
    const res = await request(t.app).get(url).expect(200);
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).filter((c) => c.startsWith('dc_vid='))).toHaveLength(1);
  });

  it('never answers a signed-in borrower with the anonymous list: their items carry odds', async () => {
    const url = '/api/v1/products?q=乙&pageSize=5';
    await request(t.app).get(url).expect(200);
    const anonymous = await request(t.app).get(url).expect(200);
    expect(isKept(url)).toBe(true);
    expect(anonymous.body.items.length).toBeGreaterThan(0);
    expect(anonymous.body.items.every((p: { odds?: unknown }) => p.odds === undefined)).toBe(true);
    const { agent } = await consumerAgent(t.app);
    const mine = await agent.get(url).expect(200);
    expect(mine.body.items.map((p: { id: string }) => p.id)).toEqual(anonymous.body.items.map((p: { id: string }) => p.id));
    expect(mine.body.items.every((p: { odds?: unknown }) => p.odds !== undefined)).toBe(true);
  });

  it('is dropped when the catalogue changes: a paused product leaves the next answer', async () => {
    const url = '/api/v1/products?pageSize=50';
    const productId = t.fixtures.institutionB.productId;
    const ids = async () => (await request(t.app).get(url).set('Cookie', VISITOR).expect(200)).body.items.map((p: { id: string }) => p.id);
    expect(await ids()).toContain(productId);
    expect(await ids()).toContain(productId); // kept
    expect(isKept(url)).toBe(true);
    expect(await ids()).toContain(productId); // answered from the kept list
    const { agent } = await consumerAgent(t.app); // a session cookie of its own does not change what is kept
    expect((await agent.get(url).expect(200)).body.items.map((p: { id: string }) => p.id)).toContain(productId);
    await t.container.services.products.pause(productId, '测试暂停', { kind: 'system', id: 'kept-lists-test' });
    expect(await ids()).not.toContain(productId);
  });

  it('never keeps what the route refused: the same bad URL is refused again, naming the field', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await request(t.app).get('/api/v1/products?aprMax=abc').set('Cookie', VISITOR).expect(400);
      expect(res.body.error.fields).toHaveProperty('aprMax');
    }
  });

  it('searches for an anonymous caller ahead of the stack: no session is made, and input that cannot be stored is refused, naming the field', async () => {
    const res = await request(t.app).get('/api/v1/products?q=甲银行&pageSize=3').set('Cookie', VISITOR).expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).filter((c) => c.startsWith(`${SESSION_COOKIE}=`))).toEqual([]);
    const refused = await request(t.app).get('/api/v1/products?q=%00甲').set('Cookie', VISITOR).expect(400);
    expect(refused.body.error.fields).toHaveProperty('q');
    expect(isKept('/api/v1/products?q=%00甲')).toBe(false);
  });

  it('answers a caller whose session cookie is stale through the route, with the anonymous list', async () => {
    const url = '/api/v1/products?q=甲银行&pageSize=6';
    const stale = `${VISITOR}; ${SESSION_COOKIE}=s%3Anot-a-session.bad`;
    const first = await request(t.app).get(url).set('Cookie', stale).expect(200);
    expect(first.body.items.length).toBeGreaterThan(0);
    expect(first.body.items.every((p: { odds?: unknown }) => p.odds === undefined)).toBe(true);
    const again = await request(t.app).get(url).set('Cookie', stale).expect(200);
    expect(again.text).toBe(first.text);
  });
});
