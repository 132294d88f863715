import type { Router } from 'express';
import type { AccountKind } from '../../modules/accounts';
import { UnauthenticatedError } from '../../lib/errors';
import type { HttpKit } from '../kit';
import { destroySession, establishLogin } from '../session-login';
import { parse } from '../validate';
import { consumerLoginBody, staffLoginBody } from './schemas';
import { accountJson } from './serializers';

/**
 * `POST auth/login` and `auth/logout` of one API: the kind's Passport strategy (which also checks
 * `totp` for staff with two-step verification), then a fresh session. A one-time password still
 * signs in, but every call except `auth/password/change` answers 403 `password_change_required`.
 */
export function authRoutes(r: Router, kit: HttpKit, kind: AccountKind): void {
  const schema = kind === 'consumer' ? consumerLoginBody : staffLoginBody;
  r.post('/auth/login', kit.guards.public, ...kit.limits.login, async (req, res) => {
    const body = parse(schema, req.body, '登录信息有误');
    req.body = body; // the strategy reads the validated, trimmed credentials
    const account = await kit.authenticate(kind, req, res);
    if (account.mfaEnabled && !('totp' in body && body.totp)) {
      throw new UnauthenticatedError('请提供两步验证码', 'mfa_required', { totp: '此账号已开启两步验证，请提供 6 位验证码' });
    }
    await establishLogin(req, account);
    res.json({ account: accountJson(account) });
  });

  r.post('/auth/logout', kit.guards.public, async (req, res) => {
    await destroySession(req);
    res.clearCookie('dc.sid').status(204).end();
  });
}
