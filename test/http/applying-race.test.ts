import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { ALL_FIELDS, consumerAgent } from '../support/http';

/**
 * Submissions of one borrower run one at a time (a lock taken with the transaction's begin), so
 * the 30-day duplicate check cannot race: through the real app, on PGlite and on the PostgreSQL
 * server when TEST_DATABASE_URL is set (where the two requests really run at the same time).
 */
describe.each(databaseTargets())('two submissions at once ($name)', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
  }, 60_000);
  afterAll(() => t?.close());

  it('to the same product: one applies, the other is refused as its duplicate (409), one application stored', async () => {
    const consumer = await consumerAgent(t.app);
    const productId = t.fixtures.institutionA.productId;
    const body = {
      products: [{ productId, amount: 20000, termMonths: 6 }],
      purpose: '消费',
      consents: [{ institutionId: t.fixtures.institutionA.id, fields: ALL_FIELDS }],
    };
    for (let round = 0; round < 3; round++) {
      if (round > 0) await t.container.database.db.execute(sql`update applications set status = 'withdrawn' where consumer_id = ${consumer.id}`);
      const both = await Promise.all([0, 1].map(() => consumer.agent.post('/api/v1/applications').set('Idempotency-Key', randomUUID()).send(body)));
      expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
      const made = both.find((r) => r.status === 201)!;
      const refused = both.find((r) => r.status === 409)!;
      expect(made.body.applications).toHaveLength(1);
      expect(refused.body.error).toMatchObject({ code: 'nothing_submitted', fields: { [productId]: '30 天内已申请过该产品，请查看已有申请' } });
    }
    const [row] = await queryRows<{ live: number; all: number }>(
      t.container.database.db,
      sql`select count(*) filter (where status <> 'withdrawn')::int as live, count(*)::int as all from applications where consumer_id = ${consumer.id} and product_id = ${productId}`,
    );
    expect(row).toEqual({ live: 1, all: 3 });
  });
});
