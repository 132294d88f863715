import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';
import { PASSWORD } from '../support/fixtures';

const approval = { status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.12 };

/** Maker-checker approvals (复核): above the institution's threshold an approval waits for a second staff member. */
describe.each(databaseTargets())('maker-checker approvals on $name', { timeout: 240_000 }, (target) => {
  let t: TestApp;
  let maker: request.Agent;
  let checker: request.Agent;
  let handler: request.Agent;
  let otherInstitution: request.Agent;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
    const { accounts } = t.container.services;
    const inst = t.fixtures.institutionA.id;
    await accounts.createStaff({ kind: 'institution', username: 'a.checker', password: PASSWORD, displayName: '甲复核员', role: 'admin', institutionId: inst });
    await accounts.createStaff({ kind: 'institution', username: 'a.handler', password: PASSWORD, displayName: '甲线索专员', role: 'lead_handler', institutionId: inst });
    maker = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    checker = await staffAgent(t.app, 'partner', 'a.checker');
    handler = await staffAgent(t.app, 'partner', 'a.handler');
    otherInstitution = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    await accounts.createStaff({ kind: 'institution', username: 'a.checker2', password: PASSWORD, displayName: '甲复核员二', role: 'admin', institutionId: inst });
    await maker.put('/api/partner/v1/approval-policy').send({ threshold: 30000 }).expect(200);
  }, 600_000);
  afterAll(() => t?.close());

  const newLead = async () => (await apply((await consumerAgent(t.app)).agent, t.fixtures.institutionA.productId)).id;

  it('the threshold is an admin setting, audited; a lead handler may not change it', async () => {
    expect((await maker.get('/api/partner/v1/approval-policy').expect(200)).body).toEqual({ threshold: 30000 });
    await handler.put('/api/partner/v1/approval-policy').send({ threshold: 1 }).expect(403);
    const bad = await maker.put('/api/partner/v1/approval-policy').send({ threshold: -5 }).expect(400);
    expect(bad.body.error.fields.threshold).toBeTruthy();
    const audit = await t.container.services.audit.recentActions('approval_policy.changed');
    expect(audit.some((a) => a.objectId === t.fixtures.institutionA.id)).toBe(true);
  });

  it('an approval above the threshold waits (202); the same person cannot confirm it (403); another confirms and it takes effect once', async () => {
    const borrower = await consumerAgent(t.app);
    const { id } = await apply(borrower.agent, t.fixtures.institutionA.productId);
    const sent = await maker.post(`/api/partner/v1/leads/${id}/status`).send(approval).expect(202);
    expect(sent.body).toMatchObject({ status: 'submitted', commission: null, review: { status: 'pending' } });
    // nothing else moves the lead while it waits
    const blocked = await maker.post(`/api/partner/v1/leads/${id}/status`).send({ status: 'rejected', reason: 'income' }).expect(409);
    expect(blocked.body.error.code).toBe('review_pending');
    const queue = await checker.get('/api/partner/v1/approval-reviews').expect(200);
    const review = queue.body.items.find((r: { applicationId: string }) => r.applicationId === id);
    expect(review).toMatchObject({ amount: 50000, termMonths: 12, apr: 0.12, status: 'pending', maker: { name: '甲银行员工' }, checker: null });
    // the maker may not confirm their own approval, by page or API
    const own = await maker.post(`/api/partner/v1/approval-reviews/${review.id}/confirm`).send({}).expect(403);
    expect(own.body.error.code).toBe('two_person_rule');
    expect(own.body.error.message).toContain('不能复核自己提交的批准');
    // a lead handler holds no leads.confirm; another institution cannot see it
    await handler.post(`/api/partner/v1/approval-reviews/${review.id}/confirm`).send({}).expect(403);
    await otherInstitution.post(`/api/partner/v1/approval-reviews/${review.id}/confirm`).send({}).expect(404);
    const confirmed = await checker.post(`/api/partner/v1/approval-reviews/${review.id}/confirm`).send({}).expect(200);
    expect(confirmed.body).toMatchObject({ status: 'approved', commission: { rule: 'cpa' } });
    await checker.post(`/api/partner/v1/approval-reviews/${review.id}/confirm`).send({}).expect(409);
    // both names on the lead: the event carries them, the portal's timeline shows them
    const events = (await t.container.services.applications.getLead(t.fixtures.institutionA.id, id, { kind: 'system' })).events;
    const approved = events.find((e) => e.toStatus === 'approved');
    expect(approved?.data.review).toMatchObject({ makerName: '甲银行员工', checkerName: '甲复核员' });
    const page = await maker.get(`/partner/leads/${id}`).expect(200);
    expect(page.text).toMatch(/经办人 甲银行员工；复核人 甲复核员/);
    // the borrower got the offer and its notification
    const notes = await t.container.services.notifications.list(borrower.id);
    expect(notes.filter((n) => n.kind === 'application.approved')).toHaveLength(1);
  });

  it('an approval at or below the threshold takes effect at once', async () => {
    const id = await newLead();
    const res = await maker.post(`/api/partner/v1/leads/${id}/status`).send({ ...approval, offeredAmount: 30000 }).expect(200);
    expect(res.body).toMatchObject({ status: 'approved', review: null });
  });

  it('a checker sends it back with a reason; the maker may then approve again', async () => {
    const id = await newLead();
    await maker.post(`/api/partner/v1/leads/${id}/status`).send(approval).expect(202);
    const review = (await checker.get('/api/partner/v1/approval-reviews').expect(200)).body.items.find((r: { applicationId: string }) => r.applicationId === id);
    await checker.post(`/api/partner/v1/approval-reviews/${review.id}/return`).send({}).expect(400);
    const returned = await checker.post(`/api/partner/v1/approval-reviews/${review.id}/return`).send({ reason: '收入证明不足，请降额' }).expect(200);
    expect(returned.body).toMatchObject({ status: 'returned', returnReason: '收入证明不足，请降额', checker: { name: '甲复核员' } });
    await checker.post(`/api/partner/v1/approval-reviews/${review.id}/confirm`).send({}).expect(409);
    const lead = await maker.get(`/api/partner/v1/leads/${id}`).expect(200);
    expect(lead.body.status).toBe('submitted');
    await maker.post(`/api/partner/v1/leads/${id}/status`).send({ ...approval, offeredAmount: 20000 }).expect(200);
  });

  it('an API key may make an approval but never confirm one', async () => {
    const { key } = await t.container.services.institutions.createApiKey(t.fixtures.institutionA.id, 'ERP', { kind: 'system' });
    const id = await newLead();
    const sent = await request(t.app).post(`/api/partner/v1/leads/${id}/status`).set('Authorization', `Bearer ${key}`).send(approval).expect(202);
    expect(sent.body.review.status).toBe('pending');
    const review = (await checker.get('/api/partner/v1/approval-reviews').expect(200)).body.items.find((r: { applicationId: string }) => r.applicationId === id);
    expect(review.maker.name).toMatch(/^API 密钥/);
    await request(t.app).post(`/api/partner/v1/approval-reviews/${review.id}/confirm`).set('Authorization', `Bearer ${key}`).send({}).expect(403);
    await checker.post(`/api/partner/v1/approval-reviews/${review.id}/confirm`).send({}).expect(200);
  });

  it('two confirmations at once settle to one: one succeeds, the other is a 409, one commission', async () => {
    const second = await staffAgent(t.app, 'partner', 'a.checker2');
    const id = await newLead();
    await maker.post(`/api/partner/v1/leads/${id}/status`).send(approval).expect(202);
    const review = (await checker.get('/api/partner/v1/approval-reviews').expect(200)).body.items.find((r: { applicationId: string }) => r.applicationId === id);
    const both = await Promise.all([checker, second].map((a) => a.post(`/api/partner/v1/approval-reviews/${review.id}/confirm`).send({})));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const events = (await t.container.services.applications.getLead(t.fixtures.institutionA.id, id, { kind: 'system' })).events;
    expect(events.filter((e) => e.toStatus === 'approved')).toHaveLength(1);
  });

  it('the portal: the approve form sends it to 待复核; the queue offers the checker (not the maker) the confirmation, which needs the box ticked', async () => {
    const id = await newLead();
    const leadPage = await maker.get(`/partner/leads/${id}`).expect(200);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(leadPage.text)![1];
    await maker
      .post(`/partner/leads/${id}/status`)
      .type('form')
      .send({ _csrf: csrfFrom(leadPage.text), idempotencyKey: key, status: 'approved', offeredAmount: '50000', offeredTermMonths: '12', offeredAprPercent: '12', offerDays: '7', confirm: 'yes' })
      .expect(303);
    const after = await maker.get(`/partner/leads/${id}`).expect(200);
    expect(after.text).toContain('data-testid="pending-review"');
    expect(after.text).not.toContain('data-testid="approve-form"');
    const makerQueue = await maker.get('/partner/approval-reviews').expect(200);
    expect(makerQueue.text).toContain('data-testid="own-review"');
    const queue = await checker.get('/partner/approval-reviews').expect(200);
    const reviewId = new RegExp(`data-review-id="([^"]+)"[\\s\\S]*?/partner/leads/${id}`).exec(queue.text)?.[1] ?? /data-review-id="([^"]+)"/.exec(queue.text)![1];
    const idem = /name="idempotencyKey" value="([^"]+)"/.exec(queue.text)![1];
    const refused = await checker.post(`/partner/approval-reviews/${reviewId}/confirm`).type('form').send({ _csrf: csrfFrom(queue.text), idempotencyKey: idem }).expect(400);
    expect(refused.text).toContain('请先勾选确认');
    const again = await checker.get('/partner/approval-reviews').expect(200);
    await checker
      .post(`/partner/approval-reviews/${reviewId}/confirm`)
      .type('form')
      .send({ _csrf: csrfFrom(again.text), idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(again.text)![1], confirm: 'yes' })
      .expect(303);
    expect((await checker.get('/partner/approval-reviews').expect(200)).text).toContain('复核通过');
  });

  it('the workflow page turns the rule off and on; only admins see it', async () => {
    const page = await maker.get('/partner/workflow').expect(200);
    await handler.get('/partner/workflow').expect(403);
    await maker.post('/partner/workflow').type('form').send({ _csrf: csrfFrom(page.text), enabled: '1', threshold: '' }).expect(400);
    const again = await maker.get('/partner/workflow').expect(200);
    await maker.post('/partner/workflow').type('form').send({ _csrf: csrfFrom(again.text), enabled: '1', threshold: '100000' }).expect(303);
    expect((await maker.get('/api/partner/v1/approval-policy').expect(200)).body.threshold).toBe(100000);
    const third = await maker.get('/partner/workflow').expect(200);
    await maker.post('/partner/workflow').type('form').send({ _csrf: csrfFrom(third.text), threshold: '100000' }).expect(303);
    expect((await maker.get('/api/partner/v1/approval-policy').expect(200)).body.threshold).toBeNull();
  });
});
