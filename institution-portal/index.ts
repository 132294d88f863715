import { formFailure } from '../server/http/form-failure';
import { Router, type Request, type Response } from 'express';
import { onboardingRoutes } from './routes/onboarding';
import { invitePages } from '../server/http/page-invite';
import { securityPages } from '../server/http/page-security';
import { staffPages } from '../server/http/page-staff';
import type { Services } from '../server/container';
import { AppError, ValidationError } from '../server/lib/errors';
import { bulkLeadBody, leadFilterQuery, leadStatusBody, prescreenRuleBody } from '../server/http/api/schemas';
import { toLeadFilter } from '../server/http/lead-filter';
import { leadsCsv } from '../server/http/lead-csv';
import { sendCsv } from '../server/http/csv';
import { creditSelfAssessment } from '../server/modules/catalogue';
import { documentKinds } from '../server/modules/documents';
import { toStatusChange } from '../server/http/lead-status';
import { auditActor } from '../server/http/audit-actor';
import { formIdempotent } from '../server/http/idempotency';
import { confirmed, withConfirmation } from '../server/http/confirm';
import type { HttpKit } from '../server/http/kit';
import { loginPages } from '../server/http/page-login';
import { guard, mountPages } from '../server/http/page-route';
import type { Render } from '../server/http/render';
import { fieldErrors, parse } from '../server/http/validate';
import { formatYuan } from '../server/lib/money';
import { applicationStatuses, rejectReasons, statusLabels } from '../server/modules/applications';
import { complaintRoutes } from './routes/complaints';
import { statisticsRoutes } from './routes/statistics';
import { productsRoutes } from './routes/products';
import { promotionsRoutes } from './routes/promotions';
import { loanPortalRoutes } from './routes/loans';
import { statementRoutes } from './routes/statements';
import { reconciliationRoutes } from './routes/reconciliations';
import { portalAgenda } from './agenda';
import { Decimal } from 'decimal.js';

/** The institution portal, mounted at `/partner`. */
export function createInstitutionPortal(services: Services, kit: HttpKit, baseRender: Render, options: { mfaRequired: boolean }): Router {
  const { guards } = kit;
  const r = Router();
  const staff = guards.institution('page', 'leads.work');
  const portal = guards.institution('page', 'portal.view');
  const render: Render = async (req, res, page, ctx = {}) => {
    const institutionName = req.institutionId ? (await services.institutions.get(req.institutionId)).shortName : undefined;
    return baseRender(req, res, page, { institutionName, ...ctx });
  };

  mountPages(r, loginPages({ kind: 'institution', title: '机构登录', prefix: '/partner', home: '/partner' }), services, kit, render);

  r.get('/', portal, async (req, res) => {
    const institution = await services.institutions.get(req.institutionId!);
    const [licence, agenda] = await Promise.all([services.licences.stateOf(institution), portalAgenda(services, req.institutionId!, req.account!.role)]);
    await render(req, res, 'home', { title: institution.shortName, institution, licence, agenda });
  });
  onboardingRoutes(r, services, kit, render);
  mountPages(r, invitePages({ kind: 'institution', prefix: '/partner' }), services, kit, render);
  mountPages(r, securityPages({ prefix: '/partner', guard: guard.institution('portal.view', { allowSecuritySetup: true }), mfaRequired: options.mfaRequired }), services, kit, render);
  mountPages(r, staffPages({ prefix: '/partner', guard: guard.institution('staff.manage') }), services, kit, render);

  const inboxQuery = (req: Request) => {
    const raw = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== '' && v !== undefined));
    const parsed = leadFilterQuery.safeParse(raw);
    return { raw, parsed, filter: parsed.success ? toLeadFilter(parsed.data) : {} };
  };

  r.get('/leads', staff, async (req, res) => {
    const { raw, parsed, filter } = inboxQuery(req);
    const [leads, products] = await Promise.all([
      services.applications.listLeads(req.institutionId!, filter),
      services.catalogue.listForInstitution(req.institutionId!),
    ]);
    await render(req, res, 'leads', {
      title: '线索',
      leads,
      q: raw,
      csvHref: `/partner/leads.csv?${new URLSearchParams(raw as Record<string, string>)}`,
      error: parsed.success ? undefined : { message: '部分筛选条件无效，已忽略', fields: fieldErrors(parsed.error) },
      products: products.map((p) => ({ id: p.id, name: p.name })),
      statuses: applicationStatuses.map((s) => ({ value: s, label: statusLabels[s] })),
      creditBands: Object.entries(creditSelfAssessment).map(([value, c]) => ({ value, label: c.label })),
      rejectReasons: Object.entries(rejectReasons).map(([value, label]) => ({ value, label })),
      staleCount: leads.filter((l) => l.stale).length,
      // the filters folded under 更多筛选 start open when one of them is in use
      moreFilters: ['productId', 'from', 'to', 'minAmount', 'maxAmount', 'creditBand', 'region', 'queue'].some((k) => raw[k] !== undefined),
    });
  });

  r.get('/leads.csv', staff, async (req, res) => {
    const { filter } = inboxQuery(req);
    const leads = await services.applications.exportLeads(req.institutionId!, filter, auditActor(req));
    sendCsv(res, `leads-${new Date().toISOString().slice(0, 10)}.csv`, leadsCsv(leads));
  });

  r.post('/leads/bulk', staff, async (req, res) => {
    const ids = Array.isArray(req.body.ids) ? req.body.ids : req.body.ids ? [req.body.ids] : [];
    const parsed = bulkLeadBody.safeParse({ ids, status: req.body.status, reason: req.body.reason || undefined });
    if (!parsed.success || (parsed.data.status === 'rejected' && !parsed.data.reason)) {
      req.session.flash = { kind: 'error', message: parsed.success ? '批量拒绝需选择原因' : Object.values(fieldErrors(parsed.error)).join('；') };
      return res.redirect(303, '/partner/leads');
    }
    const { status, reason } = parsed.data;
    // rejecting cannot be undone: a page says what will happen and asks once more (works without script)
    if (status === 'rejected' && req.body.confirm !== 'yes') {
      return render(req, res, 'leads-bulk-confirm', { title: '确认批量拒绝', ids: parsed.data.ids, reason, reasonLabel: rejectReasons[reason!] });
    }
    let done = 0;
    const failed: string[] = [];
    for (const id of parsed.data.ids) {
      try {
        await services.applications.changeStatusByInstitution(
          req.institutionId!,
          id,
          status === 'rejected' ? { status, reason: reason!, note: '批量操作' } : { status, note: '批量操作' },
          auditActor(req),
        );
        done += 1;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failed.push(`${id.slice(-6)}：${err.message}`);
      }
    }
    req.session.flash = {
      kind: failed.length ? 'error' : 'success',
      message: `已更新 ${done} 条为「${statusLabels[status]}」${failed.length ? `；${failed.length} 条未更新（${failed.slice(0, 3).join('；')}）` : ''}`,
    };
    res.redirect(303, '/partner/leads');
  });

  const showLead = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const lead = await services.applications.getLead(req.institutionId!, String(req.params.id), auditActor(req));
    const messages = await services.messages.thread(lead.id);
    const documents = lead.applicant ? (await services.documents.listForApplication(lead.id)).map((d) => ({ ...d, kindLabel: documentKinds[d.kind] })) : [];
    const loanId = lead.status === 'disbursed' ? await services.loans.idForApplication(lead.id, { institutionId: req.institutionId! }) : null;
    await render(req, res, 'lead', {
      offeredAprPercent: lead.nextStatuses.includes('approved') ? await services.applications.quotedAprPercent(lead) : undefined,
      loanId,
      messages,
      documents,
      title: lead.productName,
      lead,
      rejectReasons: Object.entries(rejectReasons).map(([value, label]) => ({ value, label })),
      ...extra,
    });
  };

  r.get('/leads/:id', staff, (req, res) => showLead(req, res));
  r.get('/documents/:id', staff, async (req, res) => {
    const { row, bytes } = await services.documents.openByInstitution(req.institutionId!, String(req.params.id), auditActor(req));
    res.type(row.mime).set('Content-Disposition', 'inline').set('Cache-Control', 'private, no-store').send(bytes);
  });
  r.post('/leads/:id/messages', staff, async (req, res) => {
    try {
      await services.messages.postByInstitution(req.institutionId!, String(req.params.id), req.account!.id, String(req.body.body ?? ''));
      res.redirect(303, `/partner/leads/${String(req.params.id)}#messages`);
    } catch (err) {
      const error = formFailure(res, err);
      await showLead(req, res, { messageError: error.fields?.body ?? error.message });
    }
  });
  // show the consented fields in clear: a recorded release, audited; refused after withdrawal
  r.post('/leads/:id/reveal', staff, async (req, res) => {
    try {
      const revealed = await services.applications.revealLead(req.institutionId!, String(req.params.id), auditActor(req), 'portal');
      await showLead(req, res, { revealed });
    } catch (err) {
      const error = formFailure(res, err);
      await showLead(req, res, { error: { message: error.message } });
    }
  });
  r.post('/leads/:id/status', staff, formIdempotent(services.idempotency), async (req, res) => {
    const id = String(req.params.id);
    try {
      // approving, rejecting and disbursing cannot be undone: the page asks first (starting a review can be)
      const parseStatus = (input: Record<string, unknown>) => parse(leadStatusBody, aprFromPercent(input), '状态变更信息有误');
      const body = req.body.status === 'reviewing' ? parseStatus(req.body) : withConfirmation(req.body, parseStatus);
      const { commission } = await services.applications.changeStatusByInstitution(req.institutionId!, id, toStatusChange(body), auditActor(req));
      req.session.flash = {
        kind: 'success',
        message: `已更新为「${statusLabels[body.status]}」${commission && commission.amountFen > 0 ? `，产生佣金 ${formatYuan(commission.amountFen)}` : ''}`,
      };
      res.redirect(303, `/partner/leads/${id}`);
    } catch (err) {
      const error = formFailure(res, err);
      await showLead(req, res, { error, values: req.body, confirmError: { [String(req.body.status)]: error.fields?.confirm } });
    }
  });

  // ── API keys (institution admins) ─────────────────────────────────────────────────────────
  const integration = guards.institution('page', 'integration.manage');
  const prescreenManager = guards.institution('page', 'prescreen.manage');
  const showKeys = async (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'api-keys', { title: 'API 密钥', keys: await services.institutions.listApiKeys(req.institutionId!), ...extra });
  r.get('/api-keys', integration, (req, res) => showKeys(req, res));
  r.post('/api-keys', integration, async (req, res) => {
    const name = String(req.body.name ?? '').trim();
    if (name.length < 1 || name.length > 40) {
      return showKeys(req, res, { error: formFailure(res, new ValidationError('请填写密钥名称（1–40 字）', { name: '必填' })) });
    }
    const created = await services.institutions.createApiKey(req.institutionId!, name, auditActor(req));
    await showKeys(req, res, { created });
  });
  r.post('/api-keys/:id/revoke', integration, async (req, res) => {
    try {
      confirmed(req.body);
    } catch (err) {
      const error = formFailure(res, err);
      return showKeys(req, res, { error, confirmError: { [String(req.params.id)]: error.fields?.confirm } });
    }
    await services.institutions.revokeApiKey(req.institutionId!, String(req.params.id), auditActor(req));
    req.session.flash = { kind: 'success', message: '密钥已吊销，使用它的请求会被拒绝' };
    res.redirect(303, '/partner/api-keys');
  });

  // ── lead webhooks (institution admins) ────────────────────────────────────────────────────
  const showWebhook = async (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'webhook', {
      title: '线索回调',
      endpoint: await services.webhooks.getEndpoint(req.institutionId!),
      deliveries: await services.webhooks.deliveries(req.institutionId!, 50),
      ...extra,
    });
  r.get('/webhook', integration, (req, res) => showWebhook(req, res));
  r.post('/webhook', integration, async (req, res) => {
    try {
      const created = await services.webhooks.setEndpoint(req.institutionId!, String(req.body.url ?? ''), auditActor(req));
      await showWebhook(req, res, { created });
    } catch (err) {
      const error = formFailure(res, err);
      await showWebhook(req, res, { error, values: { url: req.body.url } });
    }
  });
  r.post('/webhook/disable', integration, async (req, res) => {
    await services.webhooks.disableEndpoint(req.institutionId!, auditActor(req));
    req.session.flash = { kind: 'success', message: '回调已停用，待发送的消息会在重新启用后继续发送' };
    res.redirect(303, '/partner/webhook');
  });
  r.post('/webhook/deliveries/:id/retry', integration, async (req, res) => {
    await services.webhooks.retryNow(req.institutionId!, String(req.params.id));
    req.session.flash = { kind: 'success', message: '已安排立即重试' };
    res.redirect(303, '/partner/webhook');
  });

  // ── pre-screen rules (institution admins) ─────────────────────────────────────────────────
  const showRules = async (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'prescreen', {
      title: '预筛规则',
      rules: await services.prescreen.list(req.institutionId!),
      rejectReasons: Object.entries(rejectReasons).map(([value, label]) => ({ value, label })),
      ...extra,
    });
  r.get('/prescreen', prescreenManager, (req, res) => showRules(req, res));
  r.post('/prescreen', prescreenManager, async (req, res) => {
    try {
      const raw = Object.fromEntries(Object.entries(req.body as Record<string, string>).filter(([, v]) => v !== ''));
      const body = parse(prescreenRuleBody, raw, '规则有误');
      await services.prescreen.create(req.institutionId!, { ...body, rejectReason: body.rejectReason ?? null }, auditActor(req));
      req.session.flash = { kind: 'success', message: '规则已保存，对之后到达的线索生效' };
      res.redirect(303, '/partner/prescreen');
    } catch (err) {
      const error = formFailure(res, err);
      await showRules(req, res, { error, values: req.body });
    }
  });
  r.post('/prescreen/:id/toggle', prescreenManager, async (req, res) => {
    await services.prescreen.setActive(req.institutionId!, String(req.params.id), req.body.active === '1');
    res.redirect(303, '/partner/prescreen');
  });

  complaintRoutes(r, services, kit, render);
  statisticsRoutes(r, services, kit, render);
  productsRoutes(r, services, kit, render);
  promotionsRoutes(r, services, kit, render);
  loanPortalRoutes(r, services, kit, render);
  statementRoutes(r, services, kit, render);
  reconciliationRoutes(r, services, kit, render);

  return r;
}

/** The page asks for the APR in percent (12.34), as people write it; the status body takes a fraction (0.1234). */
function aprFromPercent(body: Record<string, unknown>): Record<string, unknown> {
  if (body.offeredAprPercent === undefined) return body;
  const { offeredAprPercent, ...rest } = body;
  const text = String(offeredAprPercent).trim();
  if (!/^\d{1,3}(\.\d{1,4})?$/.test(text)) throw new ValidationError('综合年化有误', { offeredAprPercent: '请输入百分比，如 12.00（最多四位小数）' });
  return { ...rest, offeredApr: new Decimal(text).div(100).toString() };
}

