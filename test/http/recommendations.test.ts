import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { apply, consumerAgent } from '../support/http';

/** The product ids a recommendations page shows (each card carries its id). */
const recommended = (html: string) => [...html.matchAll(/data-product-id="([^"]+)"/g)].map((m) => m[1]);

describe('recommendations leave out what the borrower already has, and say why a list is empty', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('a product applied for is no longer recommended; an empty list names each reason with its count', async () => {
    const { productId } = t.fixtures.institutionA;
    const consumer = await consumerAgent(t.app);
    const before = recommended((await consumer.agent.get('/recommendations').expect(200)).text);
    expect(before).toContain(productId);

    await apply(consumer.agent, productId);
    const after = recommended((await consumer.agent.get('/recommendations').expect(200)).text);
    expect(after).not.toContain(productId);
    expect(after.length).toBe(before.length - 1);

    // a term no product lends for: nothing left, and the page says why, counting what was left out
    const empty = (await consumer.agent.get('/recommendations').query({ termMonths: 7 }).expect(200)).text;
    expect(recommended(empty)).toEqual([]);
    expect(empty).toContain('data-testid="empty-because"');
    expect(empty).toContain('你已申请或正在借款的 1 款产品不再推荐');
    expect(empty).toMatch(/\d+ 款产品不提供 7 期/);
  });

  it('another borrower still sees it: only your own applications are left out', async () => {
    const other = await consumerAgent(t.app);
    const { productId } = t.fixtures.institutionA;
    expect(recommended((await other.agent.get('/recommendations').expect(200)).text)).toContain(productId);
  });

  it('the API leaves them out too and counts what it left out, by reason', async () => {
    const { productId } = t.fixtures.institutionA;
    const consumer = await consumerAgent(t.app);
    const ids = (body: { items: { product: { id: string } }[] }) => body.items.map((i) => i.product.id);
    const before = (await consumer.agent.get('/api/v1/recommendations').query({ limit: 20 }).expect(200)).body;
    expect(ids(before)).toContain(productId);
    expect(before.leftOut.taken).toBe(0);

    await apply(consumer.agent, productId);
    const after = (await consumer.agent.get('/api/v1/recommendations').query({ limit: 20 }).expect(200)).body;
    expect(ids(after)).not.toContain(productId);
    expect(after.leftOut).toEqual({ ...before.leftOut, taken: 1 });

    // anonymous: nothing is "taken"
    const anonymous = (await request(t.app).get('/api/v1/recommendations').query({ limit: 20 }).expect(200)).body;
    expect(anonymous.leftOut.taken).toBe(0);
  });
});
