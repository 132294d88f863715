import type { Request, Response, Router } from 'express';
import { OTP_RESEND_SECONDS, type AccountKind, type AccountsService } from '../modules/accounts';
import { LoginThrottledError } from '../lib/errors';
import { maskPhone } from '../lib/pii';
import { consumerLoginBody, smsLoginBody, staffLoginBody } from './api/schemas';
import type { HttpKit } from './kit';
import type { Render } from './render';
import { localPath } from '../lib/local-path';
import { destroySession, establishLogin } from './session-login';
import { parse } from './validate';
import { formFailure } from './form-failure';

const MFA_STEP_MS = 5 * 60_000;

/**
 * `GET/POST login` and `POST logout` of one surface: the kind's Passport strategy, a fresh
 * session, back to where the person was going (`next`, kept inside the surface), or the form
 * shown again with the reason. Consumers may also sign in with an SMS code (`login/sms`, the
 * code sent by `login/code`); staff whose login is throttled may send their TOTP code with the
 * password.
 */
export function pageLoginRoutes(
  r: Router,
  kit: HttpKit,
  render: Render,
  surface: { kind: AccountKind; title: string; prefix: string; home: string; smsLogin?: Pick<AccountsService, 'requestCode' | 'loginWithCode'> },
): void {
  const field = surface.kind === 'consumer' ? 'phone' : 'username';
  const schema = surface.kind === 'consumer' ? consumerLoginBody : staffLoginBody;
  const loginPath = `${surface.prefix === '/' ? '' : surface.prefix}/login`;
  const show = (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'login', { title: surface.title, next: localPath(req.query.next ?? req.body?.next, surface.prefix) ?? '', ...extra });

  r.get('/login', kit.guards.public, (req, res) => show(req, res));
  r.post('/login', kit.guards.public, ...kit.limits.login, async (req, res) => {
    const next = localPath(req.body.next, surface.prefix) ?? surface.home;
    const login = req.body[field];
    const totp = surface.kind === 'consumer' ? undefined : String(req.body.totp ?? '').trim() || undefined;
    try {
      // the strategy reads the validated, trimmed credentials
      req.body = parse(schema, { [field]: login, password: req.body.password, ...(totp ? { totp } : {}) }, '登录信息有误');
      const account = await kit.authenticate(surface.kind, req, res);
      if (account.mfaEnabled && !totp) {
        req.session.mfaPending = { kind: surface.kind, id: account.id, next, at: Date.now() };
        return res.redirect(303, `${loginPath}/mfa`);
      }
      await establishLogin(req, account);
      res.redirect(303, next);
    } catch (err) {
      const error = formFailure(res, err);
      await show(req, res, { error, throttled: err instanceof LoginThrottledError, values: { [field]: login }, next });
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
      const error = formFailure(res, err);
      await showMfa(req, res, { error: { message: error.message, fields: { code: error.message } } });
    }
  });

  const { smsLogin } = surface;
  if (smsLogin) {
    // sign in with an SMS code (its own page): also the way in while a password throttle holds
    const showSms = (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
      render(req, res, 'login-sms', { title: '短信验证码登录', next: localPath(req.query.next ?? req.body?.next, surface.prefix) ?? '', ...extra });
    const refuseSms = (req: Request, res: Response, err: unknown, extra: Record<string, unknown>) => {
      return showSms(req, res, { error: formFailure(res, err), ...extra });
    };
    r.get('/login/sms', kit.guards.public, (req, res) => showSms(req, res));
    r.post('/login/code', kit.guards.public, kit.limits.smsCode, async (req, res) => {
      const phone = String(req.body.phone ?? '').trim();
      try {
        await smsLogin.requestCode(phone, 'login');
        res.locals.flash = { kind: 'success', message: `如果 ${maskPhone(phone)} 已注册，验证码已发送，${OTP_RESEND_SECONDS} 秒后可重新获取` };
        await showSms(req, res, { values: { phone }, codeSent: true });
      } catch (err) {
        await refuseSms(req, res, err, { values: { phone } });
      }
    });
    r.post('/login/sms', kit.guards.public, ...kit.limits.login, async (req, res) => {
      const next = localPath(req.body.next, surface.prefix) ?? surface.home;
      const phone = String(req.body.phone ?? '');
      try {
        const body = parse(smsLoginBody, { phone, code: req.body.code }, '登录信息有误');
        const account = await smsLogin.loginWithCode(body.phone, body.code);
        await establishLogin(req, account);
        res.redirect(303, next);
      } catch (err) {
        await refuseSms(req, res, err, { values: { phone }, codeSent: true, next });
      }
    });
  }

  r.post('/logout', kit.guards.public, async (req, res) => {
    await destroySession(req);
    res.clearCookie('dc.sid').redirect(303, surface.kind === 'consumer' ? '/' : loginPath);
  });
}
