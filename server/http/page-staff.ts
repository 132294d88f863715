import { formFailure } from './form-failure';
import type { Request, Response, Router } from 'express';
import type { Services } from '../container';
import { rolesFor, type StaffKind } from '../modules/accounts';
import { roleLabels } from '../modules/accounts/permissions';
import { auditActor } from './audit-actor';
import type { Guard } from './guards';
import type { HttpKit } from './kit';
import type { Render } from './render';

const label = (role: string) => roleLabels[role as keyof typeof roleLabels] ?? role;

/**
 * `/staff` of a staff surface: members with their roles, invitations, role changes, freezing,
 * password resets.
 * Institution admins manage their own institution's people; super admins manage operators.
 */
export function staffRoutes(r: Router, services: Services, kit: HttpKit, render: Render, surface: { kind: StaffKind; prefix: string; guard: Guard }): void {
  const { kind, prefix, guard } = surface;
  const scopeOf = (req: Request) => ({ kind, institutionId: kind === 'institution' ? req.institutionId! : null });

  const show = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const scope = scopeOf(req);
    const [members, pending] = await Promise.all([services.staff.members(scope), services.staff.pendingInvitations(scope)]);
    const roles = rolesFor(kind).map((value) => ({ value, label: label(value) }));
    await render(req, res, 'staff', {
      title: kind === 'operator' ? '运营人员' : '员工与角色',
      heading: kind === 'operator' ? '运营人员与角色' : '员工与角色',
      prefix,
      roles,
      members: members.map((m) => ({
        ...m,
        self: m.id === req.account!.id,
        roleLabel: label(m.role),
        roleOptions: roles.map((r) => ({ ...r, selected: r.value === m.role })),
      })),
      pending: pending.map((p) => ({ ...p, roleLabel: label(p.role) })),
      values: { role: kind === 'operator' ? 'operations' : 'lead_handler' },
      ...extra,
    });
  };
  const fail = async (req: Request, res: Response, err: unknown, extra: Record<string, unknown> = {}) => {
    await show(req, res, { error: formFailure(res, err), ...extra });
  };

  r.get('/staff', guard, (req, res) => show(req, res));
  r.post('/staff/invitations', guard, async (req, res) => {
    const values = { displayName: String(req.body.displayName ?? ''), username: String(req.body.username ?? ''), role: String(req.body.role ?? '') };
    try {
      const { invitation, token } = await services.staff.invite({ kind, institutionId: scopeOf(req).institutionId, ...values }, auditActor(req));
      await show(req, res, { invited: { displayName: invitation.displayName, url: `${kit.publicUrl}${prefix}/invite/${token}` } });
    } catch (err) {
      await fail(req, res, err, { values });
    }
  });
  r.post('/staff/invitations/:id/revoke', guard, async (req, res) => {
    await services.staff.revokeInvitation(scopeOf(req), String(req.params.id), auditActor(req));
    req.session.flash = { kind: 'success', message: '邀请已撤销' };
    res.redirect(303, `${prefix}/staff`);
  });
  r.post('/staff/:id/role', guard, async (req, res) => {
    try {
      await services.staff.changeRole(scopeOf(req), String(req.params.id), String(req.body.role ?? ''), auditActor(req));
    } catch (err) {
      return fail(req, res, err);
    }
    req.session.flash = { kind: 'success', message: '角色已修改，对方需重新登录' };
    res.redirect(303, `${prefix}/staff`);
  });
  // the one-time password is shown once, on this answer only (never stored in clear, no redirect)
  r.post('/staff/:id/reset-password', guard, async (req, res) => {
    try {
      const { member, oneTimePassword } = await services.staff.resetPassword(scopeOf(req), String(req.params.id), auditActor(req));
      res.set('Cache-Control', 'no-store');
      await show(req, res, { passwordReset: { displayName: member.displayName, login: member.loginMasked, password: oneTimePassword } });
    } catch (err) {
      await fail(req, res, err);
    }
  });
  for (const action of ['freeze', 'unfreeze'] as const) {
    r.post(`/staff/:id/${action}`, guard, async (req, res) => {
      try {
        await services.staff.setStaffFrozen(scopeOf(req), String(req.params.id), action === 'freeze', String(req.body.reason ?? ''), auditActor(req));
      } catch (err) {
        return fail(req, res, err);
      }
      req.session.flash = { kind: 'success', message: action === 'freeze' ? '已冻结，对方的登录已失效' : '已解冻' };
      res.redirect(303, `${prefix}/staff`);
    });
  }
}
