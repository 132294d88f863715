import type { Request, Response, Router } from 'express';
import type { AccountKind } from '../modules/accounts';
import { AppError } from '../lib/errors';
import { consumerLoginBody, staffLoginBody } from './api/schemas';
import type { HttpKit } from './kit';
import type { Render } from './render';
import { destroySession, establishLogin, safeNext } from './session-login';
import { parse } from './validate';

const MFA_STEP_MS = 5 * 60_000;

/**
 * `GET/POST login` and `POST logout` of one surface: the kind's Passport strategy, a fresh
 * session, back to where the person was going (`next`, kept inside the surface), or the form
 * shown again with the reason.
 */
export function pageLoginRoutes(
  r: Router,
  kit: HttpKit,
  render: Render,
  surface: { kind: AccountKind; title: string; prefix: string; home: string },
): void {
  const field = surface.kind === 'consumer' ? 'phone' : 'username';
  const schema = surface.kind === 'consumer' ? consumerLoginBody : staffLoginBody;
  const loginPath = `${surface.prefix === '/' ? '' : surface.prefix}/login`;
  const show = (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'login', { title: surface.title, next: safeNext(req.query.next ?? req.body?.next, '', surface.prefix), ...extra });

  r.get('/login', kit.guards.public, (req, res) => show(req, res));
  r.post('/login', kit.guards.public, ...kit.limits.login, async (req, res) => {
    const next = safeNext(req.body.next, surface.home, surface.prefix);
    const login = req.body[field];
    try {
      req.body = parse(schema, { [field]: login, password: req.body.password }, '登录信息有误'); // the strategy reads the validated, trimmed credentials
      const account = await kit.authenticate(surface.kind, req, res);
      if (account.mfaEnabled) {
        req.session.mfaPending = { kind: surface.kind, id: account.id, next, at: Date.now() };
        return res.redirect(303, `${loginPath}/mfa`);
      }
      await establishLogin(req, account);
      res.redirect(303, next);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      res.status(err.code === 'account_locked' ? 423 : err.code === 'validation_failed' ? 400 : 401);
      await show(req, res, { error: { message: err.message, fields: err.fields }, values: { [field]: login }, next });
    }
  });
  // the second step for accounts with TOTP: the password was right, now the code
  const pending = (req: Request) => {
    const p = req.session?.mfaPending; // no session while its store is unreachable
    return p && p.kind === surface.kind && Date.now() - p.at < MFA_STEP_MS ? p : undefined;
  };
  const showMfa = (req: Request, res: Response, extra: Record<string, unknown> = {}) => render(req, res, 'login-mfa', { title: '两步验证', action: `${loginPath}/mfa`, ...extra });
  r.get('/login/mfa', kit.guards.public, async (req, res) => {
    if (!pending(req)) return res.redirect(303, loginPath);
    await showMfa(req, res);
  });
  r.post('/login/mfa', kit.guards.public, ...kit.limits.login, async (req, res) => {
    const p = pending(req);
    if (!p) return res.redirect(303, loginPath);
    try {
      const account = await kit.secondFactor(surface.kind, p.id, String(req.body.code ?? ''));
      delete req.session.mfaPending;
      await establishLogin(req, account);
      res.redirect(303, p.next);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      res.status(401);
      await showMfa(req, res, { error: { message: err.message, fields: { code: err.message } } });
    }
  });

  r.post('/logout', kit.guards.public, async (req, res) => {
    await destroySession(req);
    res.clearCookie('dc.sid').redirect(303, surface.kind === 'consumer' ? '/' : loginPath);
  });
}
