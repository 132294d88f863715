import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allJobs } from '../../server/jobs/registry';
import { withinContactHours } from '../../server/modules/loans';
import { withTransaction } from '../../server/lib/tx';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, consumerAgent, staffAgent } from '../support/http';

const at = (local: string) => new Date(`${local}+08:00`);
const signal = new AbortController().signal;
const system = { kind: 'system' as const, id: null };

/**
 * The post-loan jobs on a fake clock: a loan disbursed on 31 January 2026 (due dates 28 Feb,
 * 31 Mar, 30 Apr, …), reminders before each due date, overdue stages, promises and contact rules.
 */
describe.each(databaseTargets())('loan jobs on a fake clock on $name', (target) => {
  let t: TestApp;
  let loanId: string;
  let consumer: Awaited<ReturnType<typeof consumerAgent>>;
  let quiet: Awaited<ReturnType<typeof consumerAgent>>;
  const job = (name: string) => allJobs(t.container.services).find((j) => j.name === name)!;

  /** A loan of A's (or B's) product for the consumer, disbursed at `disbursedAt` (50,000 yuan, 12 months at the product's rate). */
  async function loanFor(c: Awaited<ReturnType<typeof consumerAgent>>, disbursedAt: Date, productId = t.fixtures.institutionA.productId): Promise<string> {
    const application = await apply(c.agent, productId);
    const app = await t.container.services.applications.getForConsumer(c.id, application.id);
    const loan = await withTransaction(t.container.database.db, (tx) =>
      t.container.services.loans.createFromDisbursement(tx, { ...app, offeredTermMonths: null, offeredApr: null }, 5_000_000, disbursedAt),
    );
    return loan.id;
  }

  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
    consumer = await consumerAgent(t.app);
    quiet = await consumerAgent(t.app);
    // the second consumer does not allow SMS
    await t.container.services.accounts.saveContactPreferences(quiet.id, { allowSms: false, allowCall: true, quietStart: '22:00', quietEnd: '08:00' });
    loanId = await loanFor(consumer, at('2026-01-31T12:00:00'));
    await loanFor(quiet, at('2026-01-31T15:00:00'));
  }, 60_000);
  afterAll(() => t?.close());

  it('the schedule from 31 January falls on month ends', async () => {
    const loan = await t.container.services.loans.getForConsumer(consumer.id, loanId);
    expect(loan.instalments.slice(0, 4).map((i) => i.dueDate)).toEqual(['2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31']);
  });

  it('reminds 7, 3 and 1 days before, each once; SMS only where allowed and held until quiet hours end', async () => {
    const reminders = job('loan-reminders');
    expect(reminders.schedule).toBe('0 * * * *');
    // 21 Feb 23:30: seven days before 28 Feb, inside quiet hours
    expect((await reminders.run({ now: at('2026-02-21T23:30:00'), signal })).processed).toBe(2);
    const sms = await t.container.services.notifications.lastSmsTo(consumer.phone);
    expect(sms?.template).toBe('loan.reminder_7');
    expect(sms?.sendAfter.toISOString()).toBe(at('2026-02-22T08:00:00').toISOString());
    expect((await t.container.services.notifications.lastSmsTo(quiet.phone))?.template).not.toMatch(/^loan\./);
    const inApp = await t.container.services.notifications.list(quiet.id);
    expect(inApp.filter((n) => n.kind === 'loan.reminder')).toHaveLength(1);
    // the same hour again, and the next days before the 3-day mark: nothing new
    expect((await reminders.run({ now: at('2026-02-21T23:30:00'), signal })).processed).toBe(0);
    expect((await reminders.run({ now: at('2026-02-23T10:00:00'), signal })).processed).toBe(0);
    // 25 Feb 10:00: three days before, outside quiet hours: sent at once
    expect((await reminders.run({ now: at('2026-02-25T10:00:00'), signal })).processed).toBe(2);
    const three = await t.container.services.notifications.lastSmsTo(consumer.phone);
    expect(three?.template).toBe('loan.reminder_3');
    expect(three!.sendAfter.getTime()).toBeGreaterThan(at('2026-02-25T09:00:00').getTime());
    expect((await reminders.run({ now: at('2026-02-27T09:00:00'), signal })).processed).toBe(2);
    expect((await reminders.run({ now: at('2026-02-27T20:00:00'), signal })).processed).toBe(0);
    // 30 March: the day before 31 March (a month end) is the 1-day reminder of period 2, the missed 7/3-day ones are not sent late
    expect((await reminders.run({ now: at('2026-03-30T09:00:00'), signal })).processed).toBe(2);
    expect((await t.container.services.notifications.lastSmsTo(consumer.phone))?.template).toBe('loan.reminder_1');
  });

  it('stages an overdue loan by days past due as the operators set them, once each', async () => {
    const overdue = job('loan-overdue');
    const { settings, loans, risk } = t.container.services;
    await settings.set('overdue.reminderDay', 2, system);
    // 1 March: one day past 28 February; the reminder now starts on day 2
    let run = await overdue.run({ now: at('2026-03-01T10:00:00'), signal });
    expect(run.detail).toMatchObject({ actions: 0 });
    await settings.set('overdue.reminderDay', 1, system);
    run = await overdue.run({ now: at('2026-03-01T10:00:00'), signal });
    expect(run.detail).toMatchObject({ actions: 2 });
    expect((await overdue.run({ now: at('2026-03-01T11:00:00'), signal })).detail).toMatchObject({ actions: 0 });
    expect((await loans.getForConsumer(consumer.id, loanId)).overdueStage).toBe('reminder');
    expect((await t.container.services.notifications.list(consumer.id)).some((n) => n.kind === 'loan.overdue')).toBe(true);
    expect((await risk.flagsFor(consumer.id)).map((f) => f.code)).toContain('loan_overdue');
    // day 3: a call task for the institution
    await overdue.run({ now: at('2026-03-03T10:00:00'), signal });
    let cases = await t.container.services.collections.list(t.fixtures.institutionA.id);
    const mine = () => cases.find((c) => c.loanId === loanId)!;
    expect(mine().stage).toBe('call');
    // day 7: collection; day 30 (30 March): escalation
    await overdue.run({ now: at('2026-03-07T10:00:00'), signal });
    cases = await t.container.services.collections.list(t.fixtures.institutionA.id);
    expect(mine().stage).toBe('collection');
    await overdue.run({ now: at('2026-03-30T10:00:00'), signal });
    cases = await t.container.services.collections.list(t.fixtures.institutionA.id);
    expect(mine().stage).toBe('escalated');
    expect((await loans.getForConsumer(consumer.id, loanId)).overdueStage).toBe('escalated');
    // B never sees A's case
    expect((await t.container.services.collections.list(t.fixtures.institutionB.id)).map((c) => c.loanId)).not.toContain(loanId);
  });

  it('refuses contact attempts at 22:30, before 08:00, above the daily limit and with anyone but the borrower', async () => {
    const { collections, settings } = t.container.services;
    const caseId = (await collections.list(t.fixtures.institutionA.id)).find((c) => c.loanId === loanId)!.id;
    const actor = { kind: 'institution' as const, id: null, institutionId: t.fixtures.institutionA.id };
    const contact = (local: string, extra: Record<string, string> = {}) =>
      collections.recordContact(t.fixtures.institutionA.id, caseId, { channel: 'call', result: 'no_answer', ...extra }, actor, at(local));
    await expect(contact('2026-03-08T22:30:00')).rejects.toMatchObject({ code: 'contact_refused' });
    await expect(contact('2026-03-08T07:59:00')).rejects.toMatchObject({ code: 'contact_refused' });
    await expect(contact('2026-03-08T10:00:00', { target: 'emergency_contact' })).rejects.toMatchObject({ code: 'contact_refused' });
    await contact('2026-03-08T08:00:00');
    await contact('2026-03-08T12:00:00');
    await contact('2026-03-08T21:59:00');
    await expect(contact('2026-03-08T21:59:30')).rejects.toMatchObject({ code: 'contact_refused', message: expect.stringContaining('每日上限 3 次') });
    // a new Shanghai day starts at 00:00 +08:00
    await contact('2026-03-09T09:00:00');
    await settings.set('collections.dailyContactLimit', 1, system);
    await expect(contact('2026-03-09T10:00:00')).rejects.toMatchObject({ code: 'contact_refused' });
    await settings.set('collections.dailyContactLimit', 3, system);
    expect((await collections.get(t.fixtures.institutionA.id, caseId, at('2026-03-08T12:00:00'))).attemptsToday).toBe(3);
    // B cannot touch A's case
    await expect(collections.recordContact(t.fixtures.institutionB.id, caseId, { channel: 'call', result: 'reached' }, actor, at('2026-03-10T10:00:00'))).rejects.toMatchObject({ code: 'not_found' });
  });

  it("respects the borrower's own choices: a switched-off channel and their quiet hours are refused, and the case page says so", async () => {
    const { collections, accounts } = t.container.services;
    const caseId = (await collections.list(t.fixtures.institutionA.id)).find((c) => c.loanId === loanId)!.id;
    const actor = { kind: 'institution' as const, id: null, institutionId: t.fixtures.institutionA.id };
    const contact = (channel: 'call' | 'sms', local: string) =>
      collections.recordContact(t.fixtures.institutionA.id, caseId, { channel, result: 'no_answer' }, actor, at(local));
    await accounts.saveContactPreferences(consumer.id, { allowSms: true, allowCall: false, quietStart: '12:00', quietEnd: '14:00' });
    try {
      await expect(contact('call', '2026-03-12T10:00:00')).rejects.toMatchObject({ code: 'contact_refused', fields: { channel: expect.stringContaining('电话') } });
      await expect(contact('sms', '2026-03-12T13:00:00')).rejects.toMatchObject({ code: 'contact_refused', message: expect.stringContaining('12:00–14:00') });
      await contact('sms', '2026-03-12T10:00:00');
      await contact('sms', '2026-03-12T14:00:00');
      const detail = await collections.get(t.fixtures.institutionA.id, caseId, at('2026-03-12T13:30:00'));
      expect(detail.borrower).toEqual({ allowCall: false, allowSms: true, quietStart: '12:00', quietEnd: '14:00', quietNow: true });
      expect(detail.attempts.filter((a) => a.day === '2026-03-12').map((a) => a.channel)).toEqual(['sms', 'sms']);
      // the portal offers only SMS and shows the borrower's settings
      const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
      const page = await partner.get(`/partner/collections/${caseId}`).expect(200);
      const form = /<form[^>]*contacts[\s\S]*?<\/form>/.exec(page.text)![0];
      expect([...form.matchAll(/<option value="(\w+)">/g)].map((m) => m[1]).filter((v) => v === 'call' || v === 'sms')).toEqual(['sms']);
      expect(page.text).toMatch(/data-testid="borrower-contact">电话 ✗ · 短信 ✓ · 免打扰 12:00–14:00/);
      // both channels off: nothing can be recorded, and the form says how to follow up instead
      await accounts.saveContactPreferences(consumer.id, { allowSms: false, allowCall: false, quietStart: '22:00', quietEnd: '08:00' });
      await expect(contact('sms', '2026-03-13T10:00:00')).rejects.toMatchObject({ code: 'contact_refused' });
      const closed = await partner.get(`/partner/collections/${caseId}`).expect(200);
      expect(closed.text).toContain('借款人已关闭电话和短信联系');
      expect(/<form[^>]*contacts[\s\S]*?<\/form>/.exec(closed.text)![0]).toMatch(/<button[^>]*disabled/);
    } finally {
      await accounts.saveContactPreferences(consumer.id, { allowSms: true, allowCall: true, quietStart: '22:00', quietEnd: '08:00' });
    }
  });

  it('the portal contact form has no field for a third party, and a smuggled one is refused', async () => {
    const caseId = (await t.container.services.collections.list(t.fixtures.institutionA.id)).find((c) => c.loanId === loanId)!.id;
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const page = await partner.get(`/partner/collections/${caseId}`).expect(200);
    expect(page.text).toContain('仅限借款人本人');
    const form = /<form[^>]*contacts[\s\S]*?<\/form>/.exec(page.text)![0];
    expect([...form.matchAll(/name="(\w+)"/g)].map((m) => m[1]).sort()).toEqual(['_csrf', 'channel', 'note', 'result']);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    // a smuggled target field is refused by the strict form schema
    const smuggled = await partner.post(`/partner/collections/${caseId}/contacts`).type('form').send({ _csrf: csrf, channel: 'call', result: 'reached', target: 'mother' });
    expect(smuggled.status).toBe(400);
    expect(smuggled.text).toContain('不允许的字段');
    // the same form without it is recorded now, or refused with 403 outside 08:00–22:00 Beijing time
    const fair = await partner.post(`/partner/collections/${caseId}/contacts`).type('form').send({ _csrf: csrf, channel: 'call', result: 'reached' });
    expect(fair.status).toBe(withinContactHours(new Date()) ? 303 : 403);
  });

  it('promises to pay are judged kept or broken by the job', async () => {
    const { collections, loans } = t.container.services;
    const caseId = (await collections.list(t.fixtures.institutionA.id)).find((c) => c.loanId === loanId)!.id;
    const actor = { kind: 'institution' as const, id: null, institutionId: t.fixtures.institutionA.id };
    await collections.addPromise(t.fixtures.institutionA.id, caseId, { promisedDate: '2026-04-02', amountFen: 100_000 }, actor, at('2026-03-31T10:00:00'));
    await collections.addPromise(t.fixtures.institutionA.id, caseId, { promisedDate: '2026-04-03', amountFen: 100_000_000 }, actor, at('2026-03-31T10:00:00'));
    await loans.recordRepayment(t.fixtures.institutionA.id, loanId, { transactionId: 'PTP-1', amountFen: 100_000, paidAt: at('2026-04-01T15:00:00') }, actor, 'api');
    await job('loan-overdue').run({ now: at('2026-04-04T10:00:00'), signal });
    const promises = (await collections.get(t.fixtures.institutionA.id, caseId)).promises;
    expect(promises.map((p) => [p.promisedDate, p.status]).sort()).toEqual([
      ['2026-04-02', 'kept'],
      ['2026-04-03', 'broken'],
    ]);
  });

  it('pages: the monitoring board buckets the overdue loans, operators see rates with charts, the consumer sees the overdue badge', async () => {
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const board = await partner.get('/partner/loans/monitoring').expect(200);
    expect(board.text).toContain('甲银行信用贷');
    expect(board.text).toMatch(/data-bucket="90\+"><td>90 天以上<\/td><td class="num">2<\/td>/);
    await partner.get(`/partner/loans/${loanId}`).expect(200);
    await partner.get('/partner/loans?overdue=1').expect(200);
    const b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    expect((await b.get('/partner/loans/monitoring').expect(200)).text).not.toContain('甲银行信用贷');

    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const report = await operator.get('/admin/loans/overdue').expect(200);
    expect(report.text).toContain('<svg');
    expect(report.text).toContain('甲银行');
    expect(report.text).toMatch(/逾期率/);

    const page = await consumer.agent.get(`/account/loans/${loanId}`).expect(200);
    expect(page.text).toContain('data-testid="overdue"');
    expect((await consumer.agent.get('/account/loans').expect(200)).text).toContain(`/account/loans/${loanId}`);
  });

  it('the monitoring board warns when the overdue rate of the last 30 days rises over the 30 days before', async () => {
    const B = t.fixtures.institutionB;
    const borrower = await consumerAgent(t.app);
    const id = await loanFor(borrower, at('2026-05-15T10:00:00'), B.productId);
    const { loans, postLoan } = t.container.services;
    const loan = await loans.getForInstitution(B.id, id);
    expect(loan.instalments.slice(0, 2).map((i) => i.dueDate)).toEqual(['2026-06-15', '2026-07-15']);
    // period 1 paid on time; period 2 not paid
    await loans.recordRepayment(B.id, id, { transactionId: 'ON-TIME', amountFen: loan.instalments[0]!.amountFen, paidAt: at('2026-06-10T09:00:00') }, { kind: 'institution', id: null }, 'api');
    const board = await postLoan.monitoring(B.id, at('2026-07-20T10:00:00'));
    expect(board.previous).toMatchObject({ due: 1, overdue: 0 });
    expect(board.current).toMatchObject({ due: 1, overdue: 1, rate: 1 });
    expect(board.alert).toBe(true);
    expect(board.buckets.find((b) => b.bucket === '1-7')).toMatchObject({ loans: 1, overdueFen: loan.instalments[1]!.amountFen });
    // a month later both windows hold an unpaid instalment: no rise, no alert
    expect((await postLoan.monitoring(B.id, at('2026-08-20T10:00:00'))).alert).toBe(false);
  });
});
