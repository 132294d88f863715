import type { Router } from 'express';
import type { Services } from '../../server/container';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';

/** The consumer's repayment centre: their own loans, schedules, payments, how to pay, early settlement. */
export function loanRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const consumer = kit.guards.consumer('page');

  r.get('/account/loans', consumer, async (req, res) => {
    const loans = await services.loans.listForConsumer(req.account!.id);
    await render(req, res, 'loans', { title: '我的贷款', loans, active: loans.filter((l) => l.status === 'active') });
  });

  r.get('/account/loans/:id', consumer, async (req, res) => {
    const loan = await services.loans.getForConsumer(req.account!.id, String(req.params.id));
    await render(req, res, 'loan', {
      title: loan.productName,
      loan,
      howToPayLines: loan.howToPay.text.split('\n'),
      waivedFen: loan.settlement ? loan.settlement.waivedInterestFen + loan.settlement.waivedFeeFen : 0,
    });
  });
}
