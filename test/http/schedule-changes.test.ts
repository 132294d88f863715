import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allJobs } from '../../server/jobs/registry';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';
import { acceptOffer } from '../support/offers';

const fen = (yuan: number) => Math.round(yuan * 100);

/** 展期 / 重新安排: the borrower asks, the institution offers a new schedule version, the borrower accepts; repayments made are kept. */
describe.each(databaseTargets())('extension and restructuring on $name', { timeout: 240_000 }, (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
  }, 600_000);
  afterAll(() => t?.close());

  async function disbursedLoan() {
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.12 }).expect(200);
    await acceptOffer(t, application.id);
    const disbursed = await partner.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'disbursed', amount: 50000 }).expect(200);
    return { consumer, partner, loanId: disbursed.body.loan.id as string };
  }

  it('a version change keeps the repayments made and the outstanding balance exact in fen; the old version is kept', async () => {
    const { consumer, partner, loanId } = await disbursedLoan();
    const before = (await partner.get(`/api/partner/v1/loans/${loanId}`).expect(200)).body;
    // the first instalment and 100 yuan of the second are paid
    const paidAmount = before.schedule[0].amount + 100;
    await partner.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'R-1', amount: paidAmount }).expect(201);
    const paid = (await partner.get(`/api/partner/v1/loans/${loanId}`).expect(200)).body;
    const outstandingFen = fen(paid.principalOutstanding);

    const asked = await consumer.agent.post(`/api/v1/loans/${loanId}/schedule-changes`).set('Idempotency-Key', `ext-${loanId}`).send({ kind: 'extension', extraPeriods: 6, reason: '收入暂时下降' }).expect(201);
    expect(asked.body).toMatchObject({ kind: 'extension', extraPeriods: 6, status: 'requested' });
    // one open request per loan
    const second = await consumer.agent.post(`/api/v1/loans/${loanId}/schedule-changes`).set('Idempotency-Key', `ext2-${loanId}`).send({ kind: 'restructure', termMonths: 24, reason: '再申请一次' }).expect(409);
    expect(second.body.error.code).toBe('schedule_change_open');

    const offered = await partner.post(`/api/partner/v1/schedule-changes/${asked.body.id}/offer`).set('Idempotency-Key', `offer-${loanId}`).send({ termMonths: 17, annualRate: 0.12, fee: 50 }).expect(200);
    expect(offered.body.status).toBe('offered');
    expect(offered.body.offer).toMatchObject({ termMonths: 17, annualRate: 0.12, fee: 50 });
    // the APR states the fee: above the nominal rate
    expect(offered.body.offer.apr).toBeGreaterThan(0.12);
    const accepted = await consumer.agent.post(`/api/v1/schedule-changes/${asked.body.id}/accept`).set('Idempotency-Key', `acc-${loanId}`).send({}).expect(200);
    expect(accepted.body.status).toBe('accepted');

    const after = (await partner.get(`/api/partner/v1/loans/${loanId}`).expect(200)).body;
    // the repayment is still there and counted; the paid periods keep what was paid
    expect(after.repayments).toHaveLength(1);
    expect(after.schedule[0]).toMatchObject({ period: 1, status: 'paid' });
    expect(fen(after.schedule[1].paid)).toBe(10_000);
    expect(after.schedule[1].status).toBe('paid');
    // the principal still owed is exactly what it was, spread over the 17 new periods
    expect(fen(after.principalOutstanding)).toBe(outstandingFen);
    expect(after.schedule).toHaveLength(2 + 17);
    expect(after.schedule.reduce((s: number, i: { principal: number }) => s + fen(i.principal), 0)).toBe(5_000_000);
    // versions: 2 current, 1 kept as it stood
    const history = (await consumer.agent.get(`/api/v1/loans/${loanId}/schedule-changes`).expect(200)).body;
    expect(history.versions.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([[2, true], [1, false]]);
    expect(history.versions[1].schedule).toHaveLength(12);
    expect(history.versions[1].schedule.reduce((s: number, l: { paid: number }) => s + fen(l.paid), 0)).toBe(fen(paidAmount));
    // a decided request cannot be accepted again
    await consumer.agent.post(`/api/v1/schedule-changes/${asked.body.id}/accept`).set('Idempotency-Key', `acc2-${loanId}`).send({}).expect(409);
  });

  it('a borrower sees only their own loans (404); an institution only its own (404); a decline says why', async () => {
    const { consumer, partner, loanId } = await disbursedLoan();
    const stranger = await consumerAgent(t.app);
    await stranger.agent.post(`/api/v1/loans/${loanId}/schedule-changes`).set('Idempotency-Key', `x-${loanId}`).send({ kind: 'extension', extraPeriods: 3, reason: '不是我的贷款' }).expect(404);
    await stranger.agent.get(`/api/v1/loans/${loanId}/schedule-changes`).expect(404);
    const asked = await consumer.agent.post(`/api/v1/loans/${loanId}/schedule-changes`).set('Idempotency-Key', `r-${loanId}`).send({ kind: 'restructure', termMonths: 24, reason: '换了工作' }).expect(201);
    await stranger.agent.post(`/api/v1/schedule-changes/${asked.body.id}/accept`).set('Idempotency-Key', `s-${loanId}`).send({}).expect(404);
    await stranger.agent.post(`/api/v1/schedule-changes/${asked.body.id}/withdraw`).send({}).expect(404);
    const other = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    await other.post(`/api/partner/v1/schedule-changes/${asked.body.id}/offer`).set('Idempotency-Key', `o-${loanId}`).send({ termMonths: 24, annualRate: 0.1 }).expect(404);
    await other.post(`/api/partner/v1/schedule-changes/${asked.body.id}/decline`).send({ reason: '不是我们的' }).expect(404);
    expect((await other.get('/api/partner/v1/schedule-changes').expect(200)).body.items.map((c: { id: string }) => c.id)).not.toContain(asked.body.id);
    // an offer before the borrower accepted it cannot be accepted when it costs over 36%
    const tooDear = await partner.post(`/api/partner/v1/schedule-changes/${asked.body.id}/offer`).set('Idempotency-Key', `d-${loanId}`).send({ termMonths: 1, annualRate: 0.3, fee: 5000 }).expect(400);
    expect(tooDear.body.error.fields.annualRate).toMatch(/不得超过 36%/);
    // nothing offered yet: accepting is a 409
    await consumer.agent.post(`/api/v1/schedule-changes/${asked.body.id}/accept`).set('Idempotency-Key', `a-${loanId}`).send({}).expect(409);
    const declined = await partner.post(`/api/partner/v1/schedule-changes/${asked.body.id}/decline`).send({ reason: '已有逾期记录，暂不支持' }).expect(200);
    expect(declined.body).toMatchObject({ status: 'declined', declineReason: '已有逾期记录，暂不支持' });
    const notes = await t.container.services.notifications.list(consumer.id);
    expect(notes.some((n) => n.kind === 'loan.schedule_change_declined')).toBe(true);
    // bad input is a 400 naming the field, never a 500
    const bad = await consumer.agent.post(`/api/v1/loans/${loanId}/schedule-changes`).set('Idempotency-Key', `b-${loanId}`).send({ kind: 'extension', extraPeriods: 0, reason: 'x' }).expect(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['extraPeriods', 'reason']));
  });

  it('the repayment centre: the borrower asks for 展期 and, after the institution offers, sees the APR and accepts the new schedule', async () => {
    const { consumer, partner, loanId } = await disbursedLoan();
    const page = await consumer.agent.get(`/account/loans/${loanId}`).expect(200);
    expect(page.text).toContain('data-testid="request-change"');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.text)![1];
    await consumer.agent.post(`/account/loans/${loanId}/schedule-changes`).type('form').send({ _csrf: csrfFrom(page.text), idempotencyKey: key, kind: 'extension', extraPeriods: '3', termMonths: '', reason: '家里有事' }).expect(303);
    const portal = await partner.get(`/partner/loans/${loanId}`).expect(200);
    expect(portal.text).toContain('data-testid="offer-change"');
    const changeId = /schedule-changes\/([^/]+)\/offer/.exec(portal.text)![1];
    const pkey = /data-testid="offer-change"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(portal.text)![1];
    await partner.post(`/partner/loans/${loanId}/schedule-changes/${changeId}/offer`).type('form').send({ _csrf: csrfFrom(portal.text), idempotencyKey: pkey, termMonths: '15', annualRatePercent: '12', fee: '' }).expect(303);
    const offered = await consumer.agent.get(`/account/loans/${loanId}`).expect(200);
    expect(offered.text).toContain('data-testid="change-apr"');
    const akey = /data-testid="accept-change"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(offered.text)![1];
    await consumer.agent.post(`/account/loans/${loanId}/schedule-changes/${changeId}/accept`).type('form').send({ _csrf: csrfFrom(offered.text), idempotencyKey: akey }).expect(400);
    const again = await consumer.agent.get(`/account/loans/${loanId}`).expect(200);
    const akey2 = /data-testid="accept-change"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(again.text)![1];
    await consumer.agent.post(`/account/loans/${loanId}/schedule-changes/${changeId}/accept`).type('form').send({ _csrf: csrfFrom(again.text), idempotencyKey: akey2, confirm: 'yes' }).expect(303);
    const done = await consumer.agent.get(`/account/loans/${loanId}`).expect(200);
    expect(done.text).toContain('data-testid="past-version"');
    expect((await consumer.agent.get(`/api/v1/loans/${loanId}`).expect(200)).body.schedule).toHaveLength(15);
  });

  it('an offer the borrower leaves unanswered for 7 days expires by the loan-schedule-offers job; both sides see it, and the borrower may ask again', async () => {
    const { consumer, partner, loanId } = await disbursedLoan();
    const job = allJobs(t.container.services).find((j) => j.name === 'loan-schedule-offers')!;
    const signal = new AbortController().signal;
    const asked = await consumer.agent.post(`/api/v1/loans/${loanId}/schedule-changes`).set('Idempotency-Key', `exp-${loanId}`).send({ kind: 'extension', extraPeriods: 3, reason: '收入暂时下降' }).expect(201);
    const offered = await partner.post(`/api/partner/v1/schedule-changes/${asked.body.id}/offer`).set('Idempotency-Key', `exp-o-${loanId}`).send({ termMonths: 14, annualRate: 0.12 }).expect(200);
    const offeredAt = new Date(offered.body.offer.offeredAt);
    expect(new Date(offered.body.offer.expiresAt).getTime() - offeredAt.getTime()).toBe(7 * 86_400_000);
    // six days on: still waiting
    expect((await job.run({ now: new Date(offeredAt.getTime() + 6 * 86_400_000), signal })).processed).toBe(0);
    // the offer is 8 days old (the job has not run yet): accepting it is refused
    await t.container.database.db.execute(sql`update loan_schedule_changes set offered_at = offered_at - interval '8 days' where id = ${asked.body.id}`);
    const late = await consumer.agent.post(`/api/v1/schedule-changes/${asked.body.id}/accept`).set('Idempotency-Key', `exp-a-${loanId}`).send({}).expect(409);
    expect(late.body.error.code).toBe('schedule_offer_expired');
    // the job expires it once: a second run at the same instant finds nothing
    const now = new Date();
    expect((await job.run({ now, signal })).processed).toBeGreaterThanOrEqual(1);
    expect((await job.run({ now, signal })).processed).toBe(0);
    const history = (await consumer.agent.get(`/api/v1/loans/${loanId}/schedule-changes`).expect(200)).body;
    expect(history.changes[0]).toMatchObject({ id: asked.body.id, status: 'expired', statusLabel: '新计划未在有效期内确认，已失效' });
    expect(history.versions.filter((v: { current: boolean }) => v.current)).toHaveLength(history.versions.length ? 1 : 0);
    expect((await consumer.agent.get(`/api/v1/loans/${loanId}`).expect(200)).body.schedule).toHaveLength(12);
    const notes = await t.container.services.notifications.list(consumer.id);
    expect(notes.some((n) => n.kind === 'loan.schedule_change_expired')).toBe(true);
    expect((await t.container.services.audit.recentActions('loan.schedule_change_expired')).some((a) => a.objectId === loanId)).toBe(true);
    // the borrower sees it expired on the repayment centre page, with the request form back
    const page = await consumer.agent.get(`/account/loans/${loanId}`).expect(200);
    expect(page.text).toContain('新计划未在有效期内确认，已失效');
    expect(page.text).toContain('data-testid="request-change"');
    // the institution sees it among the decided ones, no longer open
    expect((await partner.get('/api/partner/v1/schedule-changes').expect(200)).body.items.map((c: { id: string }) => c.id)).not.toContain(asked.body.id);
    const decided = (await partner.get('/api/partner/v1/schedule-changes?status=decided').expect(200)).body.items;
    expect(decided.find((c: { id: string }) => c.id === asked.body.id)).toMatchObject({ status: 'expired' });
    expect((await partner.get(`/partner/loans/${loanId}`).expect(200)).text).toContain('新计划未在有效期内确认，已失效');
    // and may ask again
    await consumer.agent.post(`/api/v1/loans/${loanId}/schedule-changes`).set('Idempotency-Key', `exp-2-${loanId}`).send({ kind: 'restructure', termMonths: 24, reason: '还是需要延长' }).expect(201);
  });

  it('the overdue pages show loans on a changed schedule with their version, and count the changes accepted in the period', async () => {
    const { consumer, partner, loanId } = await disbursedLoan();
    const asked = await consumer.agent.post(`/api/v1/loans/${loanId}/schedule-changes`).set('Idempotency-Key', `ov-${loanId}`).send({ kind: 'extension', extraPeriods: 3, reason: '收入暂时下降' }).expect(201);
    await partner.post(`/api/partner/v1/schedule-changes/${asked.body.id}/offer`).set('Idempotency-Key', `ov-o-${loanId}`).send({ termMonths: 15, annualRate: 0.12 }).expect(200);
    await consumer.agent.post(`/api/v1/schedule-changes/${asked.body.id}/accept`).set('Idempotency-Key', `ov-a-${loanId}`).send({}).expect(200);
    const monitoringBefore = await partner.get('/partner/loans/monitoring').expect(200);
    const extensionsBefore = Number(/data-testid="rescheduled-extensions">(\d+)</.exec(monitoringBefore.text)![1]);
    expect(extensionsBefore).toBeGreaterThanOrEqual(1);
    expect(monitoringBefore.text).not.toContain(`data-loan-id="${loanId}"`);
    // the first instalment of the new version falls 5 days overdue
    await t.container.database.db.execute(sql`update loan_instalments set due_date = current_date - 5 where loan_id = ${loanId} and period = (select min(period) from loan_instalments where loan_id = ${loanId} and status <> 'paid')`);
    const monitoring = await partner.get('/partner/loans/monitoring').expect(200);
    const row = new RegExp(`<tr data-loan-id="${loanId}">[\\s\\S]*?</tr>`).exec(monitoring.text)![0];
    expect(row).toContain('第 2 版 · 展期');
    expect(row).toContain(`href="/partner/loans/${loanId}"`);
    expect(row).toMatch(/<td class="num">[56]<\/td>/);
    // the operators' overdue report: the institution named, the count for the period
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const report = await op.get('/admin/loans/overdue?months=3').expect(200);
    const opRow = new RegExp(`<tr data-loan-id="${loanId}">[\\s\\S]*?</tr>`).exec(report.text)![0];
    expect(opRow).toContain('甲银行');
    expect(opRow).toContain('第 2 版 · 展期');
    expect(Number(/data-testid="rescheduled-extensions">(\d+)</.exec(report.text)![1])).toBeGreaterThanOrEqual(1);
    // another institution never sees it
    const other = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const theirs = await other.get('/partner/loans/monitoring').expect(200);
    expect(theirs.text).not.toContain(loanId);
    expect(theirs.text).toContain('data-testid="rescheduled-extensions">0<');
  });
});
