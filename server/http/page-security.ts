import { ConflictError } from '../lib/errors';
import { mfaRequiredFor } from '../modules/accounts';
import { changePasswordForm } from './api/schemas';
import { auditActor } from './audit-actor';
import { formFailure } from './form-failure';
import type { GuardSpec } from './guards';
import { page, type PageContext, type PageRoute } from './page-route';
import { destroySession, establishLogin } from './session-login';
import { parse } from './validate';

type StaffGuard = Extract<GuardSpec, { kind: 'institution' | 'operator' | 'channel' }>;

/**
 * `/security` of a staff surface: change the password (required first after a one-time
 * password), log out everywhere, set up TOTP (QR code and secret, confirmed by a code), or turn
 * it off where the role does not require it. Reachable before either is done.
 */
export function securityPages(surface: { prefix: string; guard: StaffGuard; mfaRequired: boolean }): PageRoute[] {
  const { prefix, guard } = surface;
  const show = async ({ req, principal: { account }, services, render }: PageContext<StaffGuard, string, undefined>, extra: Record<string, unknown> = {}) => {
    const pending = account.mfaEnabled ? undefined : await services.mfa.pendingSecret(account);
    await render('security', {
      title: '账号安全',
      prefix,
      required: (req.query.required === '1' && !account.mustChangePassword) || undefined,
      passwordRequired: account.mustChangePassword || undefined,
      mustKeep: mfaRequiredFor(account, surface.mfaRequired),
      enrolment: pending && (extra.enrolling || req.query.step === 'confirm') ? { ...pending, qr: await (await import('qrcode')).default.toDataURL(pending.uri, { margin: 1, width: 200 }) } : undefined,
      ...extra,
    });
  };
  return [
    page({ method: 'get', path: '/security', guard, handler: (ctx) => show(ctx) }),
    page({
      method: 'post',
      path: '/security/password',
      guard,
      handler: async (ctx) => {
        const { req, res, principal, services } = ctx;
        const wasRequired = principal.account.mustChangePassword;
        try {
          const body = parse(changePasswordForm, { currentPassword: req.body.currentPassword, password: req.body.password, confirm: req.body.confirm }, '修改信息有误');
          const account = await services.accounts.changePassword(principal.account.id, body.currentPassword, body.password, auditActor(req));
          await establishLogin(req, account); // this session stays; every other one ends
        } catch (err) {
          const error = formFailure(res, err);
          return show(ctx, { passwordError: error });
        }
        req.session.flash = { kind: 'success', message: wasRequired ? '密码已设置，请妥善保管' : '密码已修改，其他设备上的登录已失效' };
        res.redirect(303, wasRequired ? prefix : `${prefix}/security`);
      },
    }),
    page({
      method: 'post',
      path: '/security/logout-everywhere',
      guard,
      handler: async ({ req, res, principal, services }) => {
        await services.accounts.logoutEverywhere(principal.account.id, auditActor(req));
        await destroySession(req);
        res.clearCookie('dc.sid').redirect(303, `${prefix}/login`);
      },
    }),
    page({
      method: 'post',
      path: '/security/mfa/start',
      guard,
      handler: async ({ res, principal, services }) => {
        await services.mfa.beginEnrolment(principal.account);
        res.redirect(303, `${prefix}/security?step=confirm`);
      },
    }),
    page({
      method: 'post',
      path: '/security/mfa/confirm',
      guard,
      handler: async (ctx) => {
        const { req, res, principal, services } = ctx;
        try {
          await services.mfa.confirmEnrolment(principal.account, String(req.body.code ?? ''), auditActor(req));
        } catch (err) {
          const error = formFailure(res, err);
          return show(ctx, { enrolling: true, error });
        }
        req.session.flash = { kind: 'success', message: '两步验证已开启，下次登录时需要输入验证码' };
        res.redirect(303, `${prefix}/security`);
      },
    }),
    page({
      method: 'post',
      path: '/security/mfa/disable',
      guard,
      handler: async ({ req, res, principal, services }) => {
        if (mfaRequiredFor(principal.account, surface.mfaRequired)) throw new ConflictError('mfa_required_for_role', '你的角色必须开启两步验证');
        await services.mfa.disable(principal.account.id, auditActor(req));
        req.session.flash = { kind: 'success', message: '两步验证已关闭' };
        res.redirect(303, `${prefix}/security`);
      },
    }),
  ];
}
