import { formFailure } from './form-failure';
import { rolesFor } from '../modules/accounts';
import { roleLabels } from '../modules/accounts/permissions';
import { auditActor } from './audit-actor';
import type { GuardSpec } from './guards';
import { page, type PageContext, type PageRoute } from './page-route';

const label = (role: string) => roleLabels[role as keyof typeof roleLabels] ?? role;

type StaffGuard = Extract<GuardSpec, { kind: 'institution' | 'operator' }>;
type Ctx = PageContext<StaffGuard, string, undefined>;

/**
 * `/staff` of a staff surface: members with their roles, invitations, role changes, freezing,
 * password resets.
 * Institution admins manage their own institution's people; super admins manage operators.
 */
export function staffPages(surface: { prefix: string; guard: StaffGuard }): PageRoute[] {
  const { prefix, guard } = surface;
  const kind = guard.kind;
  const scopeOf = ({ principal }: Ctx) => ({ kind, institutionId: principal.kind === 'institution' ? principal.institutionId : null });

  const show = async (ctx: Ctx, extra: Record<string, unknown> = {}) => {
    const scope = scopeOf(ctx);
    const [members, pending, customRoles] = await Promise.all([ctx.services.staff.members(scope), ctx.services.staff.pendingInvitations(scope), ctx.services.roles.roles(scope)]);
    const roles = rolesFor(kind).map((value) => ({ value, label: label(value) }));
    // a colleague may be given a built-in role or one of the scope's custom roles (角色与权限)
    const assignable = [...roles, ...customRoles.filter((r) => !r.builtIn).map((r) => ({ value: r.id, label: r.name }))];
    await ctx.render('staff', {
      title: kind === 'operator' ? '运营人员' : '员工与角色',
      heading: kind === 'operator' ? '运营人员与角色' : '员工与角色',
      prefix,
      // an invitation offers the same roles as a role change: built-in and the scope's custom roles
      roles: assignable,
      members: members.map((m) => ({
        ...m,
        self: m.id === ctx.principal.account.id,
        roleLabel: m.roleName,
        roleOptions: assignable.map((r) => ({ ...r, selected: r.value === (m.customRole?.id ?? m.role) })),
      })),
      pending: pending.map((p) => ({ ...p, roleLabel: assignable.find((r) => r.value === p.role)?.label ?? label(p.role) })),
      values: { role: kind === 'operator' ? 'operations' : 'lead_handler' },
      ...extra,
    });
  };
  const fail = (ctx: Ctx, err: unknown, extra: Record<string, unknown> = {}) => show(ctx, { error: formFailure(ctx.res, err), ...extra });
  /** A change to one member: done, back to the list saying so; refused, the list with the reason. */
  const act = (work: (ctx: Ctx, id: string) => Promise<unknown>, done: string) => async (ctx: Ctx & { params: { id: string } }) => {
    try {
      await work(ctx, ctx.params.id);
    } catch (err) {
      return fail(ctx, err);
    }
    ctx.req.session.flash = { kind: 'success', message: done };
    ctx.res.redirect(303, `${prefix}/staff`);
  };

  return [
    page({ method: 'get', path: '/staff', guard, handler: (ctx) => show(ctx) }),
    page({
      method: 'post',
      path: '/staff/invitations',
      guard,
      handler: async (ctx) => {
        const { req, services, kit } = ctx;
        const values = { displayName: String(req.body.displayName ?? ''), username: String(req.body.username ?? ''), role: String(req.body.role ?? '') };
        try {
          const { invitation, token } = await services.staff.invite({ kind, institutionId: scopeOf(ctx).institutionId, ...values }, auditActor(req), undefined, undefined, ctx.principal.account);
          await show(ctx, { invited: { displayName: invitation.displayName, url: `${kit.publicUrl}${prefix}/invite/${token}` } });
        } catch (err) {
          await fail(ctx, err, { values });
        }
      },
    }),
    page({
      method: 'post',
      path: '/staff/invitations/:id/revoke',
      guard,
      handler: async (ctx) => {
        await ctx.services.staff.revokeInvitation(scopeOf(ctx), ctx.params.id, auditActor(ctx.req));
        ctx.req.session.flash = { kind: 'success', message: '邀请已撤销' };
        ctx.res.redirect(303, `${prefix}/staff`);
      },
    }),
    page({
      method: 'post',
      path: '/staff/:id/role',
      guard,
      handler: act(
        (ctx, id) => ctx.services.staff.changeRole(scopeOf(ctx), id, String(ctx.req.body.role ?? ''), auditActor(ctx.req), ctx.principal.account),
        '角色已修改，对方需重新登录',
      ),
    }),
    // the one-time password is shown once, on this answer only (never stored in clear, no redirect)
    page({
      method: 'post',
      path: '/staff/:id/reset-password',
      guard,
      handler: async (ctx) => {
        try {
          const { member, oneTimePassword } = await ctx.services.staff.resetPassword(scopeOf(ctx), ctx.params.id, auditActor(ctx.req));
          ctx.res.set('Cache-Control', 'no-store');
          await show(ctx, { passwordReset: { displayName: member.displayName, login: member.loginMasked, password: oneTimePassword } });
        } catch (err) {
          await fail(ctx, err);
        }
      },
    }),
    ...(['freeze', 'unfreeze'] as const).map((action) =>
      page({
        method: 'post',
        path: `/staff/:id/${action}`,
        guard,
        handler: act(
          (ctx, id) => ctx.services.staff.setStaffFrozen(scopeOf(ctx), id, action === 'freeze', String(ctx.req.body.reason ?? ''), auditActor(ctx.req)),
          action === 'freeze' ? '已冻结，对方的登录已失效' : '已解冻',
        ),
      }),
    ),
  ];
}
