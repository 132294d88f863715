import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { withTransaction } from '../../server/lib/tx';
import { accountBalance } from '../../server/modules/settlement/ledger';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { csrfFrom, staffAgent } from '../support/http';

type Agent = ReturnType<typeof request.agent>;

/**
 * Bank transfers finance records by hand: a bank reference once per statement (a second tab gets a
 * 409, whatever the spacing), never more than is outstanding unless declared as an overpayment with
 * a reason, which stays visible to finance, to the institution and in both APIs. Each case on its
 * own ¥95.00 statement (CPL ¥20 + CPS 1.5% of ¥5,000). On PostgreSQL too when TEST_DATABASE_URL is set.
 */
describe.each(databaseTargets())('bank transfers on $name', (target) => {
  let t: TestApp;
  let operator: Agent;
  let partner: Agent;
  let month = 0;

  /** A fresh issued ¥95.00 statement of institution A, in its own month of 2026. */
  async function issuedStatement(): Promise<string> {
    const { settlement, statements } = t.container.services;
    const institutionId = t.fixtures.institutionA.id;
    month += 1;
    const period = `2026-${String(month).padStart(2, '0')}`;
    const at = new Date(`${period}-10T02:00:00Z`);
    await withTransaction(t.container.database.db, async (tx) => {
      await settlement.accrue(tx, { rule: 'cpl', applicationId: `app_bt${month}`, institutionId, at });
      await settlement.accrue(tx, { rule: 'cps', applicationId: `app_bt${month}`, institutionId, at, baseAmountFen: 500_000 });
    });
    const closed = await statements.closeMonth(period, { now: new Date('2026-12-01T02:00:00+08:00'), institutionIds: [institutionId] });
    const id = closed.created[0]!;
    await statements.issue(id, { kind: 'operator', id: 'op' });
    expect((await statements.detail(id)).totalFen).toBe(9_500);
    return id;
  }

  /** The statement page's payment form, as a tab would hold it: its CSRF token and its own idempotency key. */
  async function paymentTab(statementId: string) {
    const page = await operator.get(`/admin/finance/statements/${statementId}`).expect(200);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.text)?.[1];
    return (fields: Record<string, string>) =>
      operator
        .post(`/admin/finance/statements/${statementId}/payments`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), ...(key ? { idempotencyKey: key } : {}), paidOn: '2026-11-05', ...fields });
  }

  const paymentsOf = (statementId: string) =>
    queryRows<{ n: number; total: string | null }>(t.container.database.db, sql`select count(*)::int as n, sum(amount_fen) as total from statement_payments where statement_id = ${statementId}`);

  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
    operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
  }, 120_000);
  afterAll(() => t?.close());

  it('the same reference from a second tab is refused with a 409 naming the reference', async () => {
    const id = await issuedStatement();
    const first = await paymentTab(id);
    const second = await paymentTab(id);
    await first({ amount: '40', reference: 'ICBC 2026 0001' }).expect(303);
    const again = await second({ amount: '40', reference: 'icbc20260001' }).expect(409);
    expect(again.text).toContain('流水号 ICBC 2026 0001 已登记在这张结算单上（¥40.00），同一笔转账不能登记两次');
    expect(again.text).toContain('value="icbc20260001"'); // the form keeps what was typed
    expect(await paymentsOf(id)).toEqual([{ n: 1, total: '4000' }]);
    // the rest of the money under its own reference is fine, and pays the statement
    await (await paymentTab(id))({ amount: '55', reference: 'ICBC 2026 0002' }).expect(303);
    expect((await t.container.services.statements.detail(id)).status).toBe('paid');
  });

  it('¥1,000,000.00 against a ¥95.00 statement is a 400 naming the amount and what is outstanding; nothing is recorded', async () => {
    const id = await issuedStatement();
    const res = await (await paymentTab(id))({ amount: '1000000.00', reference: 'BIG-1' }).expect(400);
    expect(res.text).toContain('超出待付金额 ¥95.00');
    expect(res.text).toContain('value="1000000.00"');
    expect(await paymentsOf(id)).toEqual([{ n: 0, total: null }]);
    const detail = await t.container.services.statements.detail(id);
    expect(detail).toMatchObject({ status: 'issued', paidFen: 0, outstandingFen: 9_500 });
    expect((await partner.get(`/partner/statements/${id}`).expect(200)).text).not.toContain('已付清');

    // the API says the same: 400 on the amount field, with the outstanding amount
    const api = await operator.post(`/api/admin/v1/statements/${id}/payments`).send({ amount: '1000000.00', paidOn: '2026-11-05', reference: 'BIG-1' }).expect(400);
    expect(api.body.error.fields.amount).toContain('¥95.00');
    // after part of it is paid, the limit is what remains
    await operator.post(`/api/admin/v1/statements/${id}/payments`).send({ amount: 50, paidOn: '2026-11-05', reference: 'PART-1' }).expect(201);
    const rest = await operator.post(`/api/admin/v1/statements/${id}/payments`).send({ amount: '45.01', paidOn: '2026-11-05', reference: 'PART-2' }).expect(400);
    expect(rest.body.error.fields.amount).toContain('¥45.00');
  });

  it('an overpayment needs the tick and a reason, and then stays visible everywhere', async () => {
    const id = await issuedStatement();
    const institutionId = t.fixtures.institutionA.id;
    const receivableBefore = await accountBalance(t.container.database.db, `receivable:institution:${institutionId}`);
    const noReason = await (await paymentTab(id))({ amount: '100', reference: 'OVER-1', overpayment: '1', overpaymentReason: '' }).expect(400);
    expect(noReason.text).toContain('请说明多付的原因');
    expect(noReason.text).toMatch(/name="overpayment" value="1" checked/);
    const notOver = await (await paymentTab(id))({ amount: '95', reference: 'OVER-1', overpayment: '1', overpaymentReason: '机构多转' }).expect(400);
    expect(notOver.text).toContain('请取消「登记为多付」');
    await (await paymentTab(id))({ amount: '100', reference: 'OVER-1', overpayment: '1', overpaymentReason: '机构误将手续费一并转入' }).expect(303);

    const detail = await t.container.services.statements.detail(id);
    expect(detail).toMatchObject({ status: 'paid', paidFen: 10_000, outstandingFen: 0, overpaidFen: 500 });
    expect(detail.payments[0]).toMatchObject({ amountFen: 10_000, overpaymentFen: 500, overpaymentReason: '机构误将手续费一并转入' });
    // ledger: the receivable drops by what was owed, the excess is the institution's credit; every journal balances
    const db = t.container.database.db;
    expect(await accountBalance(db, `receivable:institution:${institutionId}`)).toBe(receivableBefore - 9_500);
    expect(await accountBalance(db, `liability:institution-credit:${institutionId}`)).toBe(-500);
    const [unbalanced] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from (select journal_id from ledger_entries group by journal_id having sum(amount_fen) <> 0) x`);
    expect(unbalanced!.n).toBe(0);

    // statement page, finance overview, the institution's pages and both APIs
    const page = await operator.get(`/admin/finance/statements/${id}`).expect(200);
    expect(page.text).toContain('多付 ¥5.00');
    expect(page.text).toContain('机构误将手续费一并转入');
    const overview = await operator.get('/admin/finance').expect(200);
    expect(overview.text).toMatch(new RegExp(`data-testid="overpaid-statements"[\\s\\S]*data-statement-id="${id}"`));
    expect(overview.text).toMatch(/data-testid="credit">¥5\.00</);
    expect((await operator.get('/admin/finance/statements.csv').expect(200)).text).toContain(',95.00,100.00,0.00,5.00,');
    expect((await partner.get(`/partner/statements/${id}`).expect(200)).text).toContain('多付 ¥5.00');
    expect((await partner.get('/partner/statements').expect(200)).text).toMatch(new RegExp(`data-statement-id="${id}"[\\s\\S]*?多付 ¥5.00`));
    const partnerApi = await partner.get(`/api/partner/v1/statements/${id}`).expect(200);
    expect(partnerApi.body).toMatchObject({ status: 'paid', overpaidFen: 500, payments: [{ amountFen: 10_000, overpaymentFen: 500, overpaymentReason: '机构误将手续费一并转入' }] });
    expect((await operator.get(`/api/admin/v1/statements/${id}`).expect(200)).body.overpaidFen).toBe(500);

    // the API declares it the same way
    const second = await issuedStatement();
    const missing = await operator.post(`/api/admin/v1/statements/${second}/payments`).send({ amount: 120, paidOn: '2026-11-05', reference: 'API-OVER', overpayment: true }).expect(400);
    expect(missing.body.error.fields).toHaveProperty('overpaymentReason');
    const ok = await operator
      .post(`/api/admin/v1/statements/${second}/payments`)
      .send({ amount: 120, paidOn: '2026-11-05', reference: 'API-OVER', overpayment: true, overpaymentReason: '两笔合并转账' })
      .expect(201);
    expect(ok.body).toMatchObject({ payment: { amountFen: 12_000, overpaymentFen: 2_500 }, statement: { status: 'paid', overpaidFen: 2_500 } });
    const audit = await t.container.services.audit.forObject('statement', second);
    expect(audit.find((a) => a.action === 'statement.payment_recorded')?.detail).toMatchObject({ overpaymentFen: 2_500, overpaymentReason: '两笔合并转账', outstandingFen: 9_500 });
  });

  it('a card payment arriving after the statement was paid by transfer is kept, as a visible overpayment', async () => {
    const id = await issuedStatement();
    const { statements } = t.container.services;
    await statements.recordBankTransfer(id, { amountFen: 9_500, paidAt: new Date('2026-11-05T00:00:00Z'), reference: 'BOC-9' }, { kind: 'operator', id: 'op' });
    const intent = { id: `pi_late_${id}`, status: 'succeeded', currency: 'cny', amountFen: 9_500, amountReceivedFen: 9_500, statementId: id };
    expect(await statements.handlePaymentEvent({ id: `evt_late_${id}`, type: 'payment_intent.succeeded', paymentIntent: intent })).toBe('processed');
    const detail = await statements.detail(id);
    expect(detail).toMatchObject({ paidFen: 19_000, overpaidFen: 9_500 });
    expect(detail.payments.find((p) => p.method === 'stripe')).toMatchObject({ overpaymentFen: 9_500, overpaymentReason: expect.stringContaining('只剩 ¥0.00 待付') });
  });

  it('two parallel posts with the same reference: one is recorded, the other gets a 409', { timeout: 60_000 }, async () => {
    const api = await issuedStatement();
    const [a, b] = await Promise.all(
      ['CCB-777', ' ccb-777 '].map((reference) =>
        operator.post(`/api/admin/v1/statements/${api}/payments`).set('Idempotency-Key', randomUUID()).send({ amount: 30, paidOn: '2026-11-05', reference }),
      ),
    );
    expect([a!.status, b!.status].sort(), JSON.stringify([a!.body, b!.body])).toEqual([201, 409]);
    expect([a!, b!].find((r) => r.status === 409)!.body.error).toMatchObject({ code: 'payment_reference_duplicate', fields: { reference: expect.stringContaining('已登记') } });
    expect(await paymentsOf(api)).toEqual([{ n: 1, total: '3000' }]);

    const form = await issuedStatement();
    const tabs = await Promise.all([paymentTab(form), paymentTab(form)]);
    const results = await Promise.all(tabs.map((tab) => tab({ amount: '95', reference: 'ABC-1' })));
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(await paymentsOf(form)).toEqual([{ n: 1, total: '9500' }]);
    const [journals] = await queryRows<{ n: number }>(
      t.container.database.db,
      sql`select count(*)::int as n from ledger_journals j join statement_payments p on p.journal_id = j.id where p.statement_id = ${form}`,
    );
    expect(journals!.n).toBe(1);
  });

  it('the database itself refuses a second payment with the same reference key on a statement', async () => {
    const id = await issuedStatement();
    await t.container.services.statements.recordBankTransfer(id, { amountFen: 1_000, paidAt: new Date('2026-11-05T00:00:00Z'), reference: 'DB-1' }, { kind: 'operator', id: 'op' });
    const [payment] = await queryRows<Record<string, unknown>>(t.container.database.db, sql`select * from statement_payments where statement_id = ${id}`);
    await expect(
      t.container.database.db.execute(sql`
        insert into statement_payments (id, statement_id, institution_id, method, amount_fen, paid_at, reference, reference_key, source_key, journal_id)
        values ('pay_dup', ${id}, ${payment!.institution_id as string}, 'bank_transfer', 100, now(), 'db-1', 'DB-1', 'payment:bank:dup', ${payment!.journal_id as string})`),
    ).rejects.toThrow();
  });
});
