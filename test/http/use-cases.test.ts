import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../server/db/client';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { ALL_FIELDS, consumerAgent, csrfFrom, newIdNumber, newPhone, register, smsCode, AGREED_FORM } from '../support/http';
import type { AuditService } from '../../server/modules/audit';

type Agent = ReturnType<typeof request.agent>;

/**
 * One use case, two doors: the page (a form post) and the JSON API call the same service method,
 * so each leaves the same rows, the same audit action and the same risk record.
 */
describe('use cases: the page door and the API door have the same effect', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const db = () => t.container.database.db;
  const auditActions = async (accountId: string) => (await t.container.services.audit.forObject('account', accountId)).map((r) => r.action).sort();
  const riskSignals = async (accountId: string) =>
    (await queryRows<{ kind: string }>(db(), sql`select kind from risk_signals where account_id = ${accountId} order by kind`)).map((r) => r.kind);
  const riskFlags = async (accountId: string) =>
    (await queryRows<{ code: string }>(db(), sql`select code from risk_flags where account_id = ${accountId} order by code`)).map((r) => r.code);
  const formToken = async (agent: Agent, path: string) => csrfFrom((await agent.get(path).expect(200)).text);
  const accountIdOf = async (agent: Agent) => (await agent.get('/api/v1/me').expect(200)).body.account.id as string;

  async function registerByPage(): Promise<{ agent: Agent; id: string }> {
    const agent = request.agent(t.app);
    const phone = newPhone();
    const code = await smsCode(t.app, phone);
    const csrf1 = await formToken(agent, '/register');
    await agent
      .post('/register')
      .type('form')
      .send({ _csrf: csrf1, phone, code, password: PASSWORD, ...AGREED_FORM })
      .expect(303);
    return { agent, id: await accountIdOf(agent) };
  }

  async function registerByApi(): Promise<{ agent: Agent; id: string }> {
    const agent = request.agent(t.app);
    const res = await register(agent, t.app);
    expect(res.status).toBe(201);
    return { agent, id: res.body.account.id as string };
  }

  it('register: the account, its registration risk signal and the account.registered audit row', async () => {
    const page = await registerByPage();
    const api = await registerByApi();
    for (const who of [page, api]) {
      expect(await auditActions(who.id)).toEqual(['account.registered']);
      expect(await riskSignals(who.id)).toEqual(['registration']);
      const [row] = await queryRows<{ actor_kind: string; actor_id: string }>(db(), sql`select actor_kind, actor_id from audit_log where object_id = ${who.id}`);
      expect(row).toEqual({ actor_kind: 'consumer', actor_id: who.id });
    }
  });

  it('password change: audited, this session kept, every other one ended', async () => {
    const page = await registerByPage();
    const api = await registerByApi();
    const csrf2 = await formToken(page.agent, '/account/security');
    await page.agent
      .post('/account/password')
      .type('form')
      .send({ _csrf: csrf2, currentPassword: PASSWORD, password: 'Another1pass' })
      .expect(303);
    await api.agent.post('/api/v1/auth/password/change').send({ currentPassword: PASSWORD, password: 'Another1pass' }).expect(204);
    for (const who of [page, api]) {
      await who.agent.get('/api/v1/me').expect(200);
      expect(await auditActions(who.id)).toEqual(['account.password_changed', 'account.registered']);
    }
  });

  it('log out everywhere: audited, and the session is over', async () => {
    const page = await registerByPage();
    const api = await registerByApi();
    const csrf3 = await formToken(page.agent, '/account/security');
    await page.agent
      .post('/account/logout-everywhere')
      .type('form')
      .send({ _csrf: csrf3 })
      .expect(303);
    await api.agent.post('/api/v1/auth/logout-everywhere').send({}).expect(204);
    for (const who of [page, api]) {
      await who.agent.get('/api/v1/me').expect(401);
      expect(await auditActions(who.id)).toEqual(['account.logout_everywhere', 'account.registered']);
    }
  });

  describe('profile update: a field given is saved, a blank (null) clears it, a field left out is kept', () => {
    const start = { city: '杭州', employment: '上班族', monthlyIncome: 12000, housing: '租房', creditSelfAssessment: 'good' };
    const expected = { city: '上海', employment: null, monthlyIncome: 12000, housing: '租房', creditSelfAssessment: 'good' };

    it('through the page door (the profile form)', async () => {
      const { agent, id } = await registerByApi();
      await agent.put('/api/v1/profile').send(start).expect(200);
      // a form that sends the city and a blanked employment, and leaves the other fields out
      const csrf4 = await formToken(agent, '/profile');
      await agent
        .post('/profile')
        .type('form')
        .send({ _csrf: csrf4, city: '上海', employment: '' })
        .expect(303);
      expect((await agent.get('/api/v1/profile').expect(200)).body).toMatchObject(expected);
      expect(await auditActions(id)).toEqual(['account.registered', 'profile.updated', 'profile.updated']);
    });

    it('through the API door (PUT /api/v1/profile)', async () => {
      const { agent, id } = await registerByApi();
      await agent.put('/api/v1/profile').send(start).expect(200);
      await agent.put('/api/v1/profile').send({ city: '上海', employment: null }).expect(200);
      expect((await agent.get('/api/v1/profile').expect(200)).body).toMatchObject(expected);
      expect(await auditActions(id)).toEqual(['account.registered', 'profile.updated', 'profile.updated']);
    });
  });

  it('identity check: the identity, the age in the profile and identity.verified; an ID already in use flags the account on either door', async () => {
    const page = await registerByApi();
    const api = await registerByApi();
    const pageId = newIdNumber();
    const apiId = newIdNumber();
    const csrf5 = await formToken(page.agent, '/verify');
    await page.agent
      .post('/verify')
      .type('form')
      .send({ _csrf: csrf5, realName: '赵六', idNumber: pageId })
      .expect(303);
    await api.agent.post('/api/v1/identity').send({ realName: '赵六', idNumber: apiId }).expect(201);
    for (const who of [page, api]) {
      expect((await who.agent.get('/api/v1/identity').expect(200)).body).toMatchObject({ verified: true, realNameMasked: '赵*' });
      expect((await who.agent.get('/api/v1/profile').expect(200)).body.age).toEqual(expect.any(Number));
      expect(await auditActions(who.id)).toEqual(['account.registered', 'identity.verified']);
    }

    const pageTaken = await registerByApi();
    const apiTaken = await registerByApi();
    const csrf6 = await formToken(pageTaken.agent, '/verify');
    const refused = await pageTaken.agent
      .post('/verify')
      .type('form')
      .send({ _csrf: csrf6, realName: '赵六', idNumber: pageId })
      .expect(409);
    expect(refused.text).toContain('该身份证号已被其他账号认证');
    await apiTaken.agent.post('/api/v1/identity').send({ realName: '赵六', idNumber: apiId }).expect(409);
    for (const who of [pageTaken, apiTaken]) {
      expect((await who.agent.get('/api/v1/identity').expect(200)).body).toEqual({ verified: false });
      expect(await riskFlags(who.id)).toEqual(['id_phone_mismatch']);
      expect(await auditActions(who.id)).toEqual(['account.registered', 'identity.id_in_use']);
    }
  });

  it('apply: the application, its application.created audit row, its risk signal and the catalogue apply event', async () => {
    const { productId, id: institutionId } = { productId: t.fixtures.institutionA.productId, id: t.fixtures.institutionA.id };
    const page = await consumerAgent(t.app);
    const api = await consumerAgent(t.app);
    const pageForm = await page.agent.get(`/apply?products=${productId}`).expect(200);
    await page.agent
      .post('/apply')
      .type('form')
      .send({ _csrf: csrfFrom(pageForm.text), idempotencyKey: randomUUID(), purpose: '装修', productId, amount: '20000', termMonths: '12', consent: institutionId })
      .expect(303);
    await api.agent
      .post('/api/v1/applications')
      .set('Idempotency-Key', randomUUID())
      .send({ products: [{ productId, amount: 20000, termMonths: 12 }], purpose: '装修', consents: [{ institutionId, fields: ALL_FIELDS }] })
      .expect(201);
    await t.container.services.catalogue.flushEvents();
    const events = await queryRows<{ product_id: string; channel: string }>(db(), sql`select product_id, channel from catalogue_events where kind = 'apply' order by channel`);
    expect(events).toEqual([
      { product_id: productId, channel: 'api' },
      { product_id: productId, channel: 'web' },
    ]);
    for (const who of [page, api]) {
      const [app] = (await who.agent.get('/api/v1/applications').expect(200)).body.items as { id: string; status: string }[];
      expect(app).toBeTruthy();
      const created = await queryRows<{ action: string; actor_id: string }>(db(), sql`select action, actor_id from audit_log where object_type = 'application' and object_id = ${app!.id}`);
      expect(created).toEqual([{ action: 'application.created', actor_id: who.id }]);
      const signals = await queryRows<{ kind: string; application_id: string }>(db(), sql`select kind, application_id from risk_signals where account_id = ${who.id} and kind = 'application'`);
      expect(signals).toEqual([{ kind: 'application', application_id: app!.id }]);
    }
  });

  describe('a write and its audit record commit together', () => {
    /** The next audit record is written, then the use case crashes inside its transaction. */
    function crashAfterNextAudit(audit: AuditService) {
      const real = audit.record.bind(audit);
      return vi.spyOn(audit, 'record').mockImplementationOnce(async (...args: Parameters<AuditService['record']>) => {
        await real(...args);
        throw new Error('crash after the audit insert');
      });
    }
    const auditOf = async (objectType: string, id: string) =>
      (await queryRows<{ action: string }>(db(), sql`select action from audit_log where object_type = ${objectType} and object_id = ${id}`)).map((r) => r.action);

    it('product: a crash after the audit leaves no version and no audit row; without one both are there', async () => {
      const { products, catalogue, audit } = t.container.services;
      const { id: institutionId, productId } = t.fixtures.institutionB;
      const actor = { kind: 'institution' as const, id: 'staff-under-test' };
      const params = products.paramsOf(await catalogue.get(productId));
      const spy = crashAfterNextAudit(audit);
      await expect(products.saveDraft(institutionId, productId, params, actor)).rejects.toThrow('crash after the audit insert');
      spy.mockRestore();
      expect(await products.versions(productId)).toEqual([]);
      expect(await auditOf('product', productId)).toEqual([]);

      const saved = await products.saveDraft(institutionId, productId, params, actor);
      expect((await products.versions(productId)).map((v) => [v.version, v.status])).toEqual([
        [saved.version, 'draft'],
        [1, 'approved'],
      ]);
      expect(await auditOf('product', productId)).toEqual(['product.version_saved']);
    });

    it('consent: a crash after the audit leaves the consent in force and no audit row; without one both are there', async () => {
      const { consents, audit } = t.container.services;
      const consumer = await consumerAgent(t.app);
      await consumer.agent
        .post('/api/v1/applications')
        .set('Idempotency-Key', randomUUID())
        .send({ products: [{ productId: t.fixtures.institutionA.productId, amount: 20000, termMonths: 12 }], purpose: '装修', consents: [{ institutionId: t.fixtures.institutionA.id, fields: ALL_FIELDS }] })
        .expect(201);
      const consumerId = await accountIdOf(consumer.agent);
      const [consent] = (await consumer.agent.get('/api/v1/data-releases').expect(200)).body.items as { consentId: string }[];
      const actor = { kind: 'consumer' as const, id: consumerId };
      const spy = crashAfterNextAudit(audit);
      await expect(consents.withdraw(consumerId, consent!.consentId, actor)).rejects.toThrow('crash after the audit insert');
      spy.mockRestore();
      expect((await consents.get(consent!.consentId))?.withdrawnAt).toBeNull();
      expect(await auditOf('consent', consent!.consentId)).toEqual([]);

      expect((await consents.withdraw(consumerId, consent!.consentId, actor)).withdrawnAt).toBeTruthy();
      expect(await auditOf('consent', consent!.consentId)).toEqual(['consent.withdrawn']);
    });
  });
});
