import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { startTestApp, type TestApp } from '../support/app';

const visitorCookies = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).filter((c) => c.startsWith('dc_vid='));

/** A first visit gets one visitor id: one cookie in the answer, and every event of the visit under it. */
describe('the visitor cookie', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('is set once on the first answer of each page that records events', async () => {
    for (const path of ['/', '/products', '/products?q=信用贷', `/products/${t.fixtures.institutionA.productId}`, '/api/v1/products?q=信用贷']) {
      const res = await request(t.app).get(path).expect(200);
      expect(visitorCookies(res), path).toHaveLength(1);
    }
  });

  it('keeps the events of one visit under one visitor, from the first page on', async () => {
    await t.container.services.catalogue.flushEvents();
    const [{ last }] = await queryRows<{ last: number }>(t.container.database.db, sql`select coalesce(max(id), 0)::int as last from catalogue_events`) as [{ last: number }];
    const agent = request.agent(t.app);
    const first = await agent.get('/products').query({ q: '甲银行' }).expect(200);
    expect(visitorCookies(first)).toHaveLength(1);
    const next = await agent.get(`/products/${t.fixtures.institutionA.productId}`).expect(200);
    expect(visitorCookies(next)).toHaveLength(0);
    await t.container.services.catalogue.flushEvents();
    const rows = await queryRows<{ kind: string; visitor: string }>(t.container.database.db, sql`select kind, visitor from catalogue_events where id > ${last} and kind in ('search', 'view') order by id`);
    expect(rows.map((r) => r.kind)).toEqual(['search', 'view']);
    expect(rows[0]!.visitor).toBe(rows[1]!.visitor);
  });
});
