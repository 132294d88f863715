import type { AccountKind, StaffKind } from '../../../modules/accounts';
import { UnauthenticatedError } from '../../../lib/errors';
import type { GuardSpec } from '../../guards';
import { auditActor } from '../../audit-actor';
import { destroySession, establishLogin } from '../../session-login';
import { guard, route, type ApiRoute } from '../route-table';
import { changePasswordBody, consumerLoginBody, passwordResetByAdminResponse, staffLoginBody } from './auth.schemas';
import { accountJson } from '../serializers';
import { accountResponse } from '../responses';

const who: Record<AccountKind, string> = { consumer: 'Consumer', institution: 'Institution staff', operator: 'Operator', channel: 'Channel partner staff' };

/**
 * `POST auth/login` and `auth/logout` of one API: the kind's Passport strategy (which also checks
 * `totp` for staff with two-step verification), then a fresh session. A one-time password still
 * signs in, but every call except `auth/password/change` answers 403 `password_change_required`.
 */
export function loginRoutes(kind: AccountKind): ApiRoute[] {
  const summary =
    kind === 'consumer'
      ? 'Consumer login. After 5 failures each further attempt waits 1, 2, 4 … minutes (429 login_throttled, Retry-After); log in with an SMS code meanwhile'
      : `${who[kind]} login (\`totp\` for two-step verification)`;
  return [
    route({
      method: 'post',
      path: '/auth/login',
      guard: guard.public,
      summary,
      response: accountResponse,
      body: kind === 'consumer' ? consumerLoginBody : staffLoginBody,
      bodyError: '登录信息有误',
      rateLimit: (limits) => limits.login,
      errors: [401],
      responseDescription: '{ account }',
      handler: async ({ body, kit, req, res }) => {
        req.body = body; // the strategy reads the validated, trimmed credentials
        const account = await kit.authenticate(kind, req, res);
        if (account.mfaEnabled && !('totp' in body && body.totp)) {
          throw new UnauthenticatedError('请提供两步验证码', 'mfa_required', { totp: '此账号已开启两步验证，请提供 6 位验证码' });
        }
        await establishLogin(req, account);
        return { account: accountJson(account) };
      },
    }),
    route({
      method: 'post',
      path: '/auth/logout',
      guard: guard.public,
      summary: 'Log out (destroys the session)',
      status: 204,
      handler: async ({ req, res }) => {
        await destroySession(req);
        res.clearCookie('dc.sid');
      },
    }),
  ];
}

/**
 * `auth/password/change` and `auth/logout-everywhere` of one API: a person's own password and
 * sessions, the same for consumers, institution staff and operators.
 */
export function ownAccountRoutes(kind: AccountKind, allowed: Exclude<GuardSpec, { kind: 'public' }>): ApiRoute[] {
  const prefix = kind === 'consumer' ? '' : `${who[kind]}: `;
  return [
    route({
      method: 'post',
      path: '/auth/password/change',
      guard: allowed,
      summary: `${prefix}change the own password${kind === 'consumer' ? '' : ' (also to replace a one-time password)'}; other sessions end`,
      body: changePasswordBody,
      bodyError: '修改信息有误',
      status: 204,
      handler: async ({ body, principal, services, req }) => {
        const account = await services.accounts.changePassword(principal.account.id, body.currentPassword, body.password, auditActor(req));
        await establishLogin(req, account); // this session stays; every other one ends
      },
    }),
    route({
      method: 'post',
      path: '/auth/logout-everywhere',
      guard: allowed,
      summary: `${prefix}end every session of the own account`,
      status: 204,
      handler: async ({ principal, services, req, res }) => {
        await services.accounts.logoutEverywhere(principal.account.id, auditActor(req));
        await destroySession(req);
        res.clearCookie('dc.sid');
      },
    }),
  ];
}

/**
 * `staff/:id/password-reset`: an admin gives a colleague a one-time password, answered once and
 * never stored in clear; the colleague's sessions end and they set their own at the next login.
 */
export function staffPasswordResetRoute(kind: StaffKind): ApiRoute {
  return route({
    method: 'post',
    path: '/staff/:id/password-reset',
    guard: kind === 'institution' ? guard.institution('staff.manage') : guard.operator('staff.manage'),
    summary: `${who[kind]}: reset a colleague’s password (admins; the colleague’s sessions end, they must set their own at next login)`,
    errors: [409],
    responseDescription: '{ account: { id, displayName, login }, oneTimePassword }',
    response: passwordResetByAdminResponse,
    handler: async ({ params, principal, services, req, res }) => {
      const scope = { kind, institutionId: principal.kind === 'institution' ? principal.institutionId : null };
      const { member, oneTimePassword } = await services.staff.resetPassword(scope, params.id, auditActor(req));
      res.set('Cache-Control', 'no-store');
      return { account: { id: member.id, displayName: member.displayName, login: member.loginMasked }, oneTimePassword };
    },
  });
}
