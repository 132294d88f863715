import type { Router } from 'express';
import type { Services } from '../../container';
import type { StaffKind } from '../../modules/accounts';
import { auditActor } from '../audit-actor';
import type { Guard } from '../guards';
import { destroySession, establishLogin } from '../session-login';
import { parse } from '../validate';
import { changePasswordBody, noBody } from './schemas';

/**
 * `auth/password/change` and `auth/logout-everywhere` of one API: a person's own password and
 * sessions, the same for consumers, institution staff and operators.
 */
export function accountSecurityRoutes(r: Router, services: Services, guard: Guard): void {
  r.post('/auth/password/change', guard, async (req, res) => {
    const body = parse(changePasswordBody, req.body, '修改信息有误');
    const account = await services.accounts.changePassword(req.account!.id, body.currentPassword, body.password, auditActor(req));
    await establishLogin(req, account); // this session stays; every other one ends
    res.status(204).end();
  });

  r.post('/auth/logout-everywhere', guard, async (req, res) => {
    parse(noBody, req.body ?? {});
    await services.accounts.logoutEverywhere(req.account!.id, auditActor(req));
    await destroySession(req);
    res.clearCookie('dc.sid').status(204).end();
  });
}

/**
 * `staff/:id/password-reset`: an admin gives a colleague a one-time password, answered once and
 * never stored in clear; the colleague's sessions end and they set their own at the next login.
 */
export function staffPasswordResetRoute(r: Router, services: Services, guard: Guard, kind: StaffKind): void {
  r.post('/staff/:id/password-reset', guard, async (req, res) => {
    parse(noBody, req.body ?? {});
    const scope = { kind, institutionId: kind === 'institution' ? req.institutionId! : null };
    const { member, oneTimePassword } = await services.staff.resetPassword(scope, String(req.params.id), auditActor(req));
    res.set('Cache-Control', 'no-store').json({ account: { id: member.id, displayName: member.displayName, login: member.loginMasked }, oneTimePassword });
  });
}
