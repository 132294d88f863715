import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { csrfFrom, staffAgent } from '../support/http';

/** Nobody freezes a tenant out of managing its own people: the last active holder of staff.manage (and, for operators, roles.manage) stays. */
describe('freezing the last member who can manage staff and roles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  }, 120_000);
  afterAll(() => t?.close());

  const staff = (input: { kind: 'operator' | 'institution'; username: string; role: string; institutionId?: string }) =>
    t.container.services.accounts.createStaff({ ...input, password: PASSWORD, displayName: input.username });

  it("/admin/users refuses (409, with the reason on the page) to freeze an institution's only admin; with a second admin it goes through", async () => {
    const { institutionA } = t.fixtures;
    await staff({ kind: 'operator', username: 'op.cs', role: 'customer_service' });
    const cs = await staffAgent(t.app, 'admin', 'op.cs');
    const admins = (await t.container.services.staff.members({ kind: 'institution', institutionId: institutionA.id })).filter((m) => m.role === 'admin');
    expect(admins).toHaveLength(1);
    const onlyAdmin = admins[0]!;
    const page = await cs.get(`/admin/users/${onlyAdmin.id}`).expect(200);
    const refused = await cs.post(`/admin/users/${onlyAdmin.id}/freeze`).type('form').send({ _csrf: csrfFrom(page.text), reason: '疑似账号被盗' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('至少需要保留一名拥有“管理员工与角色”权限的有效成员');
    expect((await t.container.services.staff.get(onlyAdmin.id)).status).toBe('active');
    const audit = await t.container.services.audit.forObject('account', onlyAdmin.id);
    expect(audit.some((a) => a.action === 'account.frozen')).toBe(false);

    // a lead handler (no staff.manage) may be frozen freely
    const handler = await staff({ kind: 'institution', username: 'a.lm.handler', role: 'lead_handler', institutionId: institutionA.id });
    await cs.post(`/admin/users/${handler.id}/freeze`).type('form').send({ _csrf: csrfFrom(page.text), reason: '离职' }).expect(303);

    // with a second admin the first may be frozen, and then the second is the last one
    const second = await staff({ kind: 'institution', username: 'a.lm.admin', role: 'admin', institutionId: institutionA.id });
    await cs.post(`/admin/users/${onlyAdmin.id}/freeze`).type('form').send({ _csrf: csrfFrom(page.text), reason: '疑似账号被盗' }).expect(303);
    expect((await t.container.services.staff.get(onlyAdmin.id)).status).toBe('frozen');
    const last = await cs.post(`/admin/users/${second.id}/freeze`).type('form').send({ _csrf: csrfFrom(page.text), reason: '疑似账号被盗' });
    expect(last.status).toBe(409);
    // unfreezing is never refused
    await cs.post(`/admin/users/${onlyAdmin.id}/unfreeze`).type('form').send({ _csrf: csrfFrom(page.text), reason: '本人核实' }).expect(303);
  });

  it('/admin/users refuses (409) to freeze the only super admin; custom-role holders of staff.manage and roles.manage count', async () => {
    const cs = await staffAgent(t.app, 'admin', 'op.cs');
    const superAdmin = (await t.container.services.staff.members({ kind: 'operator' })).find((m) => m.role === 'super_admin')!;
    const page = await cs.get(`/admin/users/${superAdmin.id}`).expect(200);
    const refused = await cs.post(`/admin/users/${superAdmin.id}/freeze`).type('form').send({ _csrf: csrfFrom(page.text), reason: '长期未登录' });
    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/至少需要保留一名拥有“[^”]+”权限的有效成员/);

    // an operator holding a custom role with both managing permissions keeps the back office managed
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const role = (await op.post('/api/admin/v1/roles').send({ name: '人事管理', permissions: ['staff.manage', 'roles.manage', 'users.view'] }).expect(201)).body.role;
    const hr = await staff({ kind: 'operator', username: 'op.lm.hr', role: 'operations' });
    await op.put(`/api/admin/v1/staff/${hr.id}/role`).send({ role: role.id }).expect(204);
    await cs.post(`/admin/users/${superAdmin.id}/freeze`).type('form').send({ _csrf: csrfFrom(page.text), reason: '长期未登录' }).expect(303);
    // and now the custom-role holder is the last one
    expect((await cs.post(`/admin/users/${hr.id}/freeze`).type('form').send({ _csrf: csrfFrom(page.text), reason: '长期未登录' })).status).toBe(409);
  });
});
