import { ValidationError } from '../lib/errors';
import type { StaffKind } from '../modules/accounts';
import { guard, page, type PageContext, type PageRoute } from './page-route';
import { establishLogin } from './session-login';
import { formFailure } from './form-failure';

/** `/invite/:token` of a staff surface: the invited person sets a password, the account is created and logged in. */
export function invitePages(surface: { kind: StaffKind; prefix: string }): PageRoute[] {
  const show = async ({ params, services, render }: PageContext<typeof guard.public, '/invite/:token', undefined>, extra: Record<string, unknown> = {}) => {
    const invitation = await services.staff.pendingInvitation(surface.kind, params.token);
    const institutionName = invitation.institutionId ? (await services.institutions.get(invitation.institutionId)).name : undefined;
    await render('invite-accept', {
      title: '激活账号',
      invitation,
      institutionName,
      invitedRole: invitation.roleName,
      action: `${surface.prefix}/invite/${params.token}`,
      ...extra,
    });
  };
  return [
    page({ method: 'get', path: '/invite/:token', guard: guard.public, handler: (ctx) => show(ctx) }),
    page({
      method: 'post',
      path: '/invite/:token',
      guard: guard.public,
      before: (kit) => kit.limits.register,
      handler: async (ctx) => {
        const { req, res, params, services } = ctx;
        const password = String(req.body.password ?? '');
        try {
          if (password !== String(req.body.confirm ?? '')) throw new ValidationError('两次输入的密码不一致', { confirm: '两次输入的密码不一致' });
          const account = await services.staff.accept(surface.kind, params.token, password);
          await establishLogin(req, account);
          req.session.flash = { kind: 'success', message: '账号已激活' };
          res.redirect(303, surface.prefix);
        } catch (err) {
          const error = formFailure(res, err);
          await show(ctx, { error });
        }
      },
    }),
  ];
}
