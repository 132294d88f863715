import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { changePasswordBody, contactPreferencesBody, profileBody, registerBody, resetPasswordBody } from '../../server/http/api/schemas';
import { maskPhone } from '../../server/lib/pii';
import { OTP_RESEND_SECONDS } from '../../server/modules/accounts';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import { pageLoginRoutes } from '../../server/http/page-login';
import type { Render } from '../../server/http/render';
import { localPath } from '../../server/lib/local-path';
import { destroySession, establishLogin } from '../../server/http/session-login';
import { parse } from '../../server/http/validate';
import { isTerminal } from '../../server/modules/applications';
import { creditSelfAssessment, employmentTypes } from '../../server/modules/catalogue';
import { formFailure } from '../../server/http/form-failure';
import { ValidationError } from '../../server/lib/errors';

/** Register, log in and out, and the consumer's profile. */
export function accountRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const { guards, limits } = kit;

  pageLoginRoutes(r, kit, render, { kind: 'consumer', title: '登录', prefix: '/', home: '/applications', smsLogin: services.accounts });

  const showRegister = (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'register', { title: '注册', next: localPath(req.query.next ?? req.body?.next) ?? '', ...extra });

  r.get('/register', guards.public, (req, res) => showRegister(req, res));
  // "获取验证码" on the register form (works without JavaScript: the button posts the form here)
  r.post('/register/code', guards.public, limits.smsCode, async (req, res) => {
    const values = { phone: req.body.phone, displayName: req.body.displayName };
    try {
      await services.accounts.requestCode(String(req.body.phone ?? ''), 'register');
      res.locals.flash = { kind: 'success', message: `验证码已发送至 ${maskPhone(String(req.body.phone).trim())}，${OTP_RESEND_SECONDS} 秒后可重新获取` };
      await showRegister(req, res, { values, codeSent: true });
    } catch (err) {
      const error = formFailure(res, err);
      await showRegister(req, res, { values, error });
    }
  });
  r.post('/register', guards.public, limits.register, async (req, res) => {
    const { next, ...fields } = req.body as Record<string, string>;
    try {
      const body = parse(registerBody, { ...fields, displayName: fields.displayName || undefined }, '注册信息有误');
      const account = await services.accounts.registerWithCode(body);
      await establishLogin(req, account);
      await services.risk.recordRegistration(account.id, kit.device(req, res), req.ip ?? '');
      await services.audit.record(
        { ...auditActor(req), kind: 'consumer', id: account.id },
        { action: 'account.registered', objectType: 'account', objectId: account.id },
      );
      req.session.flash = { kind: 'success', message: '注册成功，欢迎使用贷超' };
      res.redirect(303, localPath(next) ?? '/');
    } catch (err) {
      const error = formFailure(res, err);
      await showRegister(req, res, {
        error,
        values: { phone: fields.phone, displayName: fields.displayName },
        codeSent: true,
      });
    }
  });

  const showReset = (req: Request, res: Response, extra: Record<string, unknown> = {}) => render(req, res, 'password-reset', { title: '找回密码', ...extra });
  r.get('/password/reset', guards.public, (req, res) => showReset(req, res));
  r.post('/password/reset/code', guards.public, limits.smsCode, async (req, res) => {
    const values = { phone: req.body.phone };
    try {
      await services.accounts.requestCode(String(req.body.phone ?? ''), 'reset_password');
      res.locals.flash = { kind: 'success', message: '如果该手机号已注册，验证码已发送' };
      await showReset(req, res, { values, codeSent: true });
    } catch (err) {
      const error = formFailure(res, err);
      await showReset(req, res, { values, error });
    }
  });
  r.post('/password/reset', guards.public, limits.register, async (req, res) => {
    try {
      const body = parse(resetPasswordBody, { phone: req.body.phone, code: req.body.code, password: req.body.password }, '重置信息有误');
      await services.accounts.resetPassword(body);
      req.session.flash = { kind: 'success', message: '密码已重置，所有设备都已退出登录，请用新密码登录' };
      res.redirect(303, '/login');
    } catch (err) {
      const error = formFailure(res, err);
      await showReset(req, res, { values: { phone: req.body.phone }, codeSent: true, error });
    }
  });

  const consumer = guards.consumer('page');
  const showProfile = (req: Request, res: Response, values: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    render(req, res, 'profile', {
      title: '我的资料',
      values,
      employmentTypes,
      creditOptions: Object.entries(creditSelfAssessment).map(([value, c]) => ({ value, label: c.label })),
      next: localPath(req.query.next ?? req.body?.next) ?? '',
      ...extra,
    });

  r.get('/profile', consumer, async (req, res) => {
    const p = await services.accounts.profile(req.account!.id);
    await showProfile(req, res, { ...p, monthlyIncome: p.monthlyIncomeFen === null ? '' : p.monthlyIncomeFen / 100 });
  });
  r.post('/profile', consumer, async (req, res) => {
    const { next, ...raw } = req.body as Record<string, string>;
    const fields = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ''));
    try {
      const body = parse(profileBody, fields, '资料有误');
      await services.accounts.saveProfile(req.account!.id, {
        age: body.age ?? null,
        city: body.city ?? null,
        monthlyIncomeFen: body.monthlyIncome ?? null,
        employment: body.employment ?? null,
        creditSelfAssessment: body.creditSelfAssessment ?? null,
      });
      await services.audit.record(auditActor(req), { action: 'profile.updated', objectType: 'account', objectId: req.account!.id });
      req.session.flash = { kind: 'success', message: '资料已保存，推荐和“我能申请”筛选会据此调整' };
      res.redirect(303, localPath(next) ?? '/recommendations');
    } catch (err) {
      const error = formFailure(res, err);
      await showProfile(req, res, raw, { error });
    }
  });

  const showSecurity = async (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'security', { title: '账号与安全', ...extra });
  r.get('/account/security', consumer, (req, res) => showSecurity(req, res));
  r.post('/account/password', consumer, async (req, res) => {
    try {
      const body = parse(changePasswordBody, { currentPassword: req.body.currentPassword, password: req.body.password }, '修改信息有误');
      const account = await services.accounts.changePassword(req.account!.id, body.currentPassword, body.password, auditActor(req));
      await establishLogin(req, account);
      req.session.flash = { kind: 'success', message: '密码已修改，其他设备已退出登录' };
      res.redirect(303, '/account/security');
    } catch (err) {
      const error = formFailure(res, err);
      await showSecurity(req, res, { error });
    }
  });
  r.post('/account/logout-everywhere', consumer, async (req, res) => {
    await services.accounts.logoutEverywhere(req.account!.id, auditActor(req));
    await destroySession(req);
    res.clearCookie('dc.sid').redirect(303, '/login');
  });

  /** 我的: where everything personal is, with what needs attention first. */
  r.get('/account', consumer, async (req, res) => {
    const id = req.account!.id;
    const [applications, loans, unread, identity] = await Promise.all([
      services.applications.listForConsumer(id),
      services.loans.listForConsumer(id),
      services.notifications.unreadCount(id),
      services.identity.summary(id),
    ]);
    const active = loans.filter((l) => l.status === 'active');
    const nextDue = active
      .filter((l) => l.nextDue)
      .map((l) => ({ loanId: l.id, productName: l.productName, ...l.nextDue! }))
      .sort((a, b) => a.dueDate.localeCompare(b.dueDate))[0];
    await render(req, res, 'account', {
      title: '我的',
      inProgress: applications.filter((a) => !isTerminal(a.status)).length,
      applicationCount: applications.length,
      activeLoans: active.length,
      overdueLoans: active.filter((l) => l.overdueFen > 0).length,
      nextDue,
      unread,
      identity,
    });
  });

  r.get('/notifications', consumer, async (req, res) => {
    const items = await services.notifications.list(req.account!.id);
    await render(req, res, 'notifications', { title: '消息通知', items });
  });
  r.post('/notifications/read', consumer, async (req, res) => {
    await services.notifications.markAllRead(req.account!.id);
    res.redirect(303, '/notifications');
  });

  // ── contact preferences ──────────────────────────────────────────────────────────────────
  const showContact = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const prefs = await services.accounts.contactPreferences(req.account!.id);
    const applied = await services.applications.listForConsumer(req.account!.id);
    const institutions = [...new Map(applied.map((a) => [a.institutionId, a.institutionName]))].map(([id, name]) => ({
      id,
      name,
      blocked: prefs.blockedInstitutionIds.includes(id),
    }));
    await render(req, res, 'contact', { title: '联系偏好', prefs, institutions, ...extra });
  };
  r.get('/account/contact', consumer, (req, res) => showContact(req, res));
  r.post('/account/contact', consumer, async (req, res) => {
    try {
      const body = parse(
        contactPreferencesBody,
        { allowSms: req.body.allowSms === 'on', allowCall: req.body.allowCall === 'on', quietStart: req.body.quietStart, quietEnd: req.body.quietEnd },
        '联系偏好有误',
      );
      await services.accounts.saveContactPreferences(req.account!.id, body);
      req.session.flash = { kind: 'success', message: '联系偏好已保存，机构处理你的申请时会看到' };
      res.redirect(303, '/account/contact');
    } catch (err) {
      const error = formFailure(res, err);
      await showContact(req, res, { error });
    }
  });
  r.post('/account/contact/block', consumer, async (req, res) => {
    const institutionId = String(req.body.institutionId ?? '');
    const applied = await services.applications.listForConsumer(req.account!.id);
    if (!applied.some((a) => a.institutionId === institutionId)) {
      return showContact(req, res, { error: formFailure(res, new ValidationError('只能对你申请过的机构设置', { institutionId: '只能对你申请过的机构设置' })) });
    }
    await services.accounts.setContactBlock(req.account!.id, institutionId, req.body.blocked === '1');
    req.session.flash = { kind: 'success', message: req.body.blocked === '1' ? '已要求该机构不再联系你' : '已恢复该机构的联系' };
    res.redirect(303, '/account/contact');
  });

  // ── export and close ─────────────────────────────────────────────────────────────────────
  r.get('/account/export', consumer, async (req, res) => {
    const data = await services.dataRights.export(req.account!.id, auditActor(req));
    res.set('Content-Disposition', 'attachment; filename="daichao-my-data.json"').type('application/json').send(JSON.stringify(data, null, 2));
  });
  r.post('/account/close', consumer, async (req, res) => {
    try {
      await services.dataRights.close(req.account!.id, String(req.body.password ?? ''), auditActor(req));
      await destroySession(req);
      res.clearCookie('dc.sid').redirect(303, '/?closed=1');
    } catch (err) {
      const error = formFailure(res, err);
      await showSecurity(req, res, { closeError: error });
    }
  });
}
