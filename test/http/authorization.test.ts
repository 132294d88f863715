import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, consumerAgent, staffAgent } from '../support/http';

describe.each(databaseTargets())('who may see and change what, on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
  });
  afterAll(() => t?.close());

  it('a consumer cannot read another consumer’s application (404, API and page)', async () => {
    const alice = await consumerAgent(t.app);
    const bob = await consumerAgent(t.app);
    const app = await apply(alice.agent, t.fixtures.institutionA.productId);
    await alice.agent.get(`/api/v1/applications/${app.id}`).expect(200);
    const res = await bob.agent.get(`/api/v1/applications/${app.id}`).expect(404);
    expect(res.body.error.code).toBe('not_found');
    await bob.agent.get(`/applications/${app.id}`).expect(404);
    await bob.agent.post(`/api/v1/applications/${app.id}/withdraw`).send({}).expect(404);
    const list = await bob.agent.get('/api/v1/applications').expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('institution B can neither see nor change institution A’s lead', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const inbox = await b.get('/api/partner/v1/leads').expect(200);
    expect(inbox.body.items.map((l: { id: string }) => l.id)).not.toContain(app.id);
    await b.get(`/api/partner/v1/leads/${app.id}`).expect(404);
    await b.post(`/api/partner/v1/leads/${app.id}/status`).send({ status: 'reviewing' }).expect(404);
    await b.get(`/partner/leads/${app.id}`).expect(404);
    const mine = await consumer.agent.get(`/api/v1/applications/${app.id}`).expect(200);
    expect(mine.body.status).toBe('submitted');
  });

  it('an institution API key works for its own leads only, and a bad key is a 401', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const keyA = await t.container.services.institutions.createApiKey(t.fixtures.institutionA.id, 'test', { kind: 'system' });
    const keyB = await t.container.services.institutions.createApiKey(t.fixtures.institutionB.id, 'test', { kind: 'system' });
    const asA = await request(t.app).get('/api/partner/v1/leads').set('Authorization', `Bearer ${keyA.key}`).expect(200);
    expect(asA.body.items.map((l: { id: string }) => l.id)).toContain(app.id);
    await request(t.app)
      .post(`/api/partner/v1/leads/${app.id}/status`)
      .set('Authorization', `Bearer ${keyA.key}`)
      .send({ status: 'reviewing' })
      .expect(200);
    await request(t.app).get(`/api/partner/v1/leads/${app.id}`).set('Authorization', `Bearer ${keyB.key}`).expect(404);
    const bad = await request(t.app).get('/api/partner/v1/leads').set('Authorization', `Bearer ${keyA.key.slice(0, -2)}xx`).expect(401);
    expect(bad.body.error.code).toBe('unauthenticated');
  });

  it('unauthenticated: 401 from the APIs, a redirect to the right login from pages', async () => {
    for (const path of ['/api/v1/applications', '/api/v1/me', '/api/partner/v1/leads', '/api/admin/v1/applications']) {
      const res = await request(t.app).get(path).expect(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
    await request(t.app).post('/api/v1/applications').send({}).expect(401);
    const pages: [string, string][] = [
      ['/applications', '/login?next=%2Fapplications'],
      [`/apply/${t.fixtures.institutionA.productId}`, '/login?next='],
      ['/partner/leads', '/partner/login?next=%2Fpartner%2Fleads'],
      ['/admin', '/admin/login?next=%2Fadmin'],
    ];
    for (const [path, target] of pages) {
      const res = await request(t.app).get(path).expect(303);
      expect(res.headers.location).toContain(target);
    }
  });

  it('a consumer session does not open the partner or admin surfaces', async () => {
    const consumer = await consumerAgent(t.app);
    await consumer.agent.get('/api/partner/v1/leads').expect(401);
    await consumer.agent.get('/api/admin/v1/applications').expect(401);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await partner.get('/api/admin/v1/applications').expect(401);
    await partner.get('/api/v1/applications').expect(401);
  });

  it('reading a lead and an application is audited', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const a = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await a.get(`/api/partner/v1/leads/${app.id}`).expect(200);
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    await operator.get(`/api/admin/v1/applications/${app.id}`).expect(200);
    const rows = await t.container.services.audit.forObject('application', app.id);
    expect(rows.map((r) => r.action).sort()).toEqual(['application.created', 'application.viewed', 'lead.viewed']);
    expect(rows.find((r) => r.action === 'lead.viewed')?.actorKind).toBe('institution');
  });
});
