import { Router, type Request, type Response } from 'express';
import type { Services } from '../server/container';
import { AppError, ValidationError, ConflictError } from '../server/lib/errors';
import { leadStatusBody, staffLoginBody } from '../server/http/api/schemas';
import { toStatusChange } from '../server/http/api/partner-api';
import { auditActor } from '../server/http/audit-actor';
import { formIdempotent } from '../server/http/idempotency';
import type { HttpKit } from '../server/http/kit';
import type { Render } from '../server/http/render';
import { destroySession, establishLogin, safeNext } from '../server/http/session-login';
import { parse } from '../server/http/validate';
import { formatYuan } from '../server/lib/money';
import { applicationStatuses, rejectReasons, statusLabels, type ApplicationStatus } from '../server/modules/applications';

/** The institution portal, mounted at `/partner`. */
export function createInstitutionPortal(services: Services, kit: HttpKit, baseRender: Render): Router {
  const { guards, limits, authenticate } = kit;
  const r = Router();
  const staff = guards.institution('page');
  const render: Render = async (req, res, page, ctx = {}) => {
    const institutionName = req.institutionId ? (await services.institutions.get(req.institutionId)).shortName : undefined;
    return baseRender(req, res, page, { institutionName, ...ctx });
  };

  const showLogin = (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'login', { title: '机构登录', next: safeNext(req.query.next ?? req.body?.next, '', '/partner'), ...extra });

  r.get('/login', guards.public, (req, res) => showLogin(req, res));
  r.post('/login', guards.public, ...limits.login, async (req, res) => {
    try {
      const body = parse(staffLoginBody, { username: req.body.username, password: req.body.password }, '登录信息有误');
      req.body = body; // the strategy reads the validated, trimmed credentials
      const account = await authenticate('institution', req, res);
      await establishLogin(req, account);
      res.redirect(303, safeNext(req.body.next, '/partner/leads', '/partner'));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      res.status(err.code === 'account_locked' ? 423 : err.code === 'validation_failed' ? 400 : 401);
      await showLogin(req, res, { error: { message: err.message }, values: { username: req.body.username } });
    }
  });
  r.post('/logout', guards.public, async (req, res) => {
    await destroySession(req);
    res.clearCookie('dc.sid').redirect(303, '/partner/login');
  });

  r.get('/', staff, (_req, res) => res.redirect(303, '/partner/leads'));

  r.get('/leads', staff, async (req, res) => {
    const status = (applicationStatuses as readonly string[]).includes(String(req.query.status))
      ? (req.query.status as ApplicationStatus)
      : undefined;
    const leads = await services.applications.listLeads(req.institutionId!, { status });
    await render(req, res, 'leads', {
      title: '线索',
      leads,
      status,
      statuses: applicationStatuses.map((s) => ({ value: s, label: statusLabels[s] })),
    });
  });

  const showLead = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const lead = await services.applications.getLead(req.institutionId!, String(req.params.id), auditActor(req));
    await render(req, res, 'lead', {
      title: lead.productName,
      lead,
      rejectReasons: Object.entries(rejectReasons).map(([value, label]) => ({ value, label })),
      ...extra,
    });
  };

  r.get('/leads/:id', staff, (req, res) => showLead(req, res));
  // show the consented fields in clear: a recorded release, audited; refused after withdrawal
  r.post('/leads/:id/reveal', staff, async (req, res) => {
    try {
      const revealed = await services.applications.revealLead(req.institutionId!, String(req.params.id), auditActor(req), 'portal');
      await showLead(req, res, { revealed });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'consent_withdrawn') throw err;
      res.status(403);
      await showLead(req, res, { error: { message: err.message } });
    }
  });
  r.post('/leads/:id/status', staff, formIdempotent(services.idempotency), async (req, res) => {
    const id = String(req.params.id);
    try {
      const body = parse(leadStatusBody, req.body, '状态变更信息有误');
      const { commission } = await services.applications.changeStatusByInstitution(req.institutionId!, id, toStatusChange(body), auditActor(req));
      req.session.flash = {
        kind: 'success',
        message: `已更新为「${statusLabels[body.status]}」${commission ? `，产生佣金 ${formatYuan(commission.amountFen)}` : ''}`,
      };
      res.redirect(303, `/partner/leads/${id}`);
    } catch (err) {
      if (!(err instanceof ValidationError) && !(err instanceof ConflictError)) throw err;
      res.status(err instanceof ValidationError ? 400 : 409);
      await showLead(req, res, { error: { message: err.message, fields: err.fields } });
    }
  });

  return r;
}
