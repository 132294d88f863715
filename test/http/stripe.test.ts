import request from 'supertest';
import Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { withTransaction } from '../../server/lib/tx';
import { allJobs } from '../../server/jobs/registry';
import { startTestApp, type TestApp } from '../support/app';
import { csrfFrom, staffAgent } from '../support/http';
import { intentEvent, startFakeStripe, STRIPE_TEST_ENV, type FakeIntent } from '../support/stripe-server';

const secret = 'whsec_test_local';
const sign = (payload: string, timestamp?: number) => new Stripe('sk_test_local').webhooks.generateTestHeaderString({ payload, secret, timestamp });

describe('statement payment by Stripe', () => {
  let t: TestApp;
  let fake: Awaited<ReturnType<typeof startFakeStripe>>;
  let statementId: string;
  let draftId: string;

  const deliver = (payload: string, signature = sign(payload)) =>
    request(t.app).post('/webhooks/stripe').set('Stripe-Signature', signature).set('Content-Type', 'application/json').send(payload);
  const intent = (id: string, status: string, statement: string, amount = 42_000): FakeIntent => ({
    id,
    object: 'payment_intent',
    status,
    amount,
    amount_received: status === 'succeeded' ? amount : 0,
    currency: 'cny',
    created: Math.floor(Date.now() / 1000),
    metadata: { statementId: statement },
  });
  const paymentJournals = async (pi: string) =>
    (await queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from ledger_journals where source_key = ${`payment:${pi}`}`))[0]!.n;
  const statusOf = async (id: string) => (await t.container.services.statements.detail(id)).status;

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await startTestApp({ env: { ...STRIPE_TEST_ENV(fake.base), PUBLIC_URL: 'https://daichao.example' } });
    const { settlement, statements } = t.container.services;
    for (const [institutionId, app] of [
      [t.fixtures.institutionA.id, 'app_p1'],
      [t.fixtures.institutionB.id, 'app_p2'],
    ] as const) {
      await withTransaction(t.container.database.db, async (tx) => {
        await settlement.accrue(tx, { rule: 'cpl', applicationId: app, institutionId, at: new Date('2026-07-03T02:00:00Z') });
        await settlement.accrue(tx, { rule: 'cpa', applicationId: app, institutionId, at: new Date('2026-07-04T02:00:00Z') });
        await settlement.accrue(tx, { rule: 'cps', applicationId: app, institutionId, at: new Date('2026-07-05T02:00:00Z'), baseAmountFen: 2_000_000 });
      });
    }
    const closed = await statements.closeMonth('2026-07', { now: new Date('2026-08-01T02:00:00+08:00') });
    const a = await statements.list({ institutionId: t.fixtures.institutionA.id });
    expect(a).toHaveLength(0); // drafts are hidden
    [statementId, draftId] = await Promise.all(
      [t.fixtures.institutionA.id, t.fixtures.institutionB.id].map(async (id) => (await statements.list({ period: '2026-07' })).find((s) => s.institutionId === id)!.id),
    ) as [string, string];
    expect(closed.created).toHaveLength(2);
    await statements.issue(statementId, { kind: 'operator', id: 'op' });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('the pay button starts a Checkout Session for the statement amount in CNY, once per statement', async () => {
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const page = await partner.get(`/partner/statements/${statementId}/pay`).expect(200);
    expect(page.text).toContain('在线支付（Stripe）');
    const csrf = csrfFrom(page.text);
    const first = await partner.post(`/partner/statements/${statementId}/pay`).set('Host', 'evil.example').type('form').send({ _csrf: csrf }).expect(303);
    const second = await partner.post(`/partner/statements/${statementId}/pay`).type('form').send({ _csrf: csrf }).expect(303);
    expect(first.headers.location).toBe(`${fake.base}/pay/cs_test_1`);
    expect(second.headers.location).toBe(first.headers.location);
    expect(fake.sessions).toHaveLength(1);
    expect(fake.sessions[0]!.idempotencyKey).toBe(`statement:${statementId}:42000`);
    expect(fake.sessions[0]!.params).toMatchObject({
      'line_items[0][price_data][currency]': 'cny',
      'line_items[0][price_data][unit_amount]': '42000',
      'payment_intent_data[metadata][statementId]': statementId,
      // Stripe sends the payer back to PUBLIC_URL, never to the request's Host
      success_url: `https://daichao.example/partner/statements/${statementId}?paid=1`,
      cancel_url: `https://daichao.example/partner/statements/${statementId}/pay`,
    });
    // another institution's statement: 404
    const other = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const otherPage = await other.get('/partner/statements').expect(200);
    await other.post(`/partner/statements/${statementId}/pay`).type('form').send({ _csrf: csrfFrom(otherPage.text) }).expect(404);
  });

  it('refuses a bad signature and a stale timestamp with 400', async () => {
    const payload = intentEvent('evt_bad', 'payment_intent.succeeded', intent('pi_bad', 'succeeded', statementId));
    await deliver(payload, sign(payload).replace(/v1=[0-9a-f]+/, 'v1=' + '0'.repeat(64))).expect(400);
    await deliver(payload, sign(payload, Math.floor(Date.now() / 1000) - 3600)).expect(400);
    await request(t.app).post('/webhooks/stripe').set('Content-Type', 'application/json').send(payload).expect(400);
    expect(await paymentJournals('pi_bad')).toBe(0);
  });

  it('posts a success once, acknowledges duplicates, and a late processing never overrides succeeded', async () => {
    const processing = intentEvent('evt_1', 'payment_intent.processing', intent('pi_1', 'processing', statementId));
    const succeeded = intentEvent('evt_2', 'payment_intent.succeeded', intent('pi_1', 'succeeded', statementId));
    expect((await deliver(succeeded).expect(200)).body.outcome).toBe('processed');
    expect((await deliver(succeeded).expect(200)).body.outcome).toBe('duplicate');
    expect((await deliver(processing).expect(200)).body.outcome).toBe('processed'); // out of order, arrives late
    expect(await statusOf(statementId)).toBe('paid');
    expect(await paymentJournals('pi_1')).toBe(1);
    const [pi] = await queryRows<{ status: string }>(t.container.database.db, sql`select status from stripe_payment_intents where id = 'pi_1'`);
    expect(pi!.status).toBe('succeeded');
    // the same PaymentIntent in another event (e.g. charge retried) posts nothing more
    expect((await deliver(intentEvent('evt_3', 'payment_intent.succeeded', intent('pi_1', 'succeeded', statementId))).expect(200)).body.outcome).toBe('processed');
    expect(await paymentJournals('pi_1')).toBe(1);
  });

  it('a failure answers 5xx and leaves no trace, so the retried delivery is processed', async () => {
    const payload = intentEvent('evt_draft', 'payment_intent.succeeded', intent('pi_draft', 'succeeded', draftId));
    await deliver(payload).expect(500); // the statement was never issued
    expect(await paymentJournals('pi_draft')).toBe(0);
    await t.container.services.statements.issue(draftId, { kind: 'operator', id: 'op' });
    expect((await deliver(payload).expect(200)).body.outcome).toBe('processed');
    expect(await statusOf(draftId)).toBe('paid');
  });

  it('stripe-reconcile marks paid a statement whose webhook was lost', async () => {
    const { statements, settlement } = t.container.services;
    await withTransaction(t.container.database.db, (tx) =>
      settlement.accrue(tx, { rule: 'cpa', applicationId: 'app_lost', institutionId: t.fixtures.institutionA.id, at: new Date('2026-08-04T02:00:00Z') }),
    );
    const closed = await statements.closeMonth('2026-08', { now: new Date('2026-09-01T02:00:00+08:00'), institutionIds: [t.fixtures.institutionA.id] });
    const lost = closed.created[0]!;
    await statements.issue(lost, { kind: 'operator', id: 'op' });
    fake.intents.push(intent('pi_lost', 'succeeded', lost, 10_000), intent('pi_open', 'requires_payment_method', lost, 10_000));
    const job = allJobs(t.container.services).find((j) => j.name === 'stripe-reconcile')!;
    const run = await job.run({ now: new Date(), signal: new AbortController().signal });
    expect(run).toMatchObject({ processed: 1 });
    expect(await statusOf(lost)).toBe('paid');
    expect((await job.run({ now: new Date(), signal: new AbortController().signal })).processed).toBe(0);
    expect(await paymentJournals('pi_lost')).toBe(1);
  });
});
