import { z } from 'zod';
import type { Services } from '../../server/container';
import { ValidationError } from '../../server/lib/errors';
import { auditActor } from '../../server/http/audit-actor';
import { formIdempotent } from '../../server/http/idempotency';
import { guard, page, type PageRoute } from '../../server/http/page-route';
import { parse, yuanAmount } from '../../server/http/validate';
import { formatYuan } from '../../server/lib/money';
import { ageBuckets, ageBucketLabels, contactChannelLabels, contactResultLabels, parseScheduleText, scheduleProblemsByLine, scheduleText } from '../../server/modules/loans';
import { formFailure } from '../../server/http/form-failure';
import type { StaffPage } from './context';
import { scheduleChangeDeclineBody, scheduleChangeOfferBody } from '../../server/http/schedule-change-forms';

const repaymentForm = z.strictObject({
  transactionId: z.string({ error: '交易流水号必填' }).trim().min(1, '交易流水号必填').max(64, '交易流水号最多 64 位').regex(/^[A-Za-z0-9_\-:.]+$/, '交易流水号只能包含字母、数字和 -_:.'),
  amount: yuanAmount('还款金额'),
  paidAt: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, '还款时间格式有误')
    .transform((v) => new Date(`${v}:00+08:00`))
    .optional(),
  settle: z.literal('1').optional(),
});

/** The institution's own schedule, one instalment per line (see parseScheduleText). */
const scheduleForm = z.strictObject({
  schedule: z.string({ error: '请填写还款计划' }).max(40_000, '还款计划太长（最多 360 期）'),
});

const channelForm = z.strictObject({
  text: z.string().trim().min(1, '请填写还款说明').max(1000, '最多 1000 字'),
  url: z
    .string()
    .trim()
    .max(300)
    .refine((v) => v === '' || /^https:\/\/[^\s]+$/.test(v), '链接须以 https:// 开头')
    .optional(),
});

/** Contact attempts: the form has no field for anyone but the borrower. */
const contactForm = z.strictObject({
  channel: z.enum(Object.keys(contactChannelLabels) as ['call', 'sms'], { error: '请选择联系方式' }),
  result: z.enum(Object.keys(contactResultLabels) as ['reached', 'no_answer', 'refused', 'promised'], { error: '请选择联系结果' }),
  note: z.string().trim().max(500, '最多 500 字').optional(),
});

const promiseForm = z.strictObject({
  promisedDate: z.string({ error: '请选择日期' }).regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD'),
  amount: yuanAmount('承诺金额'),
});

const listQuery = z.object({
  status: z.enum(['active', 'settled']).optional().catch(undefined),
  overdue: z
    .literal('1')
    .optional()
    .catch(undefined)
    .transform((v) => v === '1'),
});

const nonEmpty = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([, v]) => v !== '' && v !== undefined));

const showList = async ({ principal, services, render }: StaffPage, filter: z.output<typeof listQuery>, extra: Record<string, unknown> = {}) => {
  const [loans, channel] = await Promise.all([
    services.loans.listForInstitution(principal.institutionId, filter),
    services.loans.repaymentChannel(principal.institutionId),
  ]);
  // extended or rearranged loans, and how many of them are overdue again (the overdue view's count)
  const rescheduled = loans.filter((l) => l.scheduleChangeLabel !== null);
  await render('loans', { title: '贷款', loans, ...filter, channel, rescheduledCount: rescheduled.length, rescheduledOverdue: rescheduled.filter((l) => l.overdueFen > 0).length, ...extra });
};

const showLoan = async ({ params, principal, services, render }: StaffPage<{ id: string }>, extra: Record<string, unknown> = {}) => {
  const loan = await services.loans.getForInstitution(principal.institutionId, params.id);
  const history = await services.scheduleChanges.historyOf(loan.id);
  const openChange = history.changes.find((c) => c.status === 'requested' || c.status === 'offered');
  await render('loan', {
    title: `贷款 ${loan.productName}`,
    loan,
    openChange,
    // the offer form starts from what the borrower asked: the periods still owed plus the extension, at the loan's rate
    offerDefaults: openChange && {
      termMonths: openChange.offer?.termMonths ?? openChange.requestedTermMonths ?? loan.instalments.filter((i) => i.owedFen > 0).length + (openChange.extraPeriods ?? 0),
      annualRatePercent: ((openChange.offer ? Number(openChange.offer.annualRate) : Number(loan.annualRate)) * 100).toFixed(2),
    },
    pastChanges: history.changes.filter((c) => c !== openChange),
    pastVersions: history.versions.filter((v) => !v.current),
    // the schedule may be replaced until the first repayment; the form starts from the current one
    scheduleEditable: loan.status === 'active' && loan.repayments.length === 0,
    scheduleText: scheduleText(loan.instalments),
    ...extra,
  });
};

const showCase = async ({ params, principal, services, render }: StaffPage<{ id: string }>, extra: Record<string, unknown> = {}) => {
  const c = await services.collections.get(principal.institutionId, params.id);
  const loan = await services.loans.getForInstitution(principal.institutionId, c.loanId);
  await render('collection', {
    title: '催收案件',
    c,
    loan,
    staff: await services.collections.staffOf(principal.institutionId),
    // only the channels the borrower accepts are offered (the service refuses the others too)
    channels: Object.entries(contactChannelLabels)
      .filter(([value]) => (value === 'call' ? c.borrower.allowCall : c.borrower.allowSms))
      .map(([value, label]) => ({ value, label })),
    results: Object.entries(contactResultLabels).map(([value, label]) => ({ value, label })),
    contactClosed: c.attemptsToday >= c.dailyLimit || c.borrower.quietNow || (!c.borrower.allowCall && !c.borrower.allowSms),
    ...extra,
  });
};

/** A case action; a refused or invalid one shows the case again with the reason (400/403/409). */
const caseAction = (action: string, work: (ctx: StaffPage<{ id: string }>) => Promise<string>) =>
  page({
    method: 'post',
    path: `/collections/:id/${action}`,
    guard: guard.institution('loans.manage'),
    handler: async (ctx) => {
      try {
        const message = await work(ctx);
        ctx.req.session.flash = { kind: 'success', message };
        ctx.res.redirect(303, `/partner/collections/${ctx.params.id}`);
      } catch (err) {
        const error = formFailure(ctx.res, err);
        await showCase(ctx, { error, values: ctx.req.body });
      }
    },
  });

/** `/partner/loans` and `/partner/collections`: the institution's loans, repayments, monitoring board and collection cases. */
export const loanPortalPages = (idempotency: Services['idempotency']): PageRoute[] => [
  page({ method: 'get', path: '/loans', guard: guard.institution('loans.manage'), query: listQuery, handler: (ctx) => showList(ctx, ctx.query) }),
  page({
    method: 'post',
    path: '/loans/repayment-channel',
    guard: guard.institution('loans.manage'),
    handler: async (ctx) => {
      const { principal, services, req, res } = ctx;
      try {
        const body = parse(channelForm, req.body, '还款说明有误');
        await services.loans.setRepaymentChannel(principal.institutionId, { text: body.text, url: body.url || null }, auditActor(req));
        req.session.flash = { kind: 'success', message: '还款说明已保存，借款人在还款中心可以看到' };
        res.redirect(303, '/partner/loans');
      } catch (err) {
        const error = formFailure(res, err);
        await showList(ctx, listQuery.parse(req.query), { error, channel: req.body });
      }
    },
  }),
  page({
    method: 'get',
    path: '/loans/monitoring',
    guard: guard.institution('loans.manage'),
    handler: async ({ principal, services, render }) => {
      const board = await services.postLoan.monitoring(principal.institutionId, new Date());
      await render('loan-monitoring', {
        title: '贷后监控',
        board,
        bucketHeads: ageBuckets.map((b) => ({ key: b, label: ageBucketLabels[b] })),
        products: board.byProduct.map((p) => ({ ...p, cells: ageBuckets.map((b) => p.buckets[b]) })),
        currentRate: board.current.rate,
        previousRate: board.previous.rate,
      });
    },
  }),
  page({
    method: 'get',
    path: '/loans/schedule-changes',
    guard: guard.institution('loans.manage'),
    query: z.object({ status: z.enum(['open', 'decided']).catch('open') }),
    handler: async ({ principal, services, query: { status }, render }) => {
      await render('schedule-changes', { title: '展期与重新安排', changes: await services.scheduleChanges.listForInstitution(principal.institutionId, status === 'open'), status });
    },
  }),
  page({ method: 'get', path: '/loans/:id', guard: guard.institution('loans.manage'), handler: (ctx) => showLoan(ctx) }),
  page({
    method: 'post',
    path: '/loans/:id/repayments',
    guard: guard.institution('loans.manage'),
    before: () => formIdempotent(idempotency),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        const body = parse(repaymentForm, nonEmpty(req.body), '还款信息有误');
        const result = await services.loans.recordRepayment(
          principal.institutionId,
          params.id,
          { transactionId: body.transactionId, amountFen: body.amount, paidAt: body.paidAt, settle: body.settle === '1' },
          auditActor(req),
          'portal',
        );
        req.session.flash = result.replayed
          ? { kind: 'success', message: `流水号 ${body.transactionId} 已登记过，未重复入账` }
          : { kind: 'success', message: `已登记还款 ${formatYuan(body.amount)}${result.loan.status === 'settled' ? '，贷款已结清' : ''}` };
        res.redirect(303, `/partner/loans/${params.id}`);
      } catch (err) {
        const error = formFailure(res, err);
        await showLoan(ctx, { error, values: req.body });
      }
    },
  }),
  /** Replaces the generated schedule with the institution's own, typed or pasted as text; every bad line is named. */
  page({
    method: 'post',
    path: '/loans/:id/schedule',
    guard: guard.institution('loans.manage'),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      const text = typeof req.body.schedule === 'string' ? req.body.schedule : '';
      const shown = (problems: { line: number; message: string }[]) => problems.map((p) => (p.line ? `第 ${p.line} 行：${p.message}` : p.message));
      let problems: string[] = [];
      try {
        const body = parse(scheduleForm, req.body, '还款计划有误');
        const parsed = parseScheduleText(body.schedule);
        problems = shown(parsed.problems);
        if (problems.length === 0) {
          const lines = parsed.lines.map((l, idx) => ({ period: idx + 1, dueDate: l.dueDate, principalFen: l.principalFen, interestFen: l.interestFen, feeFen: l.feeFen }));
          try {
            await services.loans.replaceSchedule(principal.institutionId, params.id, lines, auditActor(req));
            req.session.flash = { kind: 'success', message: `还款计划已替换为本机构的 ${lines.length} 期计划` };
            return res.redirect(303, `/partner/loans/${params.id}`);
          } catch (err) {
            if (!(err instanceof ValidationError)) throw err;
            problems = shown(scheduleProblemsByLine(err.fields ?? {}, parsed.lines));
          }
        }
        res.status(400);
        await showLoan(ctx, { scheduleError: { message: '还款计划有误，未保存', problems }, scheduleText: text });
      } catch (err) {
        const error = formFailure(res, err);
        await showLoan(ctx, { scheduleError: { message: error.message, problems: Object.values(error.fields ?? {}) }, scheduleText: text });
      }
    },
  }),

  // ── 展期 and restructuring ───────────────────────────────────────────────────────────────
  page({
    method: 'post',
    path: '/loans/:id/schedule-changes/:changeId/offer',
    guard: guard.institution('loans.manage'),
    before: () => formIdempotent(idempotency),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        await services.loans.getForInstitution(principal.institutionId, params.id);
        const rate = String(req.body.annualRatePercent ?? '').trim();
        const body = parse(scheduleChangeOfferBody, nonEmpty({ termMonths: req.body.termMonths, annualRate: rate === '' ? '' : String(Number(rate) / 100), fee: req.body.fee }), '新还款计划有误');
        const offered = await services.scheduleChanges.offer(principal.institutionId, params.changeId, { termMonths: body.termMonths, annualRate: body.annualRate, feeFen: body.fee ?? 0 }, auditActor(req));
        req.session.flash = { kind: 'success', message: `新的还款计划已发给借款人：综合年化 ${(Number(offered.offer!.apr) * 100).toFixed(2)}%，借款人确认后生效` };
        res.redirect(303, `/partner/loans/${params.id}#schedule-change`);
      } catch (err) {
        const error = formFailure(res, err);
        await showLoan(ctx, { changeError: error, offerValues: req.body });
      }
    },
  }),
  page({
    method: 'post',
    path: '/loans/:id/schedule-changes/:changeId/decline',
    guard: guard.institution('loans.manage'),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        await services.loans.getForInstitution(principal.institutionId, params.id);
        const body = parse(scheduleChangeDeclineBody, req.body, '拒绝原因有误');
        await services.scheduleChanges.decline(principal.institutionId, params.changeId, body.reason, auditActor(req));
        req.session.flash = { kind: 'success', message: '已拒绝并通知借款人，原还款计划不变' };
        res.redirect(303, `/partner/loans/${params.id}#schedule-change`);
      } catch (err) {
        const error = formFailure(res, err);
        await showLoan(ctx, { changeError: error });
      }
    },
  }),

  // ── collection cases ─────────────────────────────────────────────────────────────────────
  page({
    method: 'get',
    path: '/collections',
    guard: guard.institution('loans.manage'),
    query: z.object({ status: z.enum(['open', 'closed']).catch('open') }),
    handler: async ({ principal, services, query: { status }, render }) => {
      await render('collections', { title: '催收', cases: await services.collections.list(principal.institutionId, { status }), status });
    },
  }),
  page({ method: 'get', path: '/collections/:id', guard: guard.institution('loans.manage'), handler: (ctx) => showCase(ctx) }),
  caseAction('assign', async ({ params, principal, services, req }) => {
    const staffId = String(req.body.assigneeId ?? '') || null;
    await services.collections.assign(principal.institutionId, params.id, staffId, auditActor(req));
    return staffId ? '已分配' : '已取消分配';
  }),
  caseAction('notes', async ({ params, principal, services, req }) => {
    await services.collections.addNote(principal.institutionId, params.id, String(req.body.body ?? ''), auditActor(req));
    return '备注已保存';
  }),
  caseAction('promises', async ({ params, principal, services, req }) => {
    const body = parse(promiseForm, nonEmpty(req.body), '还款承诺有误');
    await services.collections.addPromise(principal.institutionId, params.id, { promisedDate: body.promisedDate, amountFen: body.amount }, auditActor(req));
    return '还款承诺已记录，到期后自动判断是否兑现';
  }),
  caseAction('contacts', async ({ params, principal, services, req }) => {
    const body = parse(contactForm, nonEmpty(req.body), '联系记录有误');
    await services.collections.recordContact(principal.institutionId, params.id, { ...body, target: 'borrower' }, auditActor(req));
    return '联系记录已保存';
  }),
  caseAction('close', async ({ params, principal, services, req }) => {
    await services.collections.close(principal.institutionId, params.id, String(req.body.outcome ?? ''), auditActor(req));
    return '案件已关闭';
  }),
];
