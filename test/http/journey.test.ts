import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountBalance } from '../../server/modules/settlement/ledger';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, applicationInput, consumerAgent, staffAgent } from '../support/http';
import { acceptOffer } from '../support/offers';

describe.each(databaseTargets())('the journey through the JSON APIs on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
  });
  afterAll(() => t?.close());

  it('lists products from several institutions and shows one', async () => {
    const list = await request(t.app).get('/api/v1/products').expect(200);
    expect(list.body.total).toBe(2);
    expect(new Set(list.body.items.map((p: { institution: { name: string } }) => p.institution.name))).toEqual(new Set(['甲银行', '乙银行']));
    const one = await request(t.app).get(`/api/v1/products/${t.fixtures.institutionA.productId}`).expect(200);
    expect(one.body).toMatchObject({ name: '甲银行信用贷', amount: { min: 1000, max: 200000 }, rate: { min: 0.072, max: 0.18 } });
  });

  it('consumer applies; institution approves and disburses; operator sees history and exactly one balanced commission per rule', async () => {
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
    expect(application.status).toBe('submitted');
    // the lead delivered earns its CPL at once
    expect((await t.container.services.settlement.journalsForApplication(application.id)).map((j) => j.kind)).toEqual(['commission_cpl']);

    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const inbox = await partner.get('/api/partner/v1/leads').expect(200);
    expect(inbox.body.items.map((l: { id: string }) => l.id)).toContain(application.id);
    const lead = await partner.get(`/api/partner/v1/leads/${application.id}`).expect(200);
    // only consented fields, identifiers masked
    expect(lead.body.applicant.realName).toBe('王**');
    expect(lead.body.applicant.phone).toBe(`${consumer.phone.slice(0, 3)}****${consumer.phone.slice(-4)}`);
    expect(lead.body.applicant.idNumber).toBe(`**************${consumer.idNumber.slice(-4)}`);
    expect(lead.body.consent.fields).toContain('idNumber');
    expect(lead.body.nextStatuses).toEqual(expect.arrayContaining(['reviewing', 'approved', 'rejected']));

    await partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'reviewing' }).expect(200);
    const approved = await partner
      .post(`/api/partner/v1/leads/${application.id}/status`)
      .send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.1236 })
      .expect(200);
    expect(approved.body.commission).toMatchObject({ rule: 'cpa', amount: 100 });
    await acceptOffer(t, application.id, consumer.agent);

    const disburse = () =>
      partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'disbursed', amount: 50000 });
    const first = await disburse().expect(200);
    expect(first.body.commission).toMatchObject({ rule: 'cps', amount: 750 });
    expect(first.body.disbursement.amount).toBe(50000);
    // the same call repeated: refused as an illegal transition, nothing posted twice
    const second = await disburse().expect(409);
    expect(second.body.error.code).toBe('illegal_transition');

    const mine = await consumer.agent.get(`/api/v1/applications/${application.id}`).expect(200);
    expect(mine.body.timeline.map((e: { to: string }) => e.to)).toEqual(['submitted', 'reviewing', 'approved', 'accepted', 'disbursed']);
    // told at every step, in the app
    const told = await consumer.agent.get('/api/v1/notifications').expect(200);
    expect(told.body.unread).toBe(3);
    expect(told.body.items.map((n: { kind: string }) => n.kind)).toEqual(['application.disbursed', 'application.approved', 'application.reviewing']);
    expect(told.body.items[0].body).toContain('¥50,000.00 已放款');
    await consumer.agent.post('/api/v1/notifications/read').send({}).expect(204);
    expect((await consumer.agent.get('/api/v1/notifications').expect(200)).body.unread).toBe(0);

    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const seen = await operator.get(`/api/admin/v1/applications/${application.id}`).expect(200);
    expect(seen.body.timeline).toHaveLength(5);
    expect(seen.body.commissions.map((c: { kind: string }) => c.kind)).toEqual(['commission_cpl', 'commission_cpa', 'commission_cps']);
    for (const journal of seen.body.commissions as { entries: { amount: number }[] }[]) {
      expect(journal.entries.reduce((s, e) => s + Math.round(e.amount * 100), 0)).toBe(0);
    }
    expect(await accountBalance(t.container.database.db, `receivable:institution:${t.fixtures.institutionA.id}`)).toBe(2_000 + 10_000 + 75_000);
    const all = await operator.get('/api/admin/v1/applications').expect(200);
    expect(all.body.items.map((a: { id: string }) => a.id)).toContain(application.id);
  });

  it('a disbursement called concurrently posts one commission', async () => {
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, t.fixtures.institutionB.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    await partner
      .post(`/api/partner/v1/leads/${application.id}/status`)
      .send({ status: 'approved', offeredAmount: 20000, offeredTermMonths: 12, offeredApr: 0.1 })
      .expect(200);
    await acceptOffer(t, application.id);
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'disbursed', amount: 20000 }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const journals = await t.container.services.settlement.journalsForApplication(application.id);
    expect(journals.filter((j) => j.kind === 'commission_cps')).toHaveLength(1);
    expect(journals.find((j) => j.kind === 'commission_cps')!.entries.map((e) => e.amountFen).sort((a, b) => a - b)).toEqual([-30_000, 30_000]);
  });

  it('the same Idempotency-Key twice creates one application; another body with it is a 409', async () => {
    const consumer = await consumerAgent(t.app);
    const key = randomUUID();
    const body = applicationInput(t.fixtures.institutionA.productId, t.fixtures.institutionA.id);
    const first = await consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send(body).expect(201);
    const replay = await consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send(body).expect(201);
    expect(replay.body.applications[0].id).toBe(first.body.applications[0].id);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const other = await consumer.agent
      .post('/api/v1/applications')
      .set('Idempotency-Key', key)
      .send({ ...body, purpose: '消费' })
      .expect(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    const list = await consumer.agent.get('/api/v1/applications').expect(200);
    expect(list.body.items).toHaveLength(1);
  });

  it('the same JSON with its keys in another order is the same request: replayed, not a 409', async () => {
    const consumer = await consumerAgent(t.app);
    const key = randomUUID();
    const body = applicationInput(t.fixtures.institutionA.productId, t.fixtures.institutionA.id);
    const reordered = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reordered) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reordered(x)])) : v;
    expect(JSON.stringify(reordered(body))).not.toBe(JSON.stringify(body));
    const first = await consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send(body).expect(201);
    const replay = await consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send(reordered(body) as object).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.applications[0].id).toBe(first.body.applications[0].id);
  });

  it('a refused request leaves its key free for the corrected one; a 409 is kept and replayed', async () => {
    const consumer = await consumerAgent(t.app);
    const key = randomUUID();
    const body = applicationInput(t.fixtures.institutionB.productId, t.fixtures.institutionB.id);
    const wrong = await consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send({ ...body, products: [] }).expect(400);
    expect(wrong.body.error.code).toBe('validation_failed');
    // the same mistake again is checked again, not replayed
    const again = await consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send({ ...body, products: [] }).expect(400);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    const corrected = await consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send(body).expect(201);
    expect(corrected.body.applications).toHaveLength(1);

    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const leadKey = randomUUID();
    const lead = `/api/partner/v1/leads/${corrected.body.applications[0].id}/status`;
    const conflict = await partner.post(lead).set('Idempotency-Key', leadKey).send({ status: 'disbursed', amount: 20000 }).expect(409);
    const replayed = await partner.post(lead).set('Idempotency-Key', leadKey).send({ amount: 20000, status: 'disbursed' }).expect(409);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(conflict.body);
  });

  it('concurrent requests with one Idempotency-Key create one application', async () => {
    const consumer = await consumerAgent(t.app);
    const key = randomUUID();
    const body = applicationInput(t.fixtures.institutionB.productId, t.fixtures.institutionB.id);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send(body)),
    );
    const created = new Set(results.filter((r) => r.status === 201).map((r) => r.body.applications[0].id));
    expect(created.size).toBe(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    const list = await consumer.agent.get('/api/v1/applications').expect(200);
    expect(list.body.items).toHaveLength(1);
  });

  it('the consumer can withdraw, and then nobody can move it', async () => {
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const withdrawn = await consumer.agent.post(`/api/v1/applications/${application.id}/withdraw`).send({}).expect(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'reviewing' }).expect(409);
  });
});

describe('expiry', () => {
  it('expires applications with no progress for 30 days, once, and tells the consumer', async () => {
    const t = await startTestApp();
    try {
      const consumer = await consumerAgent(t.app);
      const old = await apply(consumer.agent, t.fixtures.institutionA.productId);
      const fresh = await apply(consumer.agent, t.fixtures.institutionB.productId);
      await t.container.database.db.execute(sql`update applications set updated_at = now() - interval '31 days' where id = ${old.id}`);
      expect(await t.container.services.applications.expireStale()).toBe(1);
      expect(await t.container.services.applications.expireStale()).toBe(0); // running it again changes nothing
      expect((await consumer.agent.get(`/api/v1/applications/${old.id}`).expect(200)).body.status).toBe('expired');
      expect((await consumer.agent.get(`/api/v1/applications/${fresh.id}`).expect(200)).body.status).toBe('submitted');
      expect((await consumer.agent.get('/api/v1/notifications').expect(200)).body.items[0].kind).toBe('application.expired');
    } finally {
      await t.close();
    }
  });
});
