import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { apply, consumerAgent, staffAgent } from '../support/http';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';

/** A consumer watches their schedule on a phone; the institution reports a repayment in the portal; the schedule updates. */
describe('browser: the repayment centre follows the institution’s repayments', () => {
  let t: TestApp | undefined;
  let harness: BrowserHarness | undefined;

  beforeAll(async () => {
    t = await startTestApp();
    harness = await openBrowser(t.app, { purpose: 'the loans browser test', shotPrefix: 'loans' });
  });
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  it('shows the schedule, and the first instalment paid after the institution reports it', { timeout: 90_000 }, async () => {
    const consumer = await consumerAgent(t!.app, { realName: '李小华' });
    const application = await apply(consumer.agent, t!.fixtures.institutionA.productId);
    const partnerApi = await staffAgent(t!.app, 'partner', t!.fixtures.institutionA.staff);
    await partnerApi
      .post(`/api/partner/v1/leads/${application.id}/status`)
      .send({ status: 'approved', offeredAmount: 12000, offeredTermMonths: 12, offeredApr: 0.12 })
      .expect(200);
    await partnerApi.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'disbursed', amount: 12000 }).expect(200);

    // the consumer finds the loan from the application page, on a phone
    const { page: c } = await harness!.newPage(PHONE_VIEWPORT, 'consumer');
    await c.goto(`/login?next=${encodeURIComponent(`/applications/${application.id}`)}`);
    await c.locator('input[name=phone]').fill(consumer.phone);
    await c.locator('input[name=password]').fill(PASSWORD);
    await c.locator('main form button[type=submit]').click();
    await c.waitForURL(`**/applications/${application.id}`);
    await c.locator('[data-testid=loan-link]').click();
    await c.waitForURL(/\/account\/loans\/loan_/);
    const loanPath = new URL(c.url()).pathname;
    const rows = c.locator('[data-testid=loan-schedule] tbody tr');
    expect(await rows.count()).toBe(12);
    expect(await rows.first().getAttribute('data-status')).toBe('pending');
    const firstAmount = (await rows.first().locator('td').nth(2).innerText()).trim();
    expect(firstAmount).toMatch(/^¥1,0\d\d\.\d\d$/);
    expect(await c.locator('[data-testid=settlement-total]').innerText()).toMatch(/^¥12,\d{3}\.\d\d$/);
    // nothing wider than the phone: the schedule scrolls inside its own box
    expect(await c.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await harness!.shot(c, '01-schedule');

    // the institution reports the first instalment in the portal
    const { page: p } = await harness!.newPage(DESKTOP_VIEWPORT, 'institution');
    await staffLogin(p, 'partner', t!.fixtures.institutionA.staff, PASSWORD);
    await p.goto('/partner/loans');
    await p.locator('tr', { hasText: '甲银行信用贷' }).locator('a', { hasText: '查看' }).first().click();
    await p.locator('[data-testid=repayment-form] input[name=transactionId]').fill('BANK-20260301-001');
    await p.locator('[data-testid=repayment-form] input[name=amount]').fill(firstAmount.replace(/[¥,]/g, ''));
    await p.locator('[data-testid=repayment-form] button[type=submit]').click();
    await expect.poll(() => p.locator('.alert.success').innerText()).toContain('已登记还款');
    await harness!.shot(p, '02-reported');

    // the consumer reloads: instalment 1 paid, the next due is period 2, the payment is listed
    await c.goto(loanPath);
    expect(await rows.first().getAttribute('data-status')).toBe('paid');
    expect(await rows.first().innerText()).toContain('已还清');
    expect(await c.locator('[data-testid=next-due]').innerText()).toContain('第 2 期');
    expect(await c.locator('[data-testid=repayments]').innerText()).toContain('BANK-20260301-001');
    await c.goto('/account/loans');
    expect(await c.locator('a.loan-card').count()).toBe(1);
    await harness!.shot(c, '03-updated');

    expect(harness!.problems).toEqual([]);
  });
});
