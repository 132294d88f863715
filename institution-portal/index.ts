import { formFailure } from '../server/http/form-failure';
import { Router, type Request } from 'express';
import { onboardingPages } from './routes/onboarding';
import { invitePages } from '../server/http/page-invite';
import { securityPages } from '../server/http/page-security';
import { staffPages } from '../server/http/page-staff';
import { rolePages } from '../server/http/page-roles';
import type { Services } from '../server/container';
import { AppError, ValidationError } from '../server/lib/errors';
import { bulkLeadBody, leadFilterQuery, leadStatusBody, prescreenRuleBody } from '../server/http/api/schemas';
import { toLeadFilter } from '../server/http/lead-filter';
import { leadsCsv } from '../server/http/lead-csv';
import { sendCsv } from '../server/http/csv';
import { creditSelfAssessment, pricingInput } from '../server/modules/catalogue';
import { documentKinds } from '../server/modules/documents';
import { toStatusChange } from '../server/http/lead-status';
import { auditActor, staffRef } from '../server/http/audit-actor';
import { formIdempotent } from '../server/http/idempotency';
import { confirmed, withConfirmation } from '../server/http/confirm';
import type { HttpKit } from '../server/http/kit';
import { loginPages } from '../server/http/page-login';
import type { Render } from '../server/http/render';
import { fieldErrors, parse } from '../server/http/validate';
import { formatYuan } from '../server/lib/money';
import { applicationStatuses, pricingReasons, rejectReasons, statusLabels, OFFER_DEFAULT_DAYS } from '../server/modules/applications';
import { methodFor, methodLabels, priceRangeIfOffered } from '../server/modules/pricing';
import { rulePresets, type RulePreset } from '../server/modules/prescreen';
import { complaintPages } from './routes/complaints';
import { statisticsPages } from './routes/statistics';
import { staffPerformancePages } from './routes/staff-performance';
import { productPages } from './routes/products';
import { promotionPages } from './routes/promotions';
import { loanPortalPages } from './routes/loans';
import { reviewPortalPages } from './routes/reviews';
import { statementPages } from './routes/statements';
import { reconciliationPages } from './routes/reconciliations';
import { contractPortalPages } from './routes/contracts';
import { profilePortalPages } from './routes/profile';
import { deskPortalPages } from './routes/desk';
import type { StaffPage } from './routes/context';
import { guard, mountPages, page, type PageRoute } from '../server/http/page-route';
import { portalAgenda } from './agenda';
import { Decimal } from 'decimal.js';

/** The institution portal, mounted at `/partner`. */
export function createInstitutionPortal(services: Services, kit: HttpKit, baseRender: Render, options: { mfaRequired: boolean }): Router {
  const r = Router();
  const render: Render = async (req, res, page, ctx = {}) => {
    const institutionName = req.institutionId ? (await services.institutions.get(req.institutionId)).shortName : undefined;
    return baseRender(req, res, page, { institutionName, ...ctx });
  };

  mountPages(r, loginPages({ kind: 'institution', title: '机构登录', prefix: '/partner', home: '/partner' }), services, kit, render);
  mountPages(r, homePages, services, kit, render);
  mountPages(r, onboardingPages, services, kit, render);
  mountPages(r, invitePages({ kind: 'institution', prefix: '/partner' }), services, kit, render);
  mountPages(r, securityPages({ prefix: '/partner', guard: guard.institution('portal.view', { allowSecuritySetup: true }), mfaRequired: options.mfaRequired }), services, kit, render);
  mountPages(r, staffPages({ prefix: '/partner', guard: guard.institution('staff.manage') }), services, kit, render);
  mountPages(r, rolePages({ prefix: '/partner', guard: guard.institution('staff.manage') }), services, kit, render);
  mountPages(
    r,
    [
      ...leadPages(services.idempotency),
      ...integrationPages,
      ...complaintPages,
      ...staffPerformancePages,
      ...statisticsPages,
      ...productPages,
      ...promotionPages,
      ...loanPortalPages(services.idempotency),
      ...reviewPortalPages(services.idempotency),
      ...statementPages,
      ...reconciliationPages,
      ...contractPortalPages,
      ...profilePortalPages,
      ...deskPortalPages,
    ],
    services,
    kit,
    render,
  );

  return r;
}

const homePages = [
  page({
    method: 'get',
    path: '/',
    guard: guard.institution('portal.view'),
    handler: async ({ principal, services, render }) => {
      const institution = await services.institutions.get(principal.institutionId);
      const [licence, agenda] = await Promise.all([services.licences.stateOf(institution), portalAgenda(services, principal.institutionId, principal.account)]);
      await render('home', { title: institution.shortName, institution, licence, agenda });
    },
  }),
];

const inboxQuery = (req: Request) => {
  const raw = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== '' && v !== undefined));
  const parsed = leadFilterQuery.safeParse(raw);
  return { raw, parsed, filter: parsed.success ? toLeadFilter(parsed.data) : {} };
};

const showLead = async ({ params, principal, services, render, req }: StaffPage<{ id: string }>, extra: Record<string, unknown> = {}) => {
  const lead = await services.applications.getLead(principal.institutionId, params.id, auditActor(req));
  const messages = await services.messages.thread(lead.id);
  const documents = lead.applicant ? (await services.documents.listForApplication(lead.id)).map((d) => ({ ...d, kindLabel: documentKinds[d.kind] })) : [];
  const loanId = lead.status === 'disbursed' ? await services.loans.idForApplication(lead.id, { institutionId: principal.institutionId }) : null;
  const reviews = await services.applications.reviewsOfLead(principal.institutionId, lead.id);
  await render('lead', {
    reviews,
    pendingReview: reviews.find((r) => r.status === 'pending'),
    offeredAprPercent: lead.nextStatuses.includes('approved') ? await services.applications.quotedAprPercent(lead) : undefined,
    ...(lead.nextStatuses.includes('approved') ? await approvalChoices(services, lead) : {}),
    offer: await services.offers.forLead(lead),
    loanId,
    messages,
    documents,
    title: lead.productName,
    lead,
    rejectReasons: Object.entries(rejectReasons).map(([value, label]) => ({ value, label })),
    ...extra,
  });
};

const leadPages = (idempotency: Services['idempotency']): PageRoute[] => [
  page({
    method: 'get',
    path: '/leads',
    guard: guard.institution('leads.work'),
    handler: async ({ principal, services, render, req }) => {
      const { raw, parsed, filter } = inboxQuery(req);
      const [leads, products] = await Promise.all([
        services.applications.listLeads(principal.institutionId, filter),
        services.catalogue.listForInstitution(principal.institutionId),
      ]);
      await render('leads', {
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
    },
  }),
  page({
    method: 'get',
    path: '/leads.csv',
    guard: guard.institution('leads.work'),
    handler: async ({ principal, services, req, res }) => {
      const leads = await services.applications.exportLeads(principal.institutionId, inboxQuery(req).filter, auditActor(req));
      sendCsv(res, `leads-${new Date().toISOString().slice(0, 10)}.csv`, leadsCsv(leads));
    },
  }),
  page({
    method: 'post',
    path: '/leads/bulk',
    guard: guard.institution('leads.work'),
    handler: async ({ principal, services, render, req, res }) => {
      const ids = Array.isArray(req.body.ids) ? req.body.ids : req.body.ids ? [req.body.ids] : [];
      const parsed = bulkLeadBody.safeParse({ ids, status: req.body.status, reason: req.body.reason || undefined });
      if (!parsed.success || (parsed.data.status === 'rejected' && !parsed.data.reason)) {
        req.session.flash = { kind: 'error', message: parsed.success ? '批量拒绝需选择原因' : Object.values(fieldErrors(parsed.error)).join('；') };
        return res.redirect(303, '/partner/leads');
      }
      const { status, reason } = parsed.data;
      // rejecting cannot be undone: a page says what will happen and asks once more (works without script)
      if (status === 'rejected' && req.body.confirm !== 'yes') {
        return render('leads-bulk-confirm', { title: '确认批量拒绝', ids: parsed.data.ids, reason, reasonLabel: rejectReasons[reason!] });
      }
      let done = 0;
      const failed: string[] = [];
      for (const id of parsed.data.ids) {
        try {
          await services.applications.changeStatusByInstitution(
            principal.institutionId,
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
    },
  }),
  page({ method: 'get', path: '/leads/:id', guard: guard.institution('leads.work'), handler: (ctx) => showLead(ctx) }),
  page({
    method: 'get',
    path: '/documents/:id',
    guard: guard.institution('leads.work'),
    handler: async ({ params, principal, services, req, res }) => {
      const { row, bytes } = await services.documents.openByInstitution(principal.institutionId, params.id, auditActor(req));
      res.type(row.mime).set('Content-Disposition', 'inline').set('Cache-Control', 'private, no-store').send(bytes);
    },
  }),
  page({
    method: 'post',
    path: '/leads/:id/messages',
    guard: guard.institution('leads.work'),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        await services.messages.postByInstitution(principal.institutionId, params.id, principal.account.id, String(req.body.body ?? ''));
        res.redirect(303, `/partner/leads/${params.id}#messages`);
      } catch (err) {
        const error = formFailure(res, err);
        await showLead(ctx, { messageError: error.fields?.body ?? error.message });
      }
    },
  }),
  // show the consented fields in clear: a recorded release, audited; refused after withdrawal
  page({
    method: 'post',
    path: '/leads/:id/reveal',
    guard: guard.institution('leads.work'),
    handler: async (ctx) => {
      try {
        const revealed = await ctx.services.applications.revealLead(ctx.principal.institutionId, ctx.params.id, auditActor(ctx.req), 'portal');
        await showLead(ctx, { revealed });
      } catch (err) {
        const error = formFailure(ctx.res, err);
        await showLead(ctx, { error: { message: error.message } });
      }
    },
  }),
  page({
    method: 'post',
    path: '/leads/:id/status',
    guard: guard.institution('leads.work'),
    before: () => formIdempotent(idempotency),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        // approving, rejecting and disbursing cannot be undone: the page asks first (starting a review can be)
        const parseStatus = (input: Record<string, unknown>) => parse(leadStatusBody, approvalFormFields(input, new Date()), '状态变更信息有误');
        const body = req.body.status === 'reviewing' ? parseStatus(req.body) : withConfirmation(req.body, parseStatus);
        const { commission, review } = await services.applications.changeStatusByInstitution(principal.institutionId, params.id, toStatusChange(body), auditActor(req), staffRef(req));
        req.session.flash = review
          ? { kind: 'success', message: `批准金额 ${formatYuan(review.amountFen)} 超过本机构的复核金额，已提交复核，另一位员工确认后生效` }
          : {
              kind: 'success',
              message: `已更新为「${statusLabels[body.status]}」${commission && commission.amountFen > 0 ? `，产生佣金 ${formatYuan(commission.amountFen)}` : ''}`,
            };
        res.redirect(303, `/partner/leads/${params.id}`);
      } catch (err) {
        const error = formFailure(res, err);
        await showLead(ctx, { error, values: req.body, confirmError: { [String(req.body.status)]: error.fields?.confirm } });
      }
    },
  }),
];

// ── API keys, lead webhooks, pre-screen rules (institution admins) ─────────────────────────────
const showKeys = async ({ principal, services, render }: StaffPage, extra: Record<string, unknown> = {}) =>
  render('api-keys', { title: 'API 密钥', keys: await services.institutions.listApiKeys(principal.institutionId), ...extra });

const showWebhook = async ({ principal, services, render }: StaffPage, extra: Record<string, unknown> = {}) =>
  render('webhook', {
    title: '线索回调',
    endpoint: await services.webhooks.getEndpoint(principal.institutionId),
    deliveries: await services.webhooks.deliveries(principal.institutionId, 50),
    ...extra,
  });

const showRules = async ({ principal, services, render }: StaffPage, extra: Record<string, unknown> = {}) =>
  render('prescreen', {
    title: '预筛规则',
    rules: await services.prescreen.list(principal.institutionId),
    rejectReasons: Object.entries(rejectReasons).map(([value, label]) => ({ value, label })),
    presets: Object.entries(rulePresets).map(([value, p]) => ({ value, label: p.label })),
    ...extra,
  });

const integrationPages = [
  page({ method: 'get', path: '/api-keys', guard: guard.institution('integration.manage'), handler: (ctx) => showKeys(ctx) }),
  page({
    method: 'post',
    path: '/api-keys',
    guard: guard.institution('integration.manage'),
    handler: async (ctx) => {
      const { principal, services, req, res } = ctx;
      const name = String(req.body.name ?? '').trim();
      if (name.length < 1 || name.length > 40) {
        return showKeys(ctx, { error: formFailure(res, new ValidationError('请填写密钥名称（1–40 字）', { name: '必填' })) });
      }
      const created = await services.institutions.createApiKey(principal.institutionId, name, auditActor(req));
      await showKeys(ctx, { created });
    },
  }),
  page({
    method: 'post',
    path: '/api-keys/:id/revoke',
    guard: guard.institution('integration.manage'),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        confirmed(req.body);
      } catch (err) {
        const error = formFailure(res, err);
        return showKeys(ctx, { error, confirmError: { [params.id]: error.fields?.confirm } });
      }
      await services.institutions.revokeApiKey(principal.institutionId, params.id, auditActor(req));
      req.session.flash = { kind: 'success', message: '密钥已吊销，使用它的请求会被拒绝' };
      res.redirect(303, '/partner/api-keys');
    },
  }),
  page({ method: 'get', path: '/webhook', guard: guard.institution('integration.manage'), handler: (ctx) => showWebhook(ctx) }),
  page({
    method: 'post',
    path: '/webhook',
    guard: guard.institution('integration.manage'),
    handler: async (ctx) => {
      const { principal, services, req, res } = ctx;
      try {
        const created = await services.webhooks.setEndpoint(principal.institutionId, String(req.body.url ?? ''), auditActor(req));
        await showWebhook(ctx, { created });
      } catch (err) {
        const error = formFailure(res, err);
        await showWebhook(ctx, { error, values: { url: req.body.url } });
      }
    },
  }),
  page({
    method: 'post',
    path: '/webhook/disable',
    guard: guard.institution('integration.manage'),
    handler: async ({ principal, services, req, res }) => {
      await services.webhooks.disableEndpoint(principal.institutionId, auditActor(req));
      req.session.flash = { kind: 'success', message: '回调已停用，待发送的消息会在重新启用后继续发送' };
      res.redirect(303, '/partner/webhook');
    },
  }),
  page({
    method: 'post',
    path: '/webhook/deliveries/:id/retry',
    guard: guard.institution('integration.manage'),
    handler: async ({ params, principal, services, req, res }) => {
      await services.webhooks.retryNow(principal.institutionId, params.id);
      req.session.flash = { kind: 'success', message: '已安排立即重试' };
      res.redirect(303, '/partner/webhook');
    },
  }),
  page({ method: 'get', path: '/prescreen', guard: guard.institution('prescreen.manage'), handler: (ctx) => showRules(ctx) }),
  page({
    method: 'post',
    path: '/prescreen',
    guard: guard.institution('prescreen.manage'),
    handler: async (ctx) => {
      const { principal, services, req, res } = ctx;
      try {
        const raw = Object.fromEntries(Object.entries(req.body as Record<string, string>).filter(([, v]) => v !== ''));
        const body = parse(prescreenRuleBody, raw, '规则有误');
        await services.prescreen.create(principal.institutionId, { ...body, rejectReason: body.rejectReason ?? null }, auditActor(req));
        req.session.flash = { kind: 'success', message: '规则已保存，对之后到达的线索生效' };
        res.redirect(303, '/partner/prescreen');
      } catch (err) {
        const error = formFailure(res, err);
        await showRules(ctx, { error, values: req.body });
      }
    },
  }),
  page({
    method: 'post',
    path: '/prescreen/presets',
    guard: guard.institution('prescreen.manage'),
    handler: async (ctx) => {
      const { principal, services, req, res } = ctx;
      const preset = String(req.body.preset ?? '');
      if (!Object.hasOwn(rulePresets, preset)) {
        return showRules(ctx, { error: formFailure(res, new ValidationError('请选择常用规则', { preset: '不存在的常用规则' })) });
      }
      const rows = await services.prescreen.addPreset(principal.institutionId, preset as RulePreset, auditActor(req));
      req.session.flash = { kind: 'success', message: `已添加 ${rows.length} 条规则，对之后到达的线索生效` };
      res.redirect(303, '/partner/prescreen');
    },
  }),
  page({
    method: 'post',
    path: '/prescreen/:id/toggle',
    guard: guard.institution('prescreen.manage'),
    handler: async ({ params, principal, services, req, res }) => {
      await services.prescreen.setActive(principal.institutionId, params.id, req.body.active === '1');
      res.redirect(303, '/partner/prescreen');
    },
  }),
];

/** How long an offer may wait, as the approval form offers it (days). */
const OFFER_DAY_CHOICES = [1, 3, 7, 14, 30] as const;

/** The approval form's choices: the product's repayment methods, how long the offer waits, the reasons to price above the advertised range, and that range for the lead's amount and term. */
async function approvalChoices(services: Services, lead: { productId: string; amountFen: number; termMonths: number }) {
  const product = await services.catalogue.get(lead.productId);
  const input = pricingInput(product);
  const advertised = priceRangeIfOffered(input, { amountFen: lead.amountFen, termMonths: lead.termMonths, method: methodFor(input) });
  return {
    methods: input.repaymentMethods.map((m) => ({ value: m, label: methodLabels[m] })),
    offerDays: OFFER_DAY_CHOICES.map((d) => ({ value: d, selected: d === OFFER_DEFAULT_DAYS })),
    pricingReasons: Object.entries(pricingReasons).map(([value, label]) => ({ value, label })),
    advertised: advertised ? { low: advertised.aprLow, high: advertised.aprHigh } : null,
  };
}

/**
 * The page asks for the APR in percent (12.34), as people write it, and for the offer's life in
 * days; the status body takes a fraction (0.1234) and an instant.
 */
function approvalFormFields(body: Record<string, unknown>, now: Date): Record<string, unknown> {
  const { offeredAprPercent, offerDays, ...rest } = body;
  const out: Record<string, unknown> = { ...rest };
  if (offeredAprPercent !== undefined) {
    const text = String(offeredAprPercent).trim();
    if (!/^\d{1,3}(\.\d{1,4})?$/.test(text)) throw new ValidationError('综合年化有误', { offeredAprPercent: '请输入百分比，如 12.00（最多四位小数）' });
    out.offeredApr = new Decimal(text).div(100).toString();
  }
  if (offerDays !== undefined && offerDays !== '') {
    const days = Number(offerDays);
    if (!OFFER_DAY_CHOICES.includes(days as (typeof OFFER_DAY_CHOICES)[number])) throw new ValidationError('报价有效期有误', { offerDays: `请选择 ${OFFER_DAY_CHOICES.join('、')} 天` });
    out.expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString();
  }
  if (out.pricingReason === '') delete out.pricingReason;
  if (out.repaymentMethod === '') delete out.repaymentMethod;
  return out;
}

