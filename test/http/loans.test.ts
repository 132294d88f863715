import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';
import { acceptOffer } from '../support/offers';

/** Applies to A's product, approves (50,000 yuan, 12 months, 12%) and disburses through the partner API. */
async function disbursedLoan(t: TestApp) {
  const consumer = await consumerAgent(t.app);
  const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
  const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
  await partner
    .post(`/api/partner/v1/leads/${application.id}/status`)
    .send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.12 })
    .expect(200);
  await acceptOffer(t, application.id);
  const disbursed = await partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'disbursed', amount: 50000 }).expect(200);
  return { consumer, partner, application, loanId: disbursed.body.loan.id as string };
}

describe.each(databaseTargets())('loans after disbursement on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
  });
  afterAll(() => t?.close());

  it('an approval states the all-in APR: with fees, the loan charges the nominal rate that costs exactly that, never more', async () => {
    const inst = t.fixtures.institutionA;
    const product = await t.container.services.catalogue.create({
      institutionId: inst.id, name: '甲有费贷', category: '信用贷', summary: '含服务费和月管理费', minAmountFen: 100_000, maxAmountFen: 20_000_000,
      termOptions: [12], rateMin: '0.0600', rateMax: '0.2000', repaymentMethods: ['equal_installment'], upfrontFeeRate: '0.02', upfrontFeeMode: 'deducted', monthlyFeeRate: '0.003',
      eligibility: { minAge: 18, maxAge: 60, minMonthlyIncomeFen: 0, regions: [], employmentTypes: [], studentsExcluded: true },
      requiredDocuments: ['身份证'], tags: [], decisionMinutes: 10, disbursementHours: 2, status: 'listed',
    });
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, product.id);
    const partner = await staffAgent(t.app, 'partner', inst.staff);
    await partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.24 }).expect(200);
    await acceptOffer(t, application.id);
    const disbursed = await partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'disbursed', amount: 50000 }).expect(200);
    const loan = (await partner.get(`/api/partner/v1/loans/${disbursed.body.loan.id}`).expect(200)).body;
    // the schedule's cash flows (received net of the deducted fee, every instalment with its fees) cost at most 24% a year
    expect(loan.annualRate).toBeLessThan(0.24);
    const { buildSchedule } = await import('../../server/modules/pricing');
    const rebuilt = buildSchedule({ principalFen: 5_000_000, annualRate: loan.annualRate, termMonths: 12, method: 'equal_installment', fees: { upfrontFen: 100_000, upfrontMode: 'deducted', monthlyFeeFen: 15_000 } });
    expect(rebuilt.instalments.map((i) => i.paymentFen / 100)).toEqual(loan.schedule.map((i: { amount: number }) => i.amount));
    expect(rebuilt.apr).toBeLessThanOrEqual(0.24);
    expect(0.24 - rebuilt.apr).toBeLessThan(0.0001);
    // an APR the fees alone exceed cannot even be offered: a clear 400 at approval, nothing saved
    const second = await apply((await consumerAgent(t.app)).agent, product.id);
    const refused = await partner.post(`/api/partner/v1/leads/${second.id}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.03 }).expect(400);
    expect(refused.body.error.message).toContain('综合年化低于本产品费用本身的成本');
    expect((await partner.get(`/api/partner/v1/leads/${second.id}`).expect(200)).body.status).toBe('submitted');
  });

  it('a disbursement creates the loan with the pricing schedule, once', async () => {
    const { partner, application, loanId } = await disbursedLoan(t);
    expect(loanId).toMatch(/^loan_/);
    const list = await partner.get('/api/partner/v1/loans').expect(200);
    expect(list.body.items.map((l: { id: string }) => l.id)).toContain(loanId);
    const loan = await partner.get(`/api/partner/v1/loans/${loanId}`).expect(200);
    expect(loan.body).toMatchObject({ applicationId: application.id, principal: 50000, termMonths: 12, method: 'equal_installment', annualRate: 0.12, status: 'active' });
    expect(loan.body.schedule).toHaveLength(12);
    const principalFen = loan.body.schedule.reduce((s: number, i: { principal: number }) => s + Math.round(i.principal * 100), 0);
    expect(principalFen).toBe(5_000_000);
    expect(loan.body.nextDue.period).toBe(1);
    // the loan exists exactly once for the application
    const again = await t.container.services.loans.listForInstitution(t.fixtures.institutionA.id);
    expect(again.filter((l) => l.applicationId === application.id)).toHaveLength(1);
  });

  it('a repayment reported twice with the same transaction id counts once; another amount under that id is a 409', async () => {
    const { partner, loanId } = await disbursedLoan(t);
    const before = await partner.get(`/api/partner/v1/loans/${loanId}`).expect(200);
    const first = before.body.schedule[0].amount as number;
    const pay = (amount: number) => partner.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'TXN-0001', amount });
    const one = await pay(first).expect(201);
    expect(one.body.replayed).toBe(false);
    expect(one.body.loan.schedule[0].status).toBe('paid');
    const two = await pay(first).expect(200);
    expect(two.body.replayed).toBe(true);
    const after = await partner.get(`/api/partner/v1/loans/${loanId}`).expect(200);
    expect(after.body.repayments).toHaveLength(1);
    expect(Math.round(after.body.totalOwed * 100)).toBe(Math.round(before.body.totalOwed * 100) - Math.round(first * 100));
    expect(after.body.nextDue.period).toBe(2);
    // the same transaction sent twice at once still lands once
    const both = await Promise.all([0, 1].map(() => partner.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'TXN-RACE', amount: 1 })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect((await partner.get(`/api/partner/v1/loans/${loanId}`).expect(200)).body.repayments).toHaveLength(2);
    const clash = await pay(first + 1).expect(409);
    expect(clash.body.error.code).toBe('transaction_reused');
    // a partial payment: fees and interest first, then principal; the instalment is partly paid
    const partial = await partner.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'TXN-0002', amount: 100 }).expect(201);
    expect(partial.body.loan.schedule[1].status).toBe('partly_paid');
    expect(partial.body.repayment.allocated).toBe(100);
    // bad input is a field-named 400, never a 500
    const bad = await partner.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'x', amount: -5, extra: 1 }).expect(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['amount', 'extra']));
  });

  it('the institution may replace the schedule before any repayment: validated, then refused after one', async () => {
    const { partner, loanId } = await disbursedLoan(t);
    const loan = await partner.get(`/api/partner/v1/loans/${loanId}`).expect(200);
    const first = loan.body.schedule[0].dueDate as string;
    const next = (months: number) => {
      const d = new Date(`${first}T00:00:00Z`);
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() + months);
      return d.toISOString().slice(0, 10);
    };
    const wrongSum = await partner
      .post(`/api/partner/v1/loans/${loanId}/schedule`)
      .send({ instalments: [{ dueDate: next(0), principal: 20000, interest: 100 }, { dueDate: next(1), principal: 20000, interest: 50 }] })
      .expect(400);
    expect(wrongSum.body.error.fields.instalments).toMatch(/须等于贷款本金/);
    const backwards = await partner
      .post(`/api/partner/v1/loans/${loanId}/schedule`)
      .send({ instalments: [{ dueDate: next(1), principal: 25000, interest: 100 }, { dueDate: next(0), principal: 25000, interest: 50 }] })
      .expect(400);
    expect(backwards.body.error.fields['instalments.1.dueDate']).toBe('还款日须逐期递增');
    const ok = await partner
      .post(`/api/partner/v1/loans/${loanId}/schedule`)
      .send({ instalments: [{ dueDate: next(0), principal: 25000, interest: 250 }, { dueDate: next(1), principal: 25000, interest: 125, fee: 10 }] })
      .expect(200);
    expect(ok.body).toMatchObject({ scheduleSource: 'institution', termMonths: 2 });
    expect(ok.body.schedule.map((i: { amount: number }) => i.amount)).toEqual([25250, 25135]);
    await partner.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'S-1', amount: 10 }).expect(201);
    const late = await partner
      .post(`/api/partner/v1/loans/${loanId}/schedule`)
      .send({ instalments: [{ dueDate: next(0), principal: 50000, interest: 0 }] })
      .expect(409);
    expect(late.body.error.code).toBe('repayments_exist');
  });

  it('the portal replaces the schedule from text pasted from a spreadsheet: bad lines named and kept, then saved, then closed after a repayment', async () => {
    const { partner, loanId } = await disbursedLoan(t);
    const page = await partner.get(`/partner/loans/${loanId}`).expect(200);
    // the form starts from the current schedule, one line per instalment
    const current = /<textarea name="schedule"[^>]*>([\s\S]*?)<\/textarea>/.exec(page.text)![1]!;
    expect(current.trim().split('\n')).toHaveLength(13); // the header and 12 instalments
    const csrf = csrfFrom(page.text);
    const first = current.trim().split('\n')[1]!.split(',')[0]!;
    const next = (months: number) => {
      const d = new Date(`${first}T00:00:00Z`);
      d.setUTCMonth(d.getUTCMonth() + months);
      return d.toISOString().slice(0, 10);
    };
    const post = (schedule: string) => partner.post(`/partner/loans/${loanId}/schedule`).type('form').send({ _csrf: csrf, schedule });
    const slashed = (iso: string) => iso.replace(/-0?/g, '/');

    const badLines = `到期日\t本金\t利息\t费用\n${slashed(next(0))}\t25,000.00\t250\t0\n2026-02-30\t25000\t1\n${next(1)}\t25000\tabc\t0`;
    const bad = await post(badLines).expect(400);
    expect(bad.text).toContain('第 3 行：到期日「2026-02-30」不是有效日期');
    expect(bad.text).toContain('第 4 行：利息「abc」');
    expect(bad.text).toContain('25,000.00'); // what was typed is shown again
    const unordered = await post(`${next(1)},25000,250\n${next(0)},25000,125`).expect(400);
    expect(unordered.text).toContain('第 2 行：到期日：还款日须逐期递增');
    const short = await post(`${next(0)},20000,250\n${next(1)},20000,125`).expect(400);
    expect(short.text).toContain('须等于贷款本金 ¥50,000.00');
    expect((await partner.get(`/api/partner/v1/loans/${loanId}`).expect(200)).body).toMatchObject({ scheduleSource: 'generated', termMonths: 12 });

    const saved = await post(`到期日\t本金\t利息\t费用\n${slashed(next(0))}\t25,000.00\t250\t0\n${next(1)}\t25000\t125\t10`).expect(303);
    expect(saved.headers.location).toBe(`/partner/loans/${loanId}`);
    const loan = await partner.get(`/api/partner/v1/loans/${loanId}`).expect(200);
    expect(loan.body).toMatchObject({ scheduleSource: 'institution', termMonths: 2 });
    expect(loan.body.schedule.map((i: { dueDate: string; amount: number }) => [i.dueDate, i.amount])).toEqual([
      [next(0), 25250],
      [next(1), 25135],
    ]);
    const after = await partner.get(`/partner/loans/${loanId}`).expect(200);
    expect(after.text).toContain('还款计划已替换为本机构的 2 期计划');
    expect(after.text).toContain('机构提供');

    // after the first repayment the form is gone, and a post is refused with the reason
    await partner.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'S-PORTAL-1', amount: 10 }).expect(201);
    const closed = await partner.get(`/partner/loans/${loanId}`).expect(200);
    expect(closed.text).not.toContain('data-testid="schedule-form"');
    const late = await post(`${next(0)},50000,0`).expect(409);
    expect(late.text).toContain('已有还款记录，不能再替换还款计划');
    // another institution's staff cannot reach the loan
    const other = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const otherPage = await other.get('/partner/loans').expect(200);
    await other.post(`/partner/loans/${loanId}/schedule`).type('form').send({ _csrf: csrfFrom(otherPage.text), schedule: `${next(0)},50000,0` }).expect(404);
  });

  it('early settlement needs today’s quote and leaves the loan settled with nothing owed', async () => {
    const { partner, consumer, loanId } = await disbursedLoan(t);
    const loan = await consumer.agent.get(`/api/v1/loans/${loanId}`).expect(200);
    const quote = loan.body.earlySettlement;
    expect(quote.principal).toBe(50000);
    const short = await partner.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'PAYOFF-1', amount: quote.total - 1, settle: true }).expect(400);
    expect(short.body.error.fields.amount).toMatch(/今日结清需还/);
    const settled = await partner.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'PAYOFF-2', amount: quote.total, settle: true }).expect(201);
    expect(settled.body.loan).toMatchObject({ status: 'settled', totalOwed: 0, principalOutstanding: 0, earlySettlement: null });
    expect(settled.body.loan.schedule.every((i: { status: string }) => i.status === 'paid')).toBe(true);
    await partner.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'PAYOFF-3', amount: 1 }).expect(409);
  });

  it("我的 (/account) shows the consumer's own next instalment, applications in progress and unread messages; strangers log in first", async () => {
    const { consumer, loanId } = await disbursedLoan(t);
    const second = await apply(consumer.agent, t.fixtures.institutionB.productId); // still in progress
    expect(second.status).toBe('submitted');
    const loan = (await consumer.agent.get(`/api/v1/loans/${loanId}`).expect(200)).body;
    const unread = await t.container.services.notifications.unreadCount(consumer.id);
    expect(unread).toBeGreaterThan(0); // the disbursement was announced
    const page = await consumer.agent.get('/account').expect(200);
    const summary = /data-testid="account-summary">([\s\S]*?)<div class="grid account-links">/.exec(page.text)![1]!;
    const text = summary.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('我的申请 1 进行中，共 2 笔');
    expect(text).toContain(`${loan.nextDue.dueDate} 应还`);
    expect(text).toContain(`¥${loan.nextDue.amount.toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    expect(text).toContain(`消息 ${unread} 条未读`);
    for (const href of ['/profile', '/verify', '/my-data', '/account/contact', '/account/complaints', '/account/reviews', '/account/security', '/account/export']) {
      expect(page.text).toContain(`href="${href}"`);
    }
    // every page's header counts the unread messages on 「我的」 until they are marked read
    const home = await consumer.agent.get('/').expect(200);
    expect(/data-testid="unread-count"[^>]*>([^<]*)</.exec(home.text)?.[1]).toBe(String(unread));
    const inbox = await consumer.agent.get('/notifications').expect(200);
    await consumer.agent.post('/notifications/read').type('form').send({ _csrf: csrfFrom(inbox.text) }).expect(303);
    expect((await consumer.agent.get('/').expect(200)).text).not.toContain('data-testid="unread-count"');
    // another consumer sees only their own (nothing), and a visitor is sent to log in
    const other = await consumerAgent(t.app);
    const empty = (await other.agent.get('/account').expect(200)).text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(empty).toContain('我的申请 0 进行中');
    expect(empty).not.toContain(loan.nextDue.dueDate + ' 应还');
    const visitor = await request(t.app).get('/account').expect(303);
    expect(visitor.headers.location).toMatch(/^\/login\?next=%2Faccount/);
  });

  it('a consumer sees only their own loans; another consumer and institution B get 404', async () => {
    const { consumer, loanId } = await disbursedLoan(t);
    const mine = await consumer.agent.get('/api/v1/loans').expect(200);
    expect(mine.body.items.map((l: { id: string }) => l.id)).toEqual([loanId]);
    const page = await consumer.agent.get(`/account/loans/${loanId}`).expect(200);
    expect(page.text).toContain('还款计划');

    const other = await consumerAgent(t.app);
    expect((await other.agent.get('/api/v1/loans').expect(200)).body.items).toEqual([]);
    await other.agent.get(`/api/v1/loans/${loanId}`).expect(404);
    await other.agent.get(`/account/loans/${loanId}`).expect(404);

    const b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    await b.get(`/api/partner/v1/loans/${loanId}`).expect(404);
    await b.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'B-1', amount: 10 }).expect(404);
    await b.post(`/api/partner/v1/loans/${loanId}/schedule`).send({ instalments: [{ dueDate: '2099-01-01', principal: 50000, interest: 0 }] }).expect(404);
    expect((await b.get('/api/partner/v1/loans').expect(200)).body.items.map((l: { id: string }) => l.id)).not.toContain(loanId);
    await b.get(`/partner/loans/${loanId}`).expect(404);
  });
});
