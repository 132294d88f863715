import type { Request, Response, Router } from 'express';
import QRCode from 'qrcode';
import type { Services } from '../container';
import { ConflictError } from '../lib/errors';
import { mfaRequiredFor } from '../modules/accounts';
import { changePasswordForm } from './api/schemas';
import { auditActor } from './audit-actor';
import { formFailure } from './form-failure';
import type { Guard } from './guards';
import type { Render } from './render';
import { destroySession, establishLogin } from './session-login';
import { parse } from './validate';

/**
 * `/security` of a staff surface: change the password (required first after a one-time
 * password), log out everywhere, set up TOTP (QR code and secret, confirmed by a code), or turn
 * it off where the role does not require it. Reachable before either is done.
 */
export function securityRoutes(r: Router, services: Services, render: Render, surface: { prefix: string; guard: Guard; mfaRequired: boolean }): void {
  const { prefix, guard } = surface;
  const show = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const pending = req.account!.mfaEnabled ? undefined : await services.mfa.pendingSecret(req.account!);
    await render(req, res, 'security', {
      title: '账号安全',
      prefix,
      required: (req.query.required === '1' && !req.account!.mustChangePassword) || undefined,
      passwordRequired: req.account!.mustChangePassword || undefined,
      mustKeep: mfaRequiredFor(req.account!, surface.mfaRequired),
      enrolment: pending && (extra.enrolling || req.query.step === 'confirm') ? { ...pending, qr: await QRCode.toDataURL(pending.uri, { margin: 1, width: 200 }) } : undefined,
      ...extra,
    });
  };
  r.get('/security', guard, (req, res) => show(req, res));
  r.post('/security/password', guard, async (req, res) => {
    const wasRequired = req.account!.mustChangePassword;
    try {
      const body = parse(changePasswordForm, { currentPassword: req.body.currentPassword, password: req.body.password, confirm: req.body.confirm }, '修改信息有误');
      const account = await services.accounts.changePassword(req.account!.id, body.currentPassword, body.password, auditActor(req));
      await establishLogin(req, account); // this session stays; every other one ends
    } catch (err) {
      const error = formFailure(res, err);
      return show(req, res, { passwordError: error });
    }
    req.session.flash = { kind: 'success', message: wasRequired ? '密码已设置，请妥善保管' : '密码已修改，其他设备上的登录已失效' };
    res.redirect(303, wasRequired ? prefix : `${prefix}/security`);
  });
  r.post('/security/logout-everywhere', guard, async (req, res) => {
    await services.accounts.logoutEverywhere(req.account!.id, auditActor(req));
    await destroySession(req);
    res.clearCookie('dc.sid').redirect(303, `${prefix}/login`);
  });
  r.post('/security/mfa/start', guard, async (req, res) => {
    await services.mfa.beginEnrolment(req.account!);
    res.redirect(303, `${prefix}/security?step=confirm`);
  });
  r.post('/security/mfa/confirm', guard, async (req, res) => {
    try {
      await services.mfa.confirmEnrolment(req.account!, String(req.body.code ?? ''), auditActor(req));
    } catch (err) {
      const error = formFailure(res, err);
      return show(req, res, { enrolling: true, error });
    }
    req.session.flash = { kind: 'success', message: '两步验证已开启，下次登录时需要输入验证码' };
    res.redirect(303, `${prefix}/security`);
  });
  r.post('/security/mfa/disable', guard, async (req, res) => {
    if (mfaRequiredFor(req.account!, surface.mfaRequired)) throw new ConflictError('mfa_required_for_role', '你的角色必须开启两步验证');
    await services.mfa.disable(req.account!.id, auditActor(req));
    req.session.flash = { kind: 'success', message: '两步验证已关闭' };
    res.redirect(303, `${prefix}/security`);
  });
}
