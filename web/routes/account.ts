import { changePasswordBody, contactPreferencesBody, profileChanges, profileUpdateBody, registerBody, resetPasswordBody } from '../../server/http/api/schemas';
import { requestOrigin } from '../../server/http/request-origin';
import { registerAgreeing } from '../../server/http/agreements';
import { maskPhone } from '../../server/lib/pii';
import { OTP_RESEND_SECONDS } from '../../server/modules/accounts';
import { auditActor } from '../../server/http/audit-actor';
import { loginPages } from '../../server/http/page-login';
import { guard, page, type PageContext } from '../../server/http/page-route';
import { localPath } from '../../server/lib/local-path';
import { destroySession, establishLogin } from '../../server/http/session-login';
import { parse } from '../../server/http/validate';
import { isTerminal } from '../../server/modules/applications';
import { creditSelfAssessment, employmentTypes } from '../../server/modules/catalogue';
import { formFailure } from '../../server/http/form-failure';
import { ValidationError } from '../../server/lib/errors';

type Visitor = Pick<PageContext<typeof guard.public, string, undefined>, 'req' | 'render'>;
type Consumer = PageContext<typeof guard.consumer, string, undefined>;

const showRegister = async ({ req, render, services }: Visitor & Pick<PageContext<typeof guard.public, string, undefined>, 'services'>, extra: Record<string, unknown> = {}) =>
  render('register', { title: '注册', next: localPath(req.query.next ?? req.body?.next) ?? '', agreements: await services.contracts.currentAgreements(), ...extra });
const showReset = ({ render }: Visitor, extra: Record<string, unknown> = {}) => render('password-reset', { title: '找回密码', ...extra });
const showProfile = ({ req, render }: Consumer, values: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  render('profile', {
    title: '我的资料',
    values,
    employmentTypes,
    creditOptions: Object.entries(creditSelfAssessment).map(([value, c]) => ({ value, label: c.label })),
    next: localPath(req.query.next ?? req.body?.next) ?? '',
    ...extra,
  });
const showSecurity = ({ render }: Consumer, extra: Record<string, unknown> = {}) => render('security', { title: '账号与安全', ...extra });
const showContact = async ({ principal, services, render }: Consumer, extra: Record<string, unknown> = {}) => {
  const prefs = await services.accounts.contactPreferences(principal.account.id);
  const applied = await services.applications.listForConsumer(principal.account.id);
  const institutions = [...new Map(applied.map((a) => [a.institutionId, a.institutionName]))].map(([id, name]) => ({
    id,
    name,
    blocked: prefs.blockedInstitutionIds.includes(id),
  }));
  await render('contact', { title: '联系偏好', prefs, institutions, ...extra });
};

/** Shows a registration form again (the register page, or a channel's landing page) with what was typed and why it was refused. */
export type ShowRegisterForm = (ctx: PageContext<typeof guard.public, string, undefined>, extra: Record<string, unknown>) => Promise<void>;

/**
 * "获取验证码" on a registration form: the one handler of the register page and of the channel
 * landing pages (web/routes/landing.ts), each showing its own page again.
 */
export async function sendRegisterCode(ctx: PageContext<typeof guard.public, string, undefined>, show: ShowRegisterForm): Promise<void> {
  const { req, res, services } = ctx;
  const values = { phone: req.body.phone, displayName: req.body.displayName, agree: req.body.agree === 'yes' };
  try {
    await services.accounts.requestCode(String(req.body.phone ?? ''), 'register');
    res.locals.flash = { kind: 'success', message: `验证码已发送至 ${maskPhone(String(req.body.phone).trim())}，${OTP_RESEND_SECONDS} 秒后可重新获取` };
    await show(ctx, { values, codeSent: true });
  } catch (err) {
    const error = formFailure(res, err);
    await show(ctx, { values, error });
  }
}

/**
 * 注册 from a form: the register page and the channel landing pages alike. The account is
 * created with the agreements accepted and attributed to the channel that brought the visitor
 * (registerAgreeing), logged in, and sent on to `next` (or `/`).
 */
export async function submitRegister(ctx: PageContext<typeof guard.public, string, undefined>, show: ShowRegisterForm): Promise<void> {
  const { req, res, services, kit } = ctx;
  const { next, agree, userAgreementVersion, privacyPolicyVersion, ...fields } = req.body as Record<string, string>;
  try {
    const agreements = agree === 'yes' ? { userAgreement: Number(userAgreementVersion), privacyPolicy: Number(privacyPolicyVersion) } : undefined;
    const body = parse(registerBody, { ...fields, displayName: fields.displayName || undefined, agreements }, '注册信息有误');
    const account = await registerAgreeing(services, body, requestOrigin(kit, req, res, 'web'));
    await establishLogin(req, account);
    req.session.flash = { kind: 'success', message: '注册成功，欢迎使用贷超' };
    res.redirect(303, localPath(next) ?? '/');
  } catch (err) {
    const error = formFailure(res, err);
    await show(ctx, {
      error,
      values: { phone: fields.phone, displayName: fields.displayName, agree: agree === 'yes' },
      codeSent: true,
    });
  }
}

/** Register, log in and out, and the consumer's profile. */
export const accountPages = [
  ...loginPages({ kind: 'consumer', title: '登录', prefix: '/', home: '/applications', smsLogin: true }),

  page({ method: 'get', path: '/register', guard: guard.public, handler: (ctx) => showRegister(ctx) }),
  // "获取验证码" on the register form (works without JavaScript: the button posts the form here)
  page({ method: 'post', path: '/register/code', guard: guard.public, before: (kit) => kit.limits.smsCode, handler: (ctx) => sendRegisterCode(ctx, showRegister) }),
  page({ method: 'post', path: '/register', guard: guard.public, before: (kit) => kit.limits.register, handler: (ctx) => submitRegister(ctx, showRegister) }),

  page({ method: 'get', path: '/password/reset', guard: guard.public, handler: (ctx) => showReset(ctx) }),
  page({
    method: 'post',
    path: '/password/reset/code',
    guard: guard.public,
    before: (kit) => kit.limits.smsCode,
    handler: async (ctx) => {
      const { req, res, services } = ctx;
      const values = { phone: req.body.phone };
      try {
        await services.accounts.requestCode(String(req.body.phone ?? ''), 'reset_password');
        res.locals.flash = { kind: 'success', message: '如果该手机号已注册，验证码已发送' };
        await showReset(ctx, { values, codeSent: true });
      } catch (err) {
        const error = formFailure(res, err);
        await showReset(ctx, { values, error });
      }
    },
  }),
  page({
    method: 'post',
    path: '/password/reset',
    guard: guard.public,
    before: (kit) => kit.limits.register,
    handler: async (ctx) => {
      const { req, res, services } = ctx;
      try {
        const body = parse(resetPasswordBody, { phone: req.body.phone, code: req.body.code, password: req.body.password }, '重置信息有误');
        await services.accounts.resetPassword(body);
        req.session.flash = { kind: 'success', message: '密码已重置，所有设备都已退出登录，请用新密码登录' };
        res.redirect(303, '/login');
      } catch (err) {
        const error = formFailure(res, err);
        await showReset(ctx, { values: { phone: req.body.phone }, codeSent: true, error });
      }
    },
  }),

  page({
    method: 'get',
    path: '/profile',
    guard: guard.consumer,
    handler: async (ctx) => {
      const p = await ctx.services.accounts.profile(ctx.principal.account.id);
      await showProfile(ctx, { ...p, monthlyIncome: p.monthlyIncomeFen === null ? '' : p.monthlyIncomeFen / 100 });
    },
  }),
  page({
    method: 'post',
    path: '/profile',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      const { next, ...raw } = req.body as Record<string, string>;
      try {
        // every field the form shows is sent; a blank one clears it (null), one the form leaves out is kept
        const body = parse(profileUpdateBody, Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === '' ? null : v])), '资料有误');
        await services.accounts.updateProfile(principal.account.id, profileChanges(body), auditActor(req));
        req.session.flash = { kind: 'success', message: '资料已保存，推荐和“我能申请”筛选会据此调整' };
        res.redirect(303, localPath(next) ?? '/recommendations');
      } catch (err) {
        const error = formFailure(res, err);
        await showProfile(ctx, raw, { error });
      }
    },
  }),

  page({ method: 'get', path: '/account/security', guard: guard.consumer, handler: (ctx) => showSecurity(ctx) }),
  page({
    method: 'post',
    path: '/account/password',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      try {
        const body = parse(changePasswordBody, { currentPassword: req.body.currentPassword, password: req.body.password }, '修改信息有误');
        const account = await services.accounts.changePassword(principal.account.id, body.currentPassword, body.password, auditActor(req));
        await establishLogin(req, account);
        req.session.flash = { kind: 'success', message: '密码已修改，其他设备已退出登录' };
        res.redirect(303, '/account/security');
      } catch (err) {
        const error = formFailure(res, err);
        await showSecurity(ctx, { error });
      }
    },
  }),
  page({
    method: 'post',
    path: '/account/logout-everywhere',
    guard: guard.consumer,
    handler: async ({ req, res, principal, services }) => {
      await services.accounts.logoutEverywhere(principal.account.id, auditActor(req));
      await destroySession(req);
      res.clearCookie('dc.sid').redirect(303, '/login');
    },
  }),

  /** 我的: where everything personal is, with what needs attention first. */
  page({
    method: 'get',
    path: '/account',
    guard: guard.consumer,
    handler: async ({ principal, services, render }) => {
      const id = principal.account.id;
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
      await render('account', {
        title: '我的',
        inProgress: applications.filter((a) => !isTerminal(a.status)).length,
        applicationCount: applications.length,
        activeLoans: active.length,
        overdueLoans: active.filter((l) => l.overdueFen > 0).length,
        nextDue,
        unread,
        identity,
      });
    },
  }),

  page({
    method: 'get',
    path: '/notifications',
    guard: guard.consumer,
    handler: async ({ principal, services, render }) => {
      const items = await services.notifications.list(principal.account.id);
      await render('notifications', { title: '消息通知', items });
    },
  }),
  page({
    method: 'post',
    path: '/notifications/read',
    guard: guard.consumer,
    handler: async ({ res, principal, services }) => {
      await services.notifications.markAllRead(principal.account.id);
      res.redirect(303, '/notifications');
    },
  }),

  // ── contact preferences ──────────────────────────────────────────────────────────────────
  page({ method: 'get', path: '/account/contact', guard: guard.consumer, handler: (ctx) => showContact(ctx) }),
  page({
    method: 'post',
    path: '/account/contact',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      try {
        const body = parse(
          contactPreferencesBody,
          { allowSms: req.body.allowSms === 'on', allowCall: req.body.allowCall === 'on', quietStart: req.body.quietStart, quietEnd: req.body.quietEnd },
          '联系偏好有误',
        );
        await services.accounts.saveContactPreferences(principal.account.id, body);
        req.session.flash = { kind: 'success', message: '联系偏好已保存，机构处理你的申请时会看到' };
        res.redirect(303, '/account/contact');
      } catch (err) {
        const error = formFailure(res, err);
        await showContact(ctx, { error });
      }
    },
  }),
  page({
    method: 'post',
    path: '/account/contact/block',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      const institutionId = String(req.body.institutionId ?? '');
      const applied = await services.applications.listForConsumer(principal.account.id);
      if (!applied.some((a) => a.institutionId === institutionId)) {
        return showContact(ctx, { error: formFailure(res, new ValidationError('只能对你申请过的机构设置', { institutionId: '只能对你申请过的机构设置' })) });
      }
      await services.accounts.setContactBlock(principal.account.id, institutionId, req.body.blocked === '1');
      req.session.flash = { kind: 'success', message: req.body.blocked === '1' ? '已要求该机构不再联系你' : '已恢复该机构的联系' };
      res.redirect(303, '/account/contact');
    },
  }),

  // ── export and close ─────────────────────────────────────────────────────────────────────
  page({
    method: 'get',
    path: '/account/export',
    guard: guard.consumer,
    handler: async ({ req, res, principal, services }) => {
      const data = await services.dataRights.export(principal.account.id, auditActor(req));
      res.set('Content-Disposition', 'attachment; filename="daichao-my-data.json"').type('application/json').send(JSON.stringify(data, null, 2));
    },
  }),
  page({
    method: 'post',
    path: '/account/close',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      try {
        await services.dataRights.close(principal.account.id, String(req.body.password ?? ''), auditActor(req));
        await destroySession(req);
        res.clearCookie('dc.sid').redirect(303, '/?closed=1');
      } catch (err) {
        const error = formFailure(res, err);
        await showSecurity(ctx, { closeError: error });
      }
    },
  }),
];
