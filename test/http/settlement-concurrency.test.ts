import request from 'supertest';
import Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { withTransaction } from '../../server/lib/tx';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { staffAgent } from '../support/http';
import { intentEvent, startFakeStripe, STRIPE_TEST_ENV } from '../support/stripe-server';

/**
 * 50 identical reconciliation reports and 50 identical webhook deliveries at once: one import,
 * one payment journal. On PostgreSQL too when TEST_DATABASE_URL is set.
 */
describe.each(databaseTargets())('settlement under concurrency on $name', (target) => {
  let t: TestApp;
  let fake: Awaited<ReturnType<typeof startFakeStripe>>;
  const count = async (query: ReturnType<typeof sql>) => (await queryRows<{ n: number }>(t.container.database.db, query))[0]!.n;

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await startTestApp({ database: await target.open(), env: STRIPE_TEST_ENV(fake.base) });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('50 identical reports in parallel make one import', { timeout: 120_000 }, async () => {
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const rows = Array.from({ length: 20 }, (_, i) => ({ applicationId: `app_c${i}`, disbursedAt: '2026-08-03', amountYuan: String(1000 + i) }));
    const results = await Promise.all(Array.from({ length: 50 }, () => partner.post('/api/partner/v1/reconciliations').send({ rows })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(49);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await count(sql`select count(*)::int as n from reconciliation_imports`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from reconciliation_rows`)).toBe(20);
  });

  it('50 identical webhook deliveries in parallel post one payment', { timeout: 120_000 }, async () => {
    const { settlement, statements } = t.container.services;
    const institutionId = t.fixtures.institutionA.id;
    await withTransaction(t.container.database.db, (tx) => settlement.accrue(tx, { rule: 'cpa', applicationId: 'app_conc', institutionId, at: new Date('2026-07-04T02:00:00Z') }));
    const closed = await statements.closeMonth('2026-07', { now: new Date('2026-08-01T02:00:00+08:00'), institutionIds: [institutionId] });
    const statementId = closed.created[0]!;
    await statements.issue(statementId, { kind: 'operator', id: 'op' });
    const payload = intentEvent('evt_conc', 'payment_intent.succeeded', {
      id: 'pi_conc',
      object: 'payment_intent',
      status: 'succeeded',
      amount: 10_000,
      amount_received: 10_000,
      currency: 'cny',
      created: Math.floor(Date.now() / 1000),
      metadata: { statementId },
    });
    const signature = new Stripe('sk_test_local').webhooks.generateTestHeaderString({ payload, secret: 'whsec_test_local' });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => request(t.app).post('/webhooks/stripe').set('Stripe-Signature', signature).set('Content-Type', 'application/json').send(payload)),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.outcome === 'processed')).toHaveLength(1);
    expect(await count(sql`select count(*)::int as n from ledger_journals where source_key = 'payment:pi_conc'`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from statement_payments where statement_id = ${statementId}`)).toBe(1);
    expect((await statements.detail(statementId)).status).toBe('paid');
  });
});
