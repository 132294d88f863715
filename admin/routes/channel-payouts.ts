import { z } from 'zod';
import { auditActor } from '../../server/http/audit-actor';
import {
  channelAgreementFormValues,
  channelAgreementFromForm,
  channelStatementStatusLabels,
  channelStatementView,
  channelTermsSummary,
  perEventRuleFields,
} from '../../server/http/channel-payouts-view';
import { confirmed, withConfirmation } from '../../server/http/confirm';
import { formFailure } from '../../server/http/form-failure';
import { guard, page, type PageRoute } from '../../server/http/page-route';
import { parse } from '../../server/http/validate';
import { NotFoundError, ValidationError } from '../../server/lib/errors';
import { formatYuan } from '../../server/lib/money';
import { periodToClose, shanghaiDate, shanghaiMidnight } from '../../server/modules/settlement';
import { signedFen } from './finance';
import type { PageTools } from './application-page';

const agreementForm = z
  .object({
    _csrf: z.string().optional(),
    ...Object.fromEntries(perEventRuleFields.flatMap(({ rule }) => [[rule, z.string().max(30).default('')], [`${rule}Tiers`, z.string().max(500).default('')]])),
    sharePercent: z.string().max(20).default(''),
    monthlyCap: z.string().max(30).default(''),
    reversalWindowDays: z.string().max(10).default(''),
    effectiveFrom: z.string().max(20).default(''),
    effectiveTo: z.string().max(20).default(''),
    note: z.string().max(200, '备注最多 200 字').default(''),
  })
  .strict();

const closeForm = z.object({ _csrf: z.string().optional(), period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '账期格式应为 YYYY-MM') }).strict();
const paymentForm = z
  .object({
    _csrf: z.string().optional(),
    amount: z.string().default(''),
    paidOn: z.string().default(''),
    reference: z.string().trim().min(1, '请填写银行流水号').max(100, '流水号最多 100 字'),
  })
  .strict();
const resolveForm = z
  .object({
    _csrf: z.string().optional(),
    action: z.enum(['accept', 'reject'], { error: '请选择调整或驳回' }),
    amount: z.string().default(''),
    note: z.string().trim().min(2, '请填写处理说明（至少 2 个字）').max(500, '说明最多 500 字'),
  })
  .strict();

const statuses = ['draft', 'issued', 'disputed', 'paid'] as const;
const base = '/admin/channel-payouts';

async function indexPage({ services, render }: PageTools) {
  const now = new Date();
  const [rows, disputes] = await Promise.all([services.channelPayouts.overview(now), services.channelPayouts.openDisputes()]);
  await render('channel-payouts', {
    title: '渠道结算',
    rows: rows.map((r) => ({ ...r, terms: r.current ? channelTermsSummary(r.current) : [] })),
    openDisputes: disputes.length,
  });
}

async function agreementsPage({ services, render }: PageTools, channelId: string, extra: { error?: unknown; values?: Record<string, string> } = {}) {
  const channel = await services.channelPayouts.channel(channelId);
  if (!channel) throw new NotFoundError('渠道');
  const versions = await services.channelPayouts.agreementsOf(channelId);
  const now = Date.now();
  const current = versions.find((v) => v.effectiveFrom.getTime() <= now && (v.effectiveTo === null || v.effectiveTo.getTime() > now));
  const latest = versions[0];
  const firstFree = latest && latest.effectiveFrom.getTime() >= now ? shanghaiDate(new Date(latest.effectiveFrom.getTime() + 86_400_000)) : shanghaiDate(new Date(now + 86_400_000));
  await render('channel-agreements', {
    title: `${channel.name} · 渠道协议`,
    channel,
    rules: perEventRuleFields,
    versions: versions.map((v) => ({
      ...v,
      terms: channelTermsSummary(v),
      fromDate: shanghaiDate(v.effectiveFrom),
      toDate: v.effectiveTo ? shanghaiDate(v.effectiveTo) : null,
      inForce: v.id === current?.id,
      scheduled: v.effectiveFrom.getTime() > now,
    })),
    values: extra.values ?? channelAgreementFormValues(current ?? latest, firstFree),
    error: extra.error,
  });
}

async function statementsPage({ req, services, render }: PageTools, extra: Record<string, unknown> = {}) {
  const status = statuses.find((s) => s === req.query.status);
  const [list, disputes] = await Promise.all([services.channelPayouts.list({ status }), services.channelPayouts.openDisputes()]);
  await render('channel-statements', {
    title: '渠道结算单',
    statements: list.map((s) => ({ ...s, statusLabel: channelStatementStatusLabels[s.status] })),
    statusRows: statuses.map((s) => ({ key: s, label: channelStatementStatusLabels[s], current: s === status })),
    disputes,
    closePeriod: periodToClose(new Date()),
    ...extra,
  });
}

async function statementPage({ req, services, render }: PageTools, id: string, extra: Record<string, unknown> = {}) {
  const s = await services.channelPayouts.viewBy(auditActor(req), id);
  await render('channel-statement', { title: `${s.channelName} ${s.period} 渠道结算单`, s: channelStatementView(s), today: shanghaiDate(new Date()), ...extra });
}

/**
 * `/admin/channel-payouts`: channels with their agreement in force; each channel's agreement
 * versions and a form for a new one (`agreements.manage`); channel statements with the month close
 * on demand, issuing, disputes resolved by an adjustment or a rejection, and the payment recorded
 * by finance (`settlement.view` to read, `settlement.manage` to act). Standalone pages: the
 * channel pages of /admin/channels link here.
 */
export const channelPayoutPages: PageRoute[] = [
  page({ method: 'get', path: '/channel-payouts', guard: guard.operator('settlement.view'), handler: (ctx) => indexPage(ctx) }),
  page({ method: 'get', path: '/channel-payouts/channels/:id/agreements', guard: guard.operator('agreements.manage'), handler: (ctx) => agreementsPage(ctx, ctx.params.id) }),
  page({
    method: 'post',
    path: '/channel-payouts/channels/:id/agreements',
    guard: guard.operator('agreements.manage'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      try {
        const form = parse(agreementForm, req.body, '渠道协议条款有误') as Record<string, string>;
        const created = await services.channelPayouts.createAgreement(channelAgreementFromForm(params.id, form), { actor: auditActor(req) });
        req.session.flash = { kind: 'success', message: `已创建第 ${created.version} 版渠道协议，${shanghaiDate(created.effectiveFrom)} 起生效` };
        res.redirect(303, `${base}/channels/${encodeURIComponent(params.id)}/agreements`);
      } catch (err) {
        const error = formFailure(res, err);
        const values = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')]));
        await agreementsPage(ctx, params.id, { error, values });
      }
    },
  }),
  page({ method: 'get', path: '/channel-payouts/statements', guard: guard.operator('settlement.view'), handler: (ctx) => statementsPage(ctx) }),
  page({
    method: 'post',
    path: '/channel-payouts/statements/close',
    guard: guard.operator('settlement.manage'),
    handler: async (ctx) => {
      const { req, res } = ctx;
      try {
        const { period } = withConfirmation(req.body, (rest) => parse(closeForm, rest, '账期有误'));
        const result = await ctx.services.channelPayouts.closeMonthBy(auditActor(req), period);
        req.session.flash = { kind: 'success', message: `${period} 渠道月结：新生成 ${result.created.length} 张结算单，已有 ${result.existing.length} 张` };
        res.redirect(303, `${base}/statements`);
      } catch (err) {
        const error = formFailure(res, err);
        await statementsPage(ctx, { error, closePeriod: String(req.body?.period ?? '') });
      }
    },
  }),
  page({ method: 'get', path: '/channel-payouts/statements/:id', guard: guard.operator('settlement.view'), handler: (ctx) => statementPage(ctx, ctx.params.id) }),
  page({
    method: 'post',
    path: '/channel-payouts/statements/:id/issue',
    guard: guard.operator('settlement.manage'),
    handler: async (ctx) => {
      const { params: { id }, req, res } = ctx;
      try {
        confirmed(req.body);
        const status = await ctx.services.channelPayouts.issue(id, auditActor(req));
        req.session.flash = { kind: 'success', message: status === 'paid' ? '结算单已出具：没有应付金额，已结清' : '结算单已出具，渠道可查看并核对' };
        res.redirect(303, `${base}/statements/${encodeURIComponent(id)}`);
      } catch (err) {
        const error = formFailure(res, err);
        await statementPage(ctx, id, { error, issueError: error.fields?.confirm });
      }
    },
  }),
  page({
    method: 'post',
    path: '/channel-payouts/statements/:id/payments',
    guard: guard.operator('settlement.manage'),
    handler: async (ctx) => {
      const { params: { id }, req, res } = ctx;
      try {
        const form = parse(paymentForm, req.body, '付款信息有误');
        const amountFen = signedFen(form.amount, 'amount', { positive: true });
        const paidAt = shanghaiMidnight(form.paidOn.trim());
        if (!paidAt) throw new ValidationError('付款日期有误', { paidOn: '请填写付款日期（YYYY-MM-DD），不能晚于今天' });
        await ctx.services.channelPayouts.recordPayment(id, { amountFen, paidAt, reference: form.reference }, auditActor(req));
        req.session.flash = { kind: 'success', message: `已登记付款 ${formatYuan(amountFen)}` };
        res.redirect(303, `${base}/statements/${encodeURIComponent(id)}`);
      } catch (err) {
        const error = formFailure(res, err);
        await statementPage(ctx, id, { paymentError: error, paymentValues: req.body });
      }
    },
  }),
  page({
    method: 'post',
    path: '/channel-payouts/lines/:lineId/resolve',
    guard: guard.operator('settlement.manage'),
    handler: async (ctx) => {
      const { params, req, res } = ctx;
      const lineId = Number(params.lineId);
      const statementId = String(req.query.statement ?? '');
      try {
        if (!Number.isSafeInteger(lineId) || lineId <= 0) throw new NotFoundError('异议');
        const form = parse(resolveForm, req.body, '处理信息有误');
        const input = form.action === 'accept' ? { action: 'accept' as const, amountFen: signedFen(form.amount, 'amount'), note: form.note } : { action: 'reject' as const, note: form.note };
        await ctx.services.channelPayouts.resolveDispute(lineId, input, auditActor(req));
        req.session.flash = { kind: 'success', message: form.action === 'accept' ? '已调整，将计入该渠道下一期结算单' : '已驳回该异议' };
        res.redirect(303, statementId ? `${base}/statements/${encodeURIComponent(statementId)}` : `${base}/statements`);
      } catch (err) {
        if (!statementId) throw err;
        const error = formFailure(res, err);
        await statementPage(ctx, statementId, { resolveError: error, failedLine: lineId, resolveValues: req.body });
      }
    },
  }),
];
