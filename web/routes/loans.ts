import { guard, page } from '../../server/http/page-route';

/** The consumer's repayment centre: their own loans, schedules, payments, how to pay, early settlement. */
export const loanPages = [
  page({
    method: 'get',
    path: '/account/loans',
    guard: guard.consumer,
    handler: async ({ principal, services, render }) => {
      const loans = await services.loans.listForConsumer(principal.account.id);
      await render('loans', { title: '我的贷款', loans, active: loans.filter((l) => l.status === 'active') });
    },
  }),
  page({
    method: 'get',
    path: '/account/loans/:id',
    guard: guard.consumer,
    handler: async ({ params, principal, services, render }) => {
      const loan = await services.loans.getForConsumer(principal.account.id, params.id);
      await render('loan', {
        title: loan.productName,
        loan,
        howToPayLines: loan.howToPay.text.split('\n'),
        waivedFen: loan.settlement ? loan.settlement.waivedInterestFen + loan.settlement.waivedFeeFen : 0,
      });
    },
  }),
];
