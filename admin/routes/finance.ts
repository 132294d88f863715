import type { Response } from 'express';
import { z } from 'zod';
import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import { csvYuan, sendCsv, type CsvRow } from '../../server/http/csv';
import { formIdempotent } from '../../server/http/idempotency';
import { guard, page, type PageRoute } from '../../server/http/page-route';
import { confirmed, withConfirmation } from '../../server/http/confirm';
import { formFailure } from '../../server/http/form-failure';
import { statementDetailView, statementSummaryView } from '../../server/http/statements-view';
import { parse } from '../../server/http/validate';
import { ValidationError } from '../../server/lib/errors';
import { formatYuan, parseYuan } from '../../server/lib/money';
import { ageingBuckets, ageingLabels, periodToClose, shanghaiDate, shanghaiMidnight, statementStatusLabels } from '../../server/modules/settlement';
import { barChart, shortYuan } from '../../web/charts';
import type { PageTools } from './application-page';

const shownStatuses = ['draft', 'issued', 'disputed', 'overdue', 'paid'] as const;
/** "-50.00" → -5000 fen, or a field error. */
export function signedFen(text: string, field: string, options: { positive?: boolean } = {}): number {
  const parsed = parseYuan(text, { sign: 'any' });
  if (!parsed.ok) throw new ValidationError('金额有误', { [field]: parsed.reason });
  const fen = parsed.fen;
  if (fen === 0) throw new ValidationError('金额不能为 0', { [field]: '金额不能为 0' });
  if (options.positive && fen < 0) throw new ValidationError('金额须大于 0', { [field]: '金额须大于 0' });
  return fen;
}

const closeForm = z.object({ _csrf: z.string().optional(), period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '账期格式应为 YYYY-MM') }).strict();
const paymentForm = z
  .object({
    _csrf: z.string().optional(),
    amount: z.string().default(''),
    paidOn: z.string().default(''),
    reference: z.string().trim().min(1, '请填写银行流水号').max(100, '流水号最多 100 字'),
    /** the 登记为多付 checkbox: present ("1") when ticked */
    overpayment: z.literal('1', { error: '无效的选项' }).optional(),
    overpaymentReason: z.string().max(200, '原因最多 200 字').default(''),
  })
  .strict();
const resolveForm = z
  .object({
    _csrf: z.string().optional(),
    action: z.enum(['adjust', 'reject'], { error: '请选择调整或驳回' }),
    amount: z.string().default(''),
    reason: z.string().trim().min(2, '请填写处理说明（至少 2 个字）').max(500, '说明最多 500 字'),
  })
  .strict();

async function overviewPage({ req, services, render }: PageTools, extra: Record<string, unknown> = {}) {
  const now = new Date();
  const o = await services.statements.financeOverview(now);
  const status = shownStatuses.find((s) => s === req.query.status);
  const [disputes, reconciliations] = await Promise.all([services.statements.openDisputes(), services.reconciliation.openDifferences()]);
  await render('finance', {
    title: '财务结算',
    o,
    kpis: {
      receivable: o.byInstitution.reduce((n, r) => n + r.balanceFen, 0),
      overdue: o.ageing.d30 + o.ageing.d60 + o.ageing.d90 + o.ageing.d90plus,
      collected: o.collectedThisMonthFen,
    },
    ageingRows: ageingBuckets.map((b) => ({ key: b, label: ageingLabels[b], amountFen: o.ageing[b] })),
    statusRows: shownStatuses.map((s) => ({ key: s, label: statementStatusLabels[s], count: o.statusCounts[s], current: s === status })),
    statements: o.statements.filter((s) => !status || s.shown === status).map(statementSummaryView),
    byInstitution: o.byInstitution.map((row) => ({ ...row, ageingCells: ageingBuckets.map((b) => row.ageing[b]) })),
    ageingLabels: ageingBuckets.map((b) => ageingLabels[b]),
    charts: {
      ageing: barChart(ageingBuckets.map((b) => ageingLabels[b].replace('逾期 ', '')), ageingBuckets.map((b) => o.ageing[b]), { title: '应收账龄（按到期日）', name: '待收', format: shortYuan, labelHeading: '账龄', emptyText: '没有已出具未付清的结算单' }),
      collected: barChart(o.collectedByMonth.map((m) => m.month), o.collectedByMonth.map((m) => m.amountFen), { title: '每月回款', name: '回款', format: shortYuan, labelHeading: '月份', emptyText: '还没有收到过结算款' }),
    },
    disputes,
    reconciliations,
    closePeriod: periodToClose(now),
    ...extra,
  });
}

const csv = (res: Response, name: string, rows: CsvRow[]) => sendCsv(res, `${name}-${shanghaiDate(new Date())}.csv`, rows);

async function detailPage({ services, render }: PageTools, id: string, extra: Record<string, unknown> = {}) {
  const s = await services.statements.detail(id);
  const noCps = await services.offers.closedWithoutLoan(s.institutionId, s.period);
  await render('finance-statement', { title: `${s.institutionName} ${s.period} 结算单`, s: statementDetailView(s), noCps, today: shanghaiDate(new Date()), ...extra });
}

async function reconciliationPage({ services, render }: PageTools, id: string, extra: Record<string, unknown> = {}) {
  const detail = await services.reconciliation.detail(id);
  await render('finance-reconciliation', { title: `${detail.institutionName} 对账结果`, r: detail, ...extra });
}

/**
 * `/admin/finance`: receivables per institution, ageing, statement status counts, money collected,
 * CSV exports, the monthly close run on demand; statement detail with issuing, disputes resolved by
 * an adjustment or a rejection, and bank transfers recorded by hand (all audited).
 */
export const financePages = (services: Services): PageRoute[] => [
  page({ method: 'get', path: '/finance', guard: guard.operator('settlement.view'), handler: (ctx) => overviewPage(ctx) }),
  page({
    method: 'post',
    path: '/finance/close',
    guard: guard.operator('settlement.manage'),
    handler: async (ctx) => {
      const { req, res } = ctx;
      try {
        const { period } = withConfirmation(req.body, (rest) => parse(closeForm, rest, '账期有误'));
        const result = await ctx.services.statements.closeMonthBy(auditActor(req), period);
        req.session.flash = { kind: 'success', message: `${period} 已关账：新生成 ${result.created.length} 张结算单，已有 ${result.existing.length} 张` };
        res.redirect(303, '/admin/finance');
      } catch (err) {
        const error = formFailure(res, err);
        await overviewPage(ctx, { error, closePeriod: String(req.body?.period ?? '') });
      }
    },
  }),
  page({
    method: 'get',
    path: '/finance/receivables.csv',
    guard: guard.operator('settlement.view'),
    handler: async ({ req, res, services }) => {
      const o = await services.statements.exportReceivables(auditActor(req));
      csv(res, 'receivables', [
        ['机构', '应收余额(元)', '已出账未收(元)', '未出账(元)', ...ageingBuckets.map((b) => `${ageingLabels[b]}(元)`), '多付余额(元)'],
        ...o.byInstitution.map((row) => [
          row.institutionName,
          csvYuan(row.balanceFen),
          csvYuan(row.billedOutstandingFen),
          csvYuan(row.unbilledFen),
          ...ageingBuckets.map((b) => csvYuan(row.ageing[b])),
          csvYuan(row.creditFen),
        ]),
      ]);
    },
  }),
  page({
    method: 'get',
    path: '/finance/statements.csv',
    guard: guard.operator('settlement.view'),
    handler: async ({ req, res, services }) => {
      const list = await services.statements.exportStatements(auditActor(req));
      csv(res, 'statements', [
        ['结算单编号', '机构', '账期', '状态', '应付(元)', '已付(元)', '待付(元)', '多付(元)', '到期日', '未决异议'],
        ...list.map((s) => [s.id, s.institutionName, s.period, statementStatusLabels[s.shown], csvYuan(s.totalFen), csvYuan(s.paidFen), csvYuan(s.outstandingFen), csvYuan(s.overpaidFen), s.dueDate, s.openDisputes]),
      ]);
    },
  }),
  page({ method: 'get', path: '/finance/statements/:id', guard: guard.operator('settlement.view'), handler: (ctx) => detailPage(ctx, ctx.params.id) }),
  page({
    method: 'post',
    path: '/finance/statements/:id/issue',
    guard: guard.operator('settlement.manage'),
    handler: async (ctx) => {
      const { params: { id }, req, res } = ctx;
      try {
        confirmed(req.body);
        await ctx.services.statements.issue(id, auditActor(req));
      } catch (err) {
        const error = formFailure(res, err);
        return detailPage(ctx, id, { error, issueError: error.fields?.confirm });
      }
      req.session.flash = { kind: 'success', message: '结算单已出具，机构可查看并核对' };
      res.redirect(303, `/admin/finance/statements/${encodeURIComponent(id)}`);
    },
  }),
  page({
    method: 'post',
    path: '/finance/statements/:id/payments',
    guard: guard.operator('settlement.manage'),
    before: () => formIdempotent(services.idempotency),
    handler: async (ctx) => {
      const { params: { id }, req, res } = ctx;
      try {
        const form = parse(paymentForm, req.body, '付款信息有误');
        const amountFen = signedFen(form.amount, 'amount', { positive: true });
        const paidAt = shanghaiMidnight(form.paidOn.trim());
        if (!paidAt) throw new ValidationError('到账日期有误', { paidOn: '请填写到账日期（YYYY-MM-DD），不能晚于今天' });
        const payment = await ctx.services.statements.recordBankTransfer(
          id,
          { amountFen, paidAt, reference: form.reference, overpayment: form.overpayment === '1', overpaymentReason: form.overpaymentReason },
          auditActor(req),
        );
        req.session.flash = {
          kind: 'success',
          message: `已登记银行转账 ${formatYuan(amountFen)}${payment.overpaymentFen > 0 ? `，其中多付 ${formatYuan(payment.overpaymentFen)} 记为机构余额` : ''}`,
        };
        res.redirect(303, `/admin/finance/statements/${encodeURIComponent(id)}`);
      } catch (err) {
        const error = formFailure(res, err);
        await detailPage(ctx, id, { paymentError: error, paymentValues: req.body });
      }
    },
  }),
  page({
    method: 'post',
    path: '/finance/lines/:lineId/resolve',
    guard: guard.operator('settlement.manage'),
    handler: async (ctx) => {
      const { params, req, res } = ctx;
      const lineId = Number(params.lineId);
      const statementId = String(req.query.statement ?? '');
      try {
        if (!Number.isSafeInteger(lineId) || lineId <= 0) throw new ValidationError('明细编号无效', { lineId: '明细编号无效' });
        const form = parse(resolveForm, req.body, '处理信息有误');
        const input =
          form.action === 'adjust' ? { action: 'adjust' as const, amountFen: signedFen(form.amount, 'amount'), reason: form.reason } : { action: 'reject' as const, reason: form.reason };
        await ctx.services.statements.resolveDispute(lineId, input, auditActor(req));
        req.session.flash = { kind: 'success', message: form.action === 'adjust' ? '已调整，将计入下一期结算单' : '已驳回该异议' };
        res.redirect(303, statementId ? `/admin/finance/statements/${encodeURIComponent(statementId)}` : '/admin/finance');
      } catch (err) {
        if (!statementId) throw err; // no statement page to show the form again on: the error page
        const error = formFailure(res, err);
        await detailPage(ctx, statementId, { resolveError: error, failedLine: lineId, resolveValues: req.body });
      }
    },
  }),
  page({
    method: 'get',
    path: '/finance/reconciliations',
    guard: guard.operator('settlement.view'),
    handler: async ({ services, render }) => {
      await render('finance-reconciliations', { title: '对账记录', imports: await services.reconciliation.list() });
    },
  }),
  page({ method: 'get', path: '/finance/reconciliations/:id', guard: guard.operator('settlement.view'), handler: (ctx) => reconciliationPage(ctx, ctx.params.id) }),
  page({
    method: 'post',
    path: '/finance/differences/:id/resolve',
    guard: guard.operator('settlement.manage'),
    handler: async (ctx) => {
      const { params, req, res } = ctx;
      const importId = String(req.query.import ?? '');
      try {
        const form = parse(resolveForm, req.body, '处理信息有误');
        const input =
          form.action === 'adjust' ? { action: 'adjust' as const, amountFen: signedFen(form.amount, 'amount'), reason: form.reason } : { action: 'reject' as const, reason: form.reason };
        const d = await ctx.services.reconciliation.resolve(params.id, input, auditActor(req));
        req.session.flash = { kind: 'success', message: form.action === 'adjust' ? '已调整，将计入下一期结算单' : '已驳回该差异' };
        res.redirect(303, `/admin/finance/reconciliations/${encodeURIComponent(d.importId)}`);
      } catch (err) {
        if (!importId) throw err; // no reconciliation page to show the form again on: the error page
        const error = formFailure(res, err);
        await reconciliationPage(ctx, importId, { error, failedId: params.id, values: req.body });
      }
    },
  }),
];
