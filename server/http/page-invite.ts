import type { Router } from 'express';
import type { Services } from '../container';
import { ValidationError } from '../lib/errors';
import type { StaffKind } from '../modules/accounts';
import { roleLabels } from '../modules/accounts/permissions';
import type { HttpKit } from './kit';
import type { Render } from './render';
import { establishLogin } from './session-login';
import { formFailure } from './form-failure';

/** `/invite/:token` of a staff surface: the invited person sets a password, the account is created and logged in. */
export function invitationRoutes(r: Router, services: Services, kit: HttpKit, render: Render, surface: { kind: StaffKind; prefix: string }): void {
  const show = async (req: Parameters<Render>[0], res: Parameters<Render>[1], token: string, extra: Record<string, unknown> = {}) => {
    const invitation = await services.staff.pendingInvitation(surface.kind, token);
    const institutionName = invitation.institutionId ? (await services.institutions.get(invitation.institutionId)).name : undefined;
    await render(req, res, 'invite-accept', {
      title: '激活账号',
      invitation,
      institutionName,
      roleLabel: roleLabels[invitation.role as keyof typeof roleLabels] ?? invitation.role,
      action: `${surface.prefix}/invite/${token}`,
      ...extra,
    });
  };
  r.get('/invite/:token', kit.guards.public, (req, res) => show(req, res, String(req.params.token)));
  r.post('/invite/:token', kit.guards.public, kit.limits.register, async (req, res) => {
    const token = String(req.params.token);
    const password = String(req.body.password ?? '');
    try {
      if (password !== String(req.body.confirm ?? '')) throw new ValidationError('两次输入的密码不一致', { confirm: '两次输入的密码不一致' });
      const account = await services.staff.accept(surface.kind, token, password);
      await establishLogin(req, account);
      req.session.flash = { kind: 'success', message: '账号已激活' };
      res.redirect(303, surface.prefix);
    } catch (err) {
      const error = formFailure(res, err);
      await show(req, res, token, { error });
    }
  });
}
