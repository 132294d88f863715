import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorPermissions } from '../../server/modules/accounts/permissions';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { csrfFrom, staffAgent } from '../support/http';

type Agent = ReturnType<typeof request.agent>;

let t: TestApp;
let op: Agent;
let a: Agent;
let b: Agent;

beforeAll(async () => {
  t = await startTestApp();
  op = await staffAgent(t.app, 'admin', t.fixtures.operator);
  a = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
  b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
}, 120_000);
afterAll(() => t?.close());

const staff = (input: { kind: 'operator' | 'institution'; username: string; role: string; institutionId?: string }) =>
  t.container.services.accounts.createStaff({ ...input, password: PASSWORD, displayName: input.username });

describe('the role editor (角色与权限)', () => {
  it('shows the whole matrix: every operator permission grouped by area with its label, built-in roles read-only', async () => {
    const page = await op.get('/admin/roles').expect(200);
    for (const permission of Object.keys(operatorPermissions)) expect(page.text).toContain(`data-permission="${permission}"`);
    expect(page.text).toContain('定义角色与权限');
    expect(page.text).toContain('人员与角色');
    expect(page.text).toContain('超级管理员');
    // built-in columns have no checkboxes of their own: only the new-role column's
    expect(page.text.match(/form="role-new" name="permissions"/g)?.length).toBe(Object.keys(operatorPermissions).length);
    expect(page.text).not.toContain('form="role-super_admin"');
    expect(page.text).not.toMatch(/style=/);
  });

  it('creates, renames and edits a role from the page (CSRF required), refusing bad input with the form again', async () => {
    const page = await op.get('/admin/roles').expect(200);
    const csrf = csrfFrom(page.text);
    await op.post('/admin/roles').type('form').send({ name: '无令牌', permissions: 'dashboard.view' }).expect(403);
    const empty = await op.post('/admin/roles').type('form').send({ _csrf: csrf, name: '空角色' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('请至少选择一项权限');
    expect(empty.text).toContain('value="空角色"');
    const created = await op.post('/admin/roles').type('form').send({ _csrf: csrf, name: '投诉专员', permissions: ['dashboard.view', 'complaints.handle'] });
    expect(created.status).toBe(303);
    const { roles } = (await op.get('/api/admin/v1/roles').expect(200)).body as { roles: { id: string; name: string; builtIn: boolean; permissions: string[] }[] };
    const role = roles.find((r) => r.name === '投诉专员')!;
    expect(role).toMatchObject({ builtIn: false, permissions: ['dashboard.view', 'complaints.handle'] });
    const builtIn = roles.find((r) => r.id === 'super_admin')!;
    expect(builtIn.builtIn).toBe(true);
    expect(builtIn.permissions).toContain('roles.manage');

    const renamed = await op.post(`/admin/roles/${role.id}`).type('form').send({ _csrf: csrf, name: '投诉主管', permissions: ['dashboard.view', 'complaints.handle', 'reviews.moderate'] });
    expect(renamed.status).toBe(303);
    const after = (await op.get(`/api/admin/v1/roles/${role.id}`).expect(200)).body.role;
    expect(after).toMatchObject({ name: '投诉主管', permissions: ['dashboard.view', 'complaints.handle', 'reviews.moderate'] });
    const taken = await op.post('/admin/roles').type('form').send({ _csrf: csrf, name: '投诉主管', permissions: 'dashboard.view' });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('已有名为“投诉主管”的角色');
    const builtInName = await op.post('/admin/roles').type('form').send({ _csrf: csrf, name: '财务', permissions: 'dashboard.view' });
    expect(builtInName.status).toBe(409);
    await op.post('/admin/roles/role_doesnotexist000000000').type('form').send({ _csrf: csrf, name: 'x', permissions: 'dashboard.view' }).expect(404);

    const [createdAudit] = await t.container.services.audit.recentActions('role.created');
    expect(createdAudit).toMatchObject({ objectType: 'role', objectId: role.id });
    const [updatedAudit] = await t.container.services.audit.recentActions('role.updated');
    expect(updatedAudit?.detail).toMatchObject({ before: { name: '投诉专员' }, after: { name: '投诉主管', permissions: expect.arrayContaining(['reviews.moderate（审核评价）']) } });
  });

  it('assigns a custom role on the staff page; the holder reaches exactly what it grants, and a permission taken away is a 403 on the next request', async () => {
    const member = await staff({ kind: 'operator', username: 'op.cs.lead', role: 'finance' });
    const role = (await op.post('/api/admin/v1/roles').send({ name: '客服组长', permissions: ['dashboard.view', 'complaints.handle'] }).expect(201)).body.role;
    const staffPage = await op.get('/admin/staff').expect(200);
    expect(staffPage.text).toContain(`<option value="${role.id}">客服组长</option>`);
    const assigned = await op.post(`/admin/staff/${member.id}/role`).type('form').send({ _csrf: csrfFrom(staffPage.text), role: role.id });
    expect(assigned.status).toBe(303);
    const [audit] = await t.container.services.audit.recentActions('staff.role_changed');
    expect(audit).toMatchObject({ objectId: member.id, detail: { from: '财务', to: '客服组长', fromRole: 'finance', toRole: role.id } });

    const holder = await staffAgent(t.app, 'admin', 'op.cs.lead');
    await holder.get('/admin/complaints').expect(200);
    await holder.get('/api/admin/v1/dashboard').expect(200);
    await holder.get('/api/admin/v1/receivables').expect(403); // settlement.view: the finance role had it, this one does not
    const home = await holder.get('/admin/').expect(200);
    expect(home.text).toContain('客服组长');
    expect(home.text).toContain('href="/admin/complaints"');
    expect(home.text).not.toContain('href="/admin/finance"');

    await op.put(`/api/admin/v1/roles/${role.id}`).send({ name: '客服组长', permissions: ['dashboard.view'] }).expect(200);
    await holder.get('/admin/complaints').expect(403);
    await holder.get('/api/admin/v1/dashboard').expect(200);

    // the holders view names who holds what
    const holders = (await op.get('/api/admin/v1/roles/holders').expect(200)).body.items as { key: string; holders: { id: string; roleName: string }[] }[];
    expect(holders.find((h) => h.key === 'dashboard.view')!.holders).toContainEqual(expect.objectContaining({ id: member.id, roleName: '客服组长' }));
    expect(holders.find((h) => h.key === 'complaints.handle')!.holders.map((h) => h.id)).not.toContain(member.id);
    const holdersPage = await op.get('/admin/roles/holders').expect(200);
    expect(holdersPage.text).toContain('op.cs.lead');

    // held: cannot be deleted; once nobody holds it, it can
    const refused = await op.delete(`/api/admin/v1/roles/${role.id}`).send({});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('role_in_use');
    const page = await op.get('/admin/roles').expect(200);
    const refusedPage = await op.post(`/admin/roles/${role.id}/delete`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(refusedPage.status).toBe(409);
    expect(refusedPage.text).toContain('仍有 1 名成员持有该角色');
    await op.put(`/api/admin/v1/staff/${member.id}/role`).send({ role: 'operations' }).expect(204);
    await op.delete(`/api/admin/v1/roles/${role.id}`).send({}).expect(204);
    await op.get(`/api/admin/v1/roles/${role.id}`).expect(404);
    const [deleted] = await t.container.services.audit.recentActions('role.deleted');
    expect(deleted).toMatchObject({ objectId: role.id, detail: { before: { name: '客服组长', permissions: ['dashboard.view（查看经营看板）'] } } });
  });

  it('takes effect on the next request on another instance of the app (no cache to go stale)', async () => {
    const second = await startTestApp({ database: { ...t.container.database, close: async () => {} }, data: 'none' });
    try {
      const member = await staff({ kind: 'operator', username: 'op.two.instances', role: 'finance' });
      const role = (await op.post('/api/admin/v1/roles').send({ name: '双实例', permissions: ['dashboard.view', 'audit.view'] }).expect(201)).body.role;
      await op.put(`/api/admin/v1/staff/${member.id}/role`).send({ role: role.id }).expect(204);
      const there = await staffAgent(second.app, 'admin', 'op.two.instances');
      await there.get('/api/admin/v1/audit').expect(200);
      await op.put(`/api/admin/v1/roles/${role.id}`).send({ name: '双实例', permissions: ['dashboard.view'] }).expect(200);
      await there.get('/api/admin/v1/audit').expect(403);
      await op.put(`/api/admin/v1/roles/${role.id}`).send({ name: '双实例', permissions: ['dashboard.view', 'audit.view'] }).expect(200);
      await there.get('/api/admin/v1/audit').expect(200);
    } finally {
      await second.close();
    }
  });
});

describe('escalation and lock-out', () => {
  it('an editor cannot grant a permission they do not hold (403), by role or by assignment', async () => {
    const editorRole = (await op.post('/api/admin/v1/roles').send({ name: '人事', permissions: ['dashboard.view', 'staff.manage', 'roles.manage'] }).expect(201)).body.role;
    const editor = await staff({ kind: 'operator', username: 'op.hr', role: 'finance' });
    await op.put(`/api/admin/v1/staff/${editor.id}/role`).send({ role: editorRole.id }).expect(204);
    const hr = await staffAgent(t.app, 'admin', 'op.hr');
    const escalate = await hr.post('/api/admin/v1/roles').send({ name: '审计员', permissions: ['dashboard.view', 'audit.view'] });
    expect(escalate.status).toBe(403);
    expect(escalate.body.error.code).toBe('permission_not_held');
    await hr.post('/api/admin/v1/roles').send({ name: '看板', permissions: ['dashboard.view'] }).expect(201);
    // adding to an existing role what the editor lacks is the same refusal
    await hr.put(`/api/admin/v1/roles/${editorRole.id}`).send({ name: '人事', permissions: ['dashboard.view', 'staff.manage', 'roles.manage', 'jobs.run'] }).expect(403);
    const colleague = await staff({ kind: 'operator', username: 'op.colleague', role: 'operations' });
    const superAdmin = await hr.put(`/api/admin/v1/staff/${colleague.id}/role`).send({ role: 'super_admin' });
    expect(superAdmin.status).toBe(403);
    expect(superAdmin.body.error.code).toBe('permission_not_held');
    await hr.put(`/api/admin/v1/staff/${editor.id}/role`).send({ role: 'super_admin' }).expect(409); // nor their own role
  });

  it('an institution admin grants only institution permissions: an operator permission 403, an unknown one 400', async () => {
    const operatorOnly = await a.post('/api/partner/v1/roles').send({ name: '越权', permissions: ['portal.view', 'audit.view'] });
    expect(operatorOnly.status).toBe(403);
    expect(operatorOnly.body.error.code).toBe('permission_not_held');
    const unknown = await a.post('/api/partner/v1/roles').send({ name: '未知', permissions: ['portal.view', 'nothing.here'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields.permissions).toContain('nothing.here');
    await a.post('/api/partner/v1/roles').send({ name: '多余字段', permissions: ['portal.view'], institutionId: t.fixtures.institutionB.id }).expect(400);
  });

  it('the last holder of staff.manage cannot lose it by an edit of their role; with another holder the change goes through', async () => {
    const { institutionB } = t.fixtures;
    const role = (await b.post('/api/partner/v1/roles').send({ name: '人事专员', permissions: ['portal.view', 'staff.manage'] }).expect(201)).body.role;
    const hr = await staff({ kind: 'institution', username: 'b.hr', role: 'lead_handler', institutionId: institutionB.id });
    await b.put(`/api/partner/v1/staff/${hr.id}/role`).send({ role: role.id }).expect(204);
    const hrAgent = await staffAgent(t.app, 'partner', 'b.hr');
    const bAdmin = (await t.container.services.staff.members({ kind: 'institution', institutionId: institutionB.id })).find((m) => m.role === 'admin')!;
    // b.hr may not give the admin a role granting what b.hr lacks (lead_handler works leads)…
    await hrAgent.put(`/api/partner/v1/staff/${bAdmin.id}/role`).send({ role: 'lead_handler' }).expect(403);
    // …but may give them b.hr's own role: both still manage staff
    await hrAgent.put(`/api/partner/v1/staff/${bAdmin.id}/role`).send({ role: role.id }).expect(204);
    const edit = await hrAgent.put(`/api/partner/v1/roles/${role.id}`).send({ name: '人事专员', permissions: ['portal.view'] });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('last_manager');
    const page = await hrAgent.get('/partner/roles').expect(200);
    const editPage = await hrAgent.post(`/partner/roles/${role.id}`).type('form').send({ _csrf: csrfFrom(page.text), name: '人事专员', permissions: 'portal.view' });
    expect(editPage.status).toBe(409);
    expect(editPage.text).toContain('至少需要保留一名拥有“管理员工与角色”权限的有效成员');
    // the role is unchanged, and the holder still manages
    expect((await hrAgent.get(`/api/partner/v1/roles/${role.id}`).expect(200)).body.role.permissions).toEqual(['portal.view', 'staff.manage']);
    // give the admin role back (b.hr cannot: admin grants more than b.hr holds), then b.hr may be frozen
    await hrAgent.put(`/api/partner/v1/staff/${bAdmin.id}/role`).send({ role: 'admin' }).expect(403);
    await t.container.services.staff.changeRole({ kind: 'institution', institutionId: institutionB.id }, bAdmin.id, 'admin', { kind: 'system' }, 'admin');
    const again = await staffAgent(t.app, 'partner', institutionB.staff);
    const frozen = await again.get('/partner/staff').expect(200);
    await again.post(`/partner/staff/${hr.id}/freeze`).type('form').send({ _csrf: csrfFrom(frozen.text), reason: '调岗' }).expect(303);
    b = again;
  });
});

describe('institution roles belong to their institution', () => {
  it("another institution's role is a 404 everywhere: read, edit, delete, assign, and on the pages", async () => {
    const { institutionA, institutionB } = t.fixtures;
    const role = (await a.post('/api/partner/v1/roles').send({ name: '甲线索组', permissions: ['portal.view', 'leads.work'] }).expect(201)).body.role;
    await b.get(`/api/partner/v1/roles/${role.id}`).expect(404);
    await b.put(`/api/partner/v1/roles/${role.id}`).send({ name: '改名', permissions: ['portal.view'] }).expect(404);
    await b.delete(`/api/partner/v1/roles/${role.id}`).send({}).expect(404);
    const bMember = await staff({ kind: 'institution', username: 'b.member', role: 'lead_handler', institutionId: institutionB.id });
    await b.put(`/api/partner/v1/staff/${bMember.id}/role`).send({ role: role.id }).expect(404);
    const page = await b.get('/partner/roles').expect(200);
    expect(page.text).not.toContain('甲线索组');
    await b.post(`/partner/roles/${role.id}`).type('form').send({ _csrf: csrfFrom(page.text), name: '改名', permissions: 'portal.view' }).expect(404);
    await b.post(`/partner/roles/${role.id}/delete`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(404);
    // nor is an operator role an institution's, nor the other way round
    const opRole = (await op.post('/api/admin/v1/roles').send({ name: '运营只读', permissions: ['dashboard.view'] }).expect(201)).body.role;
    await a.get(`/api/partner/v1/roles/${opRole.id}`).expect(404);
    await op.get(`/api/admin/v1/roles/${role.id}`).expect(404);
    // A's own staff can hold it and then work leads, nothing more
    const aMember = await staff({ kind: 'institution', username: 'a.leads', role: 'finance', institutionId: institutionA.id });
    await a.put(`/api/partner/v1/staff/${aMember.id}/role`).send({ role: role.id }).expect(204);
    const holder = await staffAgent(t.app, 'partner', 'a.leads');
    await holder.get('/api/partner/v1/leads').expect(200);
    await holder.get('/api/partner/v1/statements').expect(403);
    const unchanged = (await a.get(`/api/partner/v1/roles/${role.id}`).expect(200)).body.role;
    expect(unchanged).toMatchObject({ name: '甲线索组', holders: 1 });
  });
});

describe('inviting to a custom role', () => {
  it("an institution's invitation offers its custom roles beside the built-in ones; the invited person holds that role's permissions", async () => {
    const { institutionA } = t.fixtures;
    const role = (await a.post('/api/partner/v1/roles').send({ name: '甲贷后组', permissions: ['portal.view', 'loans.manage'] }).expect(201)).body.role;
    const page = await a.get('/partner/staff').expect(200);
    const inviteForm = /<form class="inline" method="post" action="\/partner\/staff\/invitations">[\s\S]*?<\/form>/.exec(page.text)![0];
    expect(inviteForm).toContain(`<option value="${role.id}">甲贷后组</option>`);
    expect(inviteForm).toContain('<option value="lead_handler" selected>线索专员</option>');
    // another institution's role is not theirs to offer (404, the form again)
    const foreign = await b.post('/partner/staff/invitations').type('form').send({ _csrf: csrfFrom((await b.get('/partner/staff').expect(200)).text), displayName: '外人', username: 'b.outsider', role: role.id });
    expect(foreign.status).toBe(404);

    const invited = await a.post('/partner/staff/invitations').type('form').send({ _csrf: csrfFrom(page.text), displayName: '赵六', username: 'a.zhaoliu', role: role.id }).expect(200);
    expect(invited.text).toMatch(/待激活的邀请[\s\S]*甲贷后组/);
    const link = /\/partner\/invite\/[\w-]+/.exec(invited.text)![0];
    const audit = await t.container.services.audit.recentActions('staff.invited');
    expect(audit.some((e) => (e.detail as { roleName?: string }).roleName === '甲贷后组')).toBe(true);

    const colleague = request.agent(t.app);
    const form = await colleague.get(link).expect(200);
    expect(form.text).toContain('甲贷后组');
    await colleague.post(link).type('form').send({ _csrf: csrfFrom(form.text), password: PASSWORD, confirm: PASSWORD }).expect(303);
    const member = (await t.container.services.staff.members({ kind: 'institution', institutionId: institutionA.id })).find((m) => m.displayName === '赵六')!;
    expect(member).toMatchObject({ role: 'custom', roleName: '甲贷后组', customRole: { id: role.id } });
    // exactly the role's permissions: loans yes, leads and staff no
    await colleague.get('/partner/loans').expect(200);
    expect((await colleague.get('/partner/leads')).status).toBe(403);
    expect((await colleague.get('/partner/staff')).status).toBe(403);
    // the role now has a holder: it cannot be deleted
    expect((await a.delete(`/api/partner/v1/roles/${role.id}`).send({})).status).toBe(409);
  });

  it('an operator invitation offers the operators’ custom roles; a custom role deleted before acceptance is a 409 on accepting', async () => {
    const role = (await op.post('/api/admin/v1/roles').send({ name: '内容编辑', permissions: ['dashboard.view', 'content.manage'] }).expect(201)).body.role;
    const page = await op.get('/admin/staff').expect(200);
    expect(page.text).toContain(`<option value="${role.id}">内容编辑</option>`);
    const invited = await op.post('/admin/staff/invitations').type('form').send({ _csrf: csrfFrom(page.text), displayName: '钱七', username: 'op.qianqi', role: role.id }).expect(200);
    const link = /\/admin\/invite\/[\w-]+/.exec(invited.text)![0];
    await op.delete(`/api/admin/v1/roles/${role.id}`).send({}).expect(204);
    const colleague = request.agent(t.app);
    const form = await colleague.get(link).expect(200);
    const refused = await colleague.post(link).type('form').send({ _csrf: csrfFrom(form.text), password: PASSWORD, confirm: PASSWORD });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('邀请中的角色已被删除');
  });
});
