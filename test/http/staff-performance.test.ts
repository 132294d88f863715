import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/app';
import { apply, consumerAgent, staffAgent } from '../support/http';

type StaffRow = { staffId: string; name: string; leadsHandled: number; approvals: number; rejections: number; firstResponses: number; medianFirstResponseHours: number | null };

describe('staff performance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    const { accounts } = t.container.services;
    const { institutionA } = t.fixtures;
    await accounts.createStaff({ kind: 'institution', username: 'a.handler', password: PASSWORD, displayName: '甲处理员', role: 'lead_handler', institutionId: institutionA.id });
    await accounts.createStaff({ kind: 'operator', username: 'cs.perf', password: PASSWORD, displayName: '客服老周', role: 'customer_service' });
    await accounts.createStaff({ kind: 'operator', username: 'ops.perf', password: PASSWORD, displayName: '运营小陈', role: 'operations' });
  });
  afterAll(() => t?.close());

  it('an institution sees its own staff per person: leads handled, first responses, approvals and rejections; never another institution’s', async () => {
    const { institutionA, institutionB } = t.fixtures;
    const consumer = await consumerAgent(t.app);
    const first = await apply(consumer.agent, institutionA.productId);
    const second = await apply((await consumerAgent(t.app)).agent, institutionA.productId);
    await apply((await consumerAgent(t.app)).agent, institutionA.productId); // left untouched: counts for no one
    const admin = await staffAgent(t.app, 'partner', institutionA.staff);
    const handler = await staffAgent(t.app, 'partner', 'a.handler');
    await admin.post(`/api/partner/v1/leads/${first.id}/status`).send({ status: 'reviewing' }).expect(200);
    await admin.post(`/api/partner/v1/leads/${first.id}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.12 }).expect(200);
    await handler.post(`/api/partner/v1/leads/${second.id}/status`).send({ status: 'reviewing' }).expect(200);
    await handler.post(`/api/partner/v1/leads/${second.id}/status`).send({ status: 'rejected', reason: 'income' }).expect(200);

    const report = (await admin.get('/api/partner/v1/statistics/staff').expect(200)).body;
    const byName = new Map<string, StaffRow>(report.staff.map((s: StaffRow) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['甲银行员工', '甲处理员'].sort());
    expect(byName.get('甲银行员工')).toMatchObject({ leadsHandled: 1, approvals: 1, rejections: 0, firstResponses: 1 });
    expect(byName.get('甲处理员')).toMatchObject({ leadsHandled: 1, approvals: 0, rejections: 1, firstResponses: 1 });
    expect(byName.get('甲银行员工')!.medianFirstResponseHours).toBeGreaterThanOrEqual(0);
    expect(report.totals).toMatchObject({ leadsHandled: 2, approvals: 1, rejections: 1 });

    // the page, its CSV (audited) and the chart
    const page = await admin.get('/partner/statistics/staff').expect(200);
    expect(page.text).toContain('data-testid="staff-performance"');
    expect(page.text).toContain('甲处理员');
    const csv = await admin.get('/partner/statistics/staff.csv').expect(200);
    expect(csv.text).toContain('员工,角色,处理线索');
    expect(csv.text).toMatch(/甲处理员,线索专员,1,1,/);
    expect((await t.container.services.audit.forObject('report', 'institution_staff')).some((a) => a.action === 'staff_performance.exported')).toBe(true);

    // institution B sees only its own staff; a lead handler has no statistics.view
    const b = await staffAgent(t.app, 'partner', institutionB.staff);
    const other = (await b.get('/api/partner/v1/statistics/staff').expect(200)).body;
    expect(other.staff.map((s: StaffRow) => s.name)).toEqual(['乙银行员工']);
    expect(other.totals.leadsHandled).toBe(0);
    await handler.get('/api/partner/v1/statistics/staff').expect(403);
    await handler.get('/partner/statistics/staff').expect(403);
    await admin.get('/api/partner/v1/statistics/staff?from=2026-13-01').expect(400);

    // operators with performance.view see any institution's staff
    const ops = await staffAgent(t.app, 'admin', 'ops.perf');
    const seen = (await ops.get(`/api/admin/v1/performance/institutions/${institutionA.id}`).expect(200)).body;
    expect(seen.totals).toMatchObject({ leadsHandled: 2, approvals: 1, rejections: 1 });
    await ops.get('/api/admin/v1/performance/institutions/ins_doesnotexist00000000').expect(404);
    expect((await ops.get(`/admin/performance/institutions?institutionId=${institutionA.id}`).expect(200)).text).toContain('甲处理员');
    const cs = await staffAgent(t.app, 'admin', 'cs.perf');
    await cs.get(`/api/admin/v1/performance/institutions/${institutionA.id}`).expect(403);
  });

  it('operators: complaints resolved and the share on time against the SLA, feedback answered', async () => {
    const { complaints, feedback } = t.container.services;
    const consumer = await consumerAgent(t.app);
    const filed = (await consumer.agent.post('/api/v1/complaints').send({ category: 'platform', subject: '页面打不开', description: '申请页面一直转圈打不开，试了很多次' }).expect(201)).body;
    const csId = (await complaints.handlers()).find((h) => h.displayName === '客服老周')!.id;
    const actor = { kind: 'operator' as const, id: csId };
    await complaints.assign(filed.id, csId, actor);
    await complaints.changeStatus(filed.id, 'resolved', actor, '已修复');
    const item = (
      await consumer.agent.post('/api/v1/feedback').set('X-Requested-With', 'XMLHttpRequest').field('category', 'suggestion').field('body', '希望增加夜间模式').expect(201)
    ).body;
    await feedback.answer(item.id, '已记录，谢谢', actor);

    const ops = await staffAgent(t.app, 'admin', 'ops.perf');
    const report = (await ops.get('/api/admin/v1/performance/operators').expect(200)).body;
    const row = report.operators.find((o: { name: string }) => o.name === '客服老周');
    expect(row).toMatchObject({ complaintsResolved: 1, complaintsOnTime: 1, onTimeShare: 1, feedbackAnswered: 1, reviewsModerated: 0 });
    const page = await ops.get('/admin/performance').expect(200);
    expect(page.text).toContain('100.00%');
    const csv = await ops.get('/admin/performance.csv').expect(200);
    expect(csv.text).toContain('客服老周,客服,1,1,100.00%,0,0,0,1');
    const cs = await staffAgent(t.app, 'admin', 'cs.perf');
    await cs.get('/api/admin/v1/performance/operators').expect(403);
  });
});
