import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import { confirmed } from '../../server/http/confirm';
import { formFailure } from '../../server/http/form-failure';
import { formIdempotent } from '../../server/http/idempotency';
import { guard, page, type PageContext, type PageRoute } from '../../server/http/page-route';
import { scheduleChangeRequestBody } from '../../server/http/schedule-change-forms';
import { parse } from '../../server/http/validate';

type LoanPage = Omit<PageContext<typeof guard.consumer, string, undefined>, 'params' | 'query'> & { params: { id: string } };

const showLoan = async ({ params, principal, services, render }: LoanPage, extra: Record<string, unknown> = {}) => {
  const loan = await services.loans.getForConsumer(principal.account.id, params.id);
  const history = await services.scheduleChanges.historyOf(loan.id);
  const open = history.changes.find((c) => c.status === 'requested' || c.status === 'offered');
  await render('loan', {
    title: loan.productName,
    loan,
    howToPayLines: loan.howToPay.text.split('\n'),
    waivedFen: loan.settlement ? loan.settlement.waivedInterestFen + loan.settlement.waivedFeeFen : 0,
    openChange: open,
    pastChanges: history.changes.filter((c) => c !== open),
    pastVersions: history.versions.filter((v) => !v.current),
    canRequestChange: loan.status === 'active' && !open,
    ...extra,
  });
};

/** A borrower's action on a 展期 request; a refused one shows the loan again with the reason. */
const changeAction = (action: 'accept' | 'withdraw', idempotency: Services['idempotency']) =>
  page({
    method: 'post',
    path: `/account/loans/:id/schedule-changes/:changeId/${action}`,
    guard: guard.consumer,
    ...(action === 'accept' ? { before: () => formIdempotent(idempotency) } : {}),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        await services.loans.getForConsumer(principal.account.id, params.id);
        if (action === 'accept') {
          confirmed(req.body);
          await services.scheduleChanges.accept(principal.account.id, params.changeId, auditActor(req));
          req.session.flash = { kind: 'success', message: '新的还款计划已生效' };
        } else {
          await services.scheduleChanges.withdraw(principal.account.id, params.changeId, auditActor(req));
          req.session.flash = { kind: 'success', message: '已撤回，原还款计划不变' };
        }
        res.redirect(303, `/account/loans/${params.id}#schedule-change`);
      } catch (err) {
        const error = formFailure(res, err);
        await showLoan(ctx, { changeError: error, confirmError: error.fields?.confirm });
      }
    },
  });

/** The consumer's repayment centre: their own loans, schedules, payments, how to pay, early settlement, 展期 and new schedules. */
export const loanPages = (services: Services): PageRoute[] => [
  page({
    method: 'get',
    path: '/account/loans',
    guard: guard.consumer,
    handler: async ({ principal, services, render }) => {
      const loans = await services.loans.listForConsumer(principal.account.id);
      await render('loans', { title: '我的贷款', loans, active: loans.filter((l) => l.status === 'active') });
    },
  }),
  page({ method: 'get', path: '/account/loans/:id', guard: guard.consumer, handler: (ctx) => showLoan(ctx) }),
  page({
    method: 'post',
    path: '/account/loans/:id/schedule-changes',
    guard: guard.consumer,
    before: () => formIdempotent(services.idempotency),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        // the form has a field for each kind: only the chosen kind's is read
        const { kind, extraPeriods, termMonths, reason } = req.body as Record<string, unknown>;
        const body = parse(scheduleChangeRequestBody, kind === 'restructure' ? { kind, termMonths, reason } : { kind, extraPeriods, reason }, '申请信息有误');
        await services.scheduleChanges.request(principal.account.id, params.id, body, auditActor(req));
        req.session.flash = { kind: 'success', message: '申请已提交，机构处理后会通知你' };
        res.redirect(303, `/account/loans/${params.id}#schedule-change`);
      } catch (err) {
        const error = formFailure(res, err);
        await showLoan(ctx, { changeError: error, values: req.body });
      }
    },
  }),
  changeAction('accept', services.idempotency),
  changeAction('withdraw', services.idempotency),
];
