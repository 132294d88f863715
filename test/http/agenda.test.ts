import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { agendaTiles, apply, consumerAgent, staffAgent } from '../support/http';

describe("the operator's 待办", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('counts every queue the role works, turns red when something is late, and shows a role only its own queues', async () => {
    const admin = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const before = await agendaTiles(admin, '/admin');
    expect(Object.keys(before).sort()).toEqual(['complaints', 'erasures', 'onboarding', 'products', 'promotions', 'reviews', 'settlement']);

    // a complaint comes in: one more open ticket, within its deadlines
    const consumer = await consumerAgent(t.app);
    const filed = await consumer.agent.post('/api/v1/complaints').send({ category: 'platform', subject: '页面打不开', description: '申请页面在手机上一直转圈打不开' }).expect(201);
    const open = await agendaTiles(admin, '/admin');
    expect(Number(open.complaints!.figure)).toBe(Number(before.complaints!.figure) + 1);
    // its first-answer deadline passes: the tile turns red and links to the overdue ones
    await t.container.database.db.execute(sql`update complaints set first_response_due_at = now() - interval '1 hour' where id = ${filed.body.id}`);
    const late = await agendaTiles(admin, '/admin');
    expect(late.complaints).toMatchObject({ alert: true, href: '/admin/complaints?overdue=1' });
    expect(late.complaints!.detail).toMatch(/^\d+ 件已超时限$/);

    // an institution submits a change to its product: the reviewers' queue grows, and turns red after 2 days
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const productId = t.fixtures.institutionA.productId;
    await partner
      .put(`/api/partner/v1/products/${productId}`)
      .send({
        name: '甲信用贷Plus', category: '信用贷', summary: '测试产品', minAmount: 1000, maxAmount: 100000, termOptions: [12], rateMin: 0.1, rateMax: 0.15,
        repaymentMethods: ['equal_installment'], eligibility: { minAge: 22, maxAge: 55, studentsExcluded: true }, requiredDocuments: ['身份证'], decisionMinutes: 60, disbursementHours: 24,
      })
      .expect(200);
    await partner.post(`/api/partner/v1/products/${productId}/submit`).send({}).expect(200);
    const queued = await agendaTiles(admin, '/admin');
    expect(queued.products).toMatchObject({ figure: String(Number(before.products!.figure) + 1), alert: false });
    await t.container.database.db.execute(sql`update product_versions set submitted_at = now() - interval '3 days' where product_id = ${productId} and status = 'submitted'`);
    expect((await agendaTiles(admin, '/admin')).products).toMatchObject({ alert: true, detail: '1 个等待超过 2 天' });

    // each role sees only the queues it may open
    for (const [role, keys] of [
      ['product_reviewer', ['products']],
      ['customer_service', ['complaints', 'reviews']],
      ['finance', ['settlement']],
      ['operations', ['complaints', 'onboarding', 'promotions', 'reviews']],
      ['risk_officer', []],
    ] as const) {
      const username = `op.${role}.${Date.now()}`;
      await t.container.services.accounts.createStaff({ kind: 'operator', username, password: PASSWORD, displayName: role, role });
      expect(Object.keys(await agendaTiles(await staffAgent(t.app, 'admin', username), '/admin')).sort(), role).toEqual(keys);
    }
  });
});

describe("an institution's 待复核 tile", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('counts the approvals waiting for a second confirmation, never the confirmer’s own, and only for who may confirm', async () => {
    const { accounts } = t.container.services;
    const inst = t.fixtures.institutionA.id;
    await accounts.createStaff({ kind: 'institution', username: 'a.agenda.checker', password: PASSWORD, displayName: '甲复核员', role: 'admin', institutionId: inst });
    await accounts.createStaff({ kind: 'institution', username: 'a.agenda.handler', password: PASSWORD, displayName: '甲线索专员', role: 'lead_handler', institutionId: inst });
    const maker = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const checker = await staffAgent(t.app, 'partner', 'a.agenda.checker');
    const handler = await staffAgent(t.app, 'partner', 'a.agenda.handler');
    expect((await agendaTiles(checker, '/partner')).approvalReviews).toMatchObject({ figure: '0', alert: false, href: '/partner/approval-reviews' });

    await maker.put('/api/partner/v1/approval-policy').send({ threshold: 30000 }).expect(200);
    const { id } = await apply((await consumerAgent(t.app)).agent, t.fixtures.institutionA.productId);
    await maker.post(`/api/partner/v1/leads/${id}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.12 }).expect(202);

    // the other admin has one to confirm; the maker's own is not their work, only said in words
    expect((await agendaTiles(checker, '/partner')).approvalReviews).toMatchObject({ figure: '1', alert: false });
    expect((await agendaTiles(maker, '/partner')).approvalReviews).toMatchObject({ figure: '0', detail: '你提交的 1 笔等待其他同事复核' });
    // a lead handler may not confirm: no tile at all
    expect((await agendaTiles(handler, '/partner')).approvalReviews).toBeUndefined();

    // waiting more than a day turns it red
    await t.container.database.db.execute(sql`update approval_reviews set created_at = now() - interval '2 days' where application_id = ${id}`);
    expect((await agendaTiles(checker, '/partner')).approvalReviews).toMatchObject({ figure: '1', alert: true, detail: '其中 1 笔等待超过 24 小时' });

    // once confirmed it leaves the queue
    const queue = await checker.get('/api/partner/v1/approval-reviews').expect(200);
    const review = queue.body.items.find((r: { applicationId: string }) => r.applicationId === id);
    await checker.post(`/api/partner/v1/approval-reviews/${review.id}/confirm`).send({}).expect(200);
    expect((await agendaTiles(checker, '/partner')).approvalReviews).toMatchObject({ figure: '0', alert: false });
  });
});
