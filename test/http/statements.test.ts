import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../server/lib/tx';
import { allJobs } from '../../server/jobs/registry';
import { accountBalance } from '../../server/modules/settlement/ledger';
import { startTestApp, type TestApp } from '../support/app';
import { csrfFrom, staffAgent } from '../support/http';

type Agent = ReturnType<typeof request.agent>;

describe('statements: close, issue, review, dispute, resolve, pay', () => {
  let t: TestApp;
  let operator: Agent;
  let partnerA: Agent;
  let partnerB: Agent;
  let statementId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const { settlement, statements } = t.container.services;
    const institutionId = t.fixtures.institutionA.id;
    await withTransaction(t.container.database.db, async (tx) => {
      await settlement.accrue(tx, { rule: 'cpl', applicationId: 'app_s1', institutionId, at: new Date('2026-09-03T02:00:00Z') });
      await settlement.accrue(tx, { rule: 'cpa', applicationId: 'app_s1', institutionId, at: new Date('2026-09-04T02:00:00Z') });
      await settlement.accrue(tx, { rule: 'cps', applicationId: 'app_s1', institutionId, at: new Date('2026-09-05T02:00:00Z'), baseAmountFen: 2_000_000 });
    });
    const closed = await statements.closeMonth('2026-09', { now: new Date('2026-10-01T02:00:00+08:00') });
    statementId = closed.created[0]!;
    operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    partnerA = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    partnerB = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
  });
  afterAll(() => t?.close());

  it('a draft is visible to finance only; issuing shows it to the institution', async () => {
    expect((await partnerA.get('/partner/statements').expect(200)).text).not.toContain(statementId);
    await partnerA.get(`/partner/statements/${statementId}`).expect(404);
    const page = await operator.get(`/admin/finance/statements/${statementId}`).expect(200);
    expect(page.text).toContain('¥420.00'); // 20 + 100 + 300
    await operator.post(`/admin/finance/statements/${statementId}/issue`).type('form').send({ _csrf: csrfFrom(page.text), confirm: 'yes' }).expect(303);
    // issued once: issuing again conflicts with its state (statement_not_draft), the page shown again with the reason
    const again = await operator.post(`/admin/finance/statements/${statementId}/issue`).type('form').send({ _csrf: csrfFrom(page.text), confirm: 'yes' }).expect(409);
    expect(again.text).toContain('只有草稿状态的结算单可以出具');
    const list = await partnerA.get('/partner/statements').expect(200);
    expect(list.text).toContain(statementId);
    expect(list.text).toContain('href="/partner/statements"'); // in the menu
    // another institution: 404, not 403
    await partnerB.get(`/partner/statements/${statementId}`).expect(404);
    await partnerB.get(`/api/partner/v1/statements/${statementId}`).expect(404);
    expect((await partnerB.get('/api/partner/v1/statements').expect(200)).body.items).toEqual([]);
  });

  it('CSV, printable page and API carry the lines and totals', async () => {
    const csv = await partnerA.get(`/partner/statements/${statementId}/download.csv`).expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    expect(csv.text).toContain('cps:app_s1');
    expect(csv.text).toContain('应付合计,,,,,,,,420.00');
    const print = await partnerA.get(`/partner/statements/${statementId}/print`).expect(200);
    expect(print.text).toContain('class="print-page"');
    expect(print.text).not.toContain('<header class="top">');
    const api = await partnerA.get(`/api/partner/v1/statements/${statementId}`).expect(200);
    expect(api.body).toMatchObject({ period: '2026-09', status: expect.stringMatching(/issued|overdue/), totalFen: 42_000, dueDate: '2026-10-15' });
    expect(api.body.lines).toHaveLength(3);
  });

  it('the institution disputes a line (reason required); finance adjusts it once, audited', async () => {
    const { body } = await partnerA.get(`/api/partner/v1/statements/${statementId}`).expect(200);
    const cps = body.lines.find((l: { sourceKey: string }) => l.sourceKey === 'cps:app_s1');
    const page = await partnerA.get(`/partner/statements/${statementId}`).expect(200);
    const csrf = csrfFrom(page.text);
    const bad = await partnerA.post(`/partner/statements/${statementId}/lines/${cps.id}/review`).type('form').send({ _csrf: csrf, decision: 'disputed', reason: '' }).expect(400);
    expect(bad.text).toContain('异议原因');
    await partnerA.post(`/partner/statements/${statementId}/lines/${cps.id}/review`).type('form').send({ _csrf: csrf, decision: 'disputed', reason: '放款金额应为 1 万元', role: 'x' }).expect(400);
    await partnerA.post(`/partner/statements/${statementId}/lines/${cps.id}/review`).type('form').send({ _csrf: csrf, decision: 'disputed', reason: '放款金额应为 1 万元' }).expect(303);
    expect((await partnerA.get(`/api/partner/v1/statements/${statementId}`)).body.status).toMatch(/disputed|overdue/);

    const finance = await operator.get('/admin/finance').expect(200);
    expect(finance.text).toContain('放款金额应为 1 万元');
    const detail = await operator.get(`/admin/finance/statements/${statementId}`).expect(200);
    const ocsrf = csrfFrom(detail.text);
    const wrong = await operator.post(`/admin/finance/lines/${cps.id}/resolve?statement=${statementId}`).type('form').send({ _csrf: ocsrf, action: 'adjust', amount: '12.345', reason: '核实' }).expect(400);
    expect(wrong.text).toContain('金额须为元');
    await operator.post(`/admin/finance/lines/${cps.id}/resolve?statement=${statementId}`).type('form').send({ _csrf: ocsrf, action: 'adjust', amount: '-150', reason: '核实放款 1 万元' }).expect(303);
    await operator.post(`/admin/finance/lines/${cps.id}/resolve?statement=${statementId}`).type('form').send({ _csrf: ocsrf, action: 'reject', reason: '再次处理' }).expect(409);
    const audit = await t.container.services.audit.recentActions('statement.dispute_adjusted');
    expect(audit[0]).toMatchObject({ objectId: statementId });

    const closeNow = await operator.post('/admin/finance/close').type('form').send({ _csrf: ocsrf, period: '2099-13' }).expect(400);
    expect(closeNow.text).toContain('账期');
  });

  it('finance records a bank transfer; the statement is paid and the receivable drops', async () => {
    const detail = await operator.get(`/admin/finance/statements/${statementId}`).expect(200);
    const csrf = csrfFrom(detail.text);
    const bad = await operator.post(`/admin/finance/statements/${statementId}/payments`).type('form').send({ _csrf: csrf, amount: '0', paidOn: '2026-10-10', reference: 'X' }).expect(400);
    expect(bad.text).toContain('金额');
    await operator.post(`/admin/finance/statements/${statementId}/payments`).type('form').send({ _csrf: csrf, amount: '420', paidOn: '2026-10-10', reference: 'ICBC-001' }).expect(303);
    const api = await partnerA.get(`/api/partner/v1/statements/${statementId}`).expect(200);
    expect(api.body).toMatchObject({ status: 'paid', paidFen: 42_000, outstandingFen: 0 });
    // paid: a line can no longer be confirmed or disputed (statement_paid), a conflict with the page shown again
    const partnerPage = await partnerA.get(`/partner/statements/${statementId}`).expect(200);
    const review = await partnerA
      .post(`/partner/statements/${statementId}/lines/${api.body.lines[0].id}/review`)
      .type('form')
      .send({ _csrf: csrfFrom(partnerPage.text), decision: 'confirmed' })
      .expect(409);
    expect(review.text).toContain('结算单已付清');
    // 420 billed and paid, -150 adjustment not yet billed
    expect(await accountBalance(t.container.database.db, `receivable:institution:${t.fixtures.institutionA.id}`)).toBe(-15_000);
    const overview = await operator.get('/admin/finance').expect(200);
    expect(overview.text).toContain('<svg');
    const csv = await operator.get('/admin/finance/statements.csv').expect(200);
    expect(csv.text).toContain('已付清');
    expect((await operator.get('/admin/finance/receivables.csv').expect(200)).text).toContain('甲银行');
    // Stripe is not configured: paying online is refused, the page offers bank transfer
    const pay = await partnerA.get(`/partner/statements/${statementId}/pay`).expect(200);
    expect(pay.text).not.toContain('在线支付');
  });

  it('the statements-close job closes the month before its run, once', async () => {
    const job = allJobs(t.container.services).find((j) => j.name === 'statements-close')!;
    expect(job).toMatchObject({ schedule: '0 2 1 * *' });
    const { settlement } = t.container.services;
    await withTransaction(t.container.database.db, (tx) =>
      settlement.accrue(tx, { rule: 'cpl', applicationId: 'app_job', institutionId: t.fixtures.institutionB.id, at: new Date('2026-10-20T02:00:00Z') }),
    );
    const run = { now: new Date('2026-11-01T02:00:00+08:00'), signal: new AbortController().signal };
    const first = await job.run(run);
    expect(first).toMatchObject({ processed: 1, detail: { period: '2026-10', created: 1 } });
    const again = await job.run(run);
    expect(again).toMatchObject({ processed: 0, detail: { period: '2026-10', created: 0, existing: 1 } });
  });
});
