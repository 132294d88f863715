import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { AppError, ValidationError } from '../../server/lib/errors';
import { consumerLoginBody, profileBody, registerBody } from '../../server/http/api/schemas';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { destroySession, establishLogin, safeNext } from '../../server/http/session-login';
import { parse } from '../../server/http/validate';
import { creditSelfAssessment, employmentTypes } from '../../server/modules/catalogue';

/** Register, log in and out, and the consumer's profile. */
export function accountRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const { guards, limits, authenticate } = kit;

  const showLogin = (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'login', { title: '登录', next: safeNext(req.query.next ?? req.body?.next, ''), ...extra });

  r.get('/login', guards.public, (req, res) => showLogin(req, res));
  r.post('/login', guards.public, ...limits.login, async (req, res) => {
    const next = safeNext(req.body.next, '/applications');
    try {
      const body = parse(consumerLoginBody, { phone: req.body.phone, password: req.body.password }, '登录信息有误');
      req.body = body; // the strategy reads the validated, trimmed credentials
      const account = await authenticate('consumer', req, res);
      await establishLogin(req, account);
      res.redirect(303, next);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      res.status(err.code === 'account_locked' ? 423 : err.code === 'validation_failed' ? 400 : 401);
      await showLogin(req, res, { error: { message: err.message, fields: err.fields }, values: { phone: req.body.phone }, next });
    }
  });

  r.get('/register', guards.public, (req, res) => render(req, res, 'register', { title: '注册', next: safeNext(req.query.next, '') }));
  r.post('/register', guards.public, limits.register, async (req, res) => {
    const { next, ...fields } = req.body as Record<string, string>;
    try {
      const body = parse(registerBody, { ...fields, displayName: fields.displayName || undefined }, '注册信息有误');
      const account = await services.accounts.registerConsumer(body);
      await establishLogin(req, account);
      await services.audit.record(
        { ...auditActor(req), kind: 'consumer', id: account.id },
        { action: 'account.registered', objectType: 'account', objectId: account.id },
      );
      req.session.flash = { kind: 'success', message: '注册成功，欢迎使用贷超' };
      res.redirect(303, safeNext(next, '/'));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      res.status(err.code === 'account_exists' ? 409 : 400);
      await render(req, res, 'register', {
        title: '注册',
        next: safeNext(next, ''),
        error: { message: err.message, fields: err.fields },
        values: { phone: fields.phone, displayName: fields.displayName },
      });
    }
  });

  r.post('/logout', guards.public, async (req, res) => {
    await destroySession(req);
    res.clearCookie('dc.sid').redirect(303, '/');
  });

  const consumer = guards.consumer('page');
  const showProfile = (req: Request, res: Response, values: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    render(req, res, 'profile', {
      title: '我的资料',
      values,
      employmentTypes,
      creditOptions: Object.entries(creditSelfAssessment).map(([value, c]) => ({ value, label: c.label })),
      next: safeNext(req.query.next ?? req.body?.next, ''),
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
      res.redirect(303, safeNext(next, '/recommendations'));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(400);
      await showProfile(req, res, raw, { error: { message: err.message, fields: err.fields } });
    }
  });
}
