import { OTP_RESEND_SECONDS, type AccountKind } from '../modules/accounts';
import { LoginThrottledError } from '../lib/errors';
import { maskPhone } from '../lib/pii';
import { consumerLoginBody, smsLoginBody, staffLoginBody } from './api/schemas';
import { localPath } from '../lib/local-path';
import { guard, page, type PageContext, type PageRoute } from './page-route';
import { destroySession, establishLogin } from './session-login';
import { parse } from './validate';
import { formFailure } from './form-failure';

const MFA_STEP_MS = 5 * 60_000;

type Ctx = Pick<PageContext<typeof guard.public, string, undefined>, 'req' | 'res' | 'render'>;

/**
 * `GET/POST login` and `POST logout` of one surface: the kind's Passport strategy, a fresh
 * session, back to where the person was going (`next`, kept inside the surface), or the form
 * shown again with the reason. Consumers may also sign in with an SMS code (`login/sms`, the
 * code sent by `login/code`); staff whose login is throttled may send their TOTP code with the
 * password.
 */
export function loginPages(surface: { kind: AccountKind; title: string; prefix: string; home: string; smsLogin?: boolean }): PageRoute[] {
  const field = surface.kind === 'consumer' ? 'phone' : 'username';
  const schema = surface.kind === 'consumer' ? consumerLoginBody : staffLoginBody;
  const loginPath = `${surface.prefix === '/' ? '' : surface.prefix}/login`;
  const nextOf = (req: Ctx['req']) => localPath(req.query.next ?? req.body?.next, surface.prefix) ?? '';
  const show = ({ req, render }: Ctx, extra: Record<string, unknown> = {}) => render('login', { title: surface.title, next: nextOf(req), ...extra });
  // the second step for accounts with TOTP: the password was right, now the code
  const pending = (req: Ctx['req']) => {
    const p = req.session?.mfaPending; // no session while its store is unreachable
    return p && p.kind === surface.kind && Date.now() - p.at < MFA_STEP_MS ? p : undefined;
  };
  const showMfa = ({ render }: Ctx, extra: Record<string, unknown> = {}) => render('login-mfa', { title: '两步验证', action: `${loginPath}/mfa`, ...extra });
  // sign in with an SMS code (its own page): also the way in while a password throttle holds
  const showSms = ({ req, render }: Ctx, extra: Record<string, unknown> = {}) => render('login-sms', { title: '短信验证码登录', next: nextOf(req), ...extra });
  const refuseSms = (ctx: Ctx, err: unknown, extra: Record<string, unknown>) =>
    showSms(ctx, { error: formFailure(ctx.res, err), ...extra });

  const smsPages = [
    page({ method: 'get', path: '/login/sms', guard: guard.public, handler: (ctx) => showSms(ctx) }),
    page({
      method: 'post',
      path: '/login/code',
      guard: guard.public,
      before: (kit) => kit.limits.smsCode,
      handler: async (ctx) => {
        const phone = String(ctx.req.body.phone ?? '').trim();
        try {
          await ctx.services.accounts.requestCode(phone, 'login');
          ctx.res.locals.flash = { kind: 'success', message: `如果 ${maskPhone(phone)} 已注册，验证码已发送，${OTP_RESEND_SECONDS} 秒后可重新获取` };
          await showSms(ctx, { values: { phone }, codeSent: true });
        } catch (err) {
          await refuseSms(ctx, err, { values: { phone } });
        }
      },
    }),
    page({
      method: 'post',
      path: '/login/sms',
      guard: guard.public,
      before: (kit) => kit.limits.login,
      handler: async (ctx) => {
        const { req, res, services } = ctx;
        const next = localPath(req.body.next, surface.prefix) ?? surface.home;
        const phone = String(req.body.phone ?? '');
        try {
          const body = parse(smsLoginBody, { phone, code: req.body.code }, '登录信息有误');
          const account = await services.accounts.loginWithCode(body.phone, body.code);
          await establishLogin(req, account);
          res.redirect(303, next);
        } catch (err) {
          await refuseSms(ctx, err, { values: { phone }, codeSent: true, next });
        }
      },
    }),
  ];

  return [
    page({ method: 'get', path: '/login', guard: guard.public, handler: (ctx) => show(ctx) }),
    page({
      method: 'post',
      path: '/login',
      guard: guard.public,
      before: (kit) => kit.limits.login,
      handler: async (ctx) => {
        const { req, res, kit } = ctx;
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
          await show(ctx, { error, throttled: err instanceof LoginThrottledError, values: { [field]: login }, next });
        }
      },
    }),
    page({
      method: 'get',
      path: '/login/mfa',
      guard: guard.public,
      handler: async (ctx) => {
        if (!pending(ctx.req)) return ctx.res.redirect(303, loginPath);
        await showMfa(ctx);
      },
    }),
    page({
      method: 'post',
      path: '/login/mfa',
      guard: guard.public,
      before: (kit) => kit.limits.login,
      handler: async (ctx) => {
        const { req, res, kit } = ctx;
        const p = pending(req);
        if (!p) return res.redirect(303, loginPath);
        try {
          const account = await kit.secondFactor(surface.kind, p.id, String(req.body.code ?? ''));
          delete req.session.mfaPending;
          await establishLogin(req, account);
          res.redirect(303, p.next);
        } catch (err) {
          const error = formFailure(res, err);
          await showMfa(ctx, { error: { message: error.message, fields: { code: error.message } } });
        }
      },
    }),
    ...(surface.smsLogin ? smsPages : []),
    page({
      method: 'post',
      path: '/logout',
      guard: guard.public,
      handler: async ({ req, res }) => {
        await destroySession(req);
        res.clearCookie('dc.sid').redirect(303, surface.kind === 'consumer' ? '/' : loginPath);
      },
    }),
  ];
}
