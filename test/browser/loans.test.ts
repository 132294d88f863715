import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { apply, consumerAgent, staffAgent } from '../support/http';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { acceptOffer } from '../support/offers';

/**
 * The institution replaces the generated schedule with its own (pasted from a spreadsheet, a typo
 * caught first); the consumer watches that schedule on a phone; the institution reports a
 * repayment in the portal; the schedule updates.
 */
// Each step is its own test (sharing the app, the browser and the pages), so a failure names the step it happened in.
describe('browser: the repayment centre follows the institution’s repayments', { timeout: 90_000 }, () => {
  let t: TestApp | undefined;
  let harness: BrowserHarness | undefined;

  beforeAll(async () => {
    t = await startTestApp();
    harness = await openBrowser(t.app, {
      purpose: 'the loans browser test',
      shotPrefix: 'loans',
      // the schedule with a typo is refused with 400 and shown again, on purpose
      expected: [{ status: 400, url: (u) => u.pathname.endsWith('/schedule'), seen: 0 }],
    });
  });
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  /** the consumer (made over the API) and the disbursed application of step 1 */
  let consumer: Awaited<ReturnType<typeof consumerAgent>> | undefined;
  let application: Awaited<ReturnType<typeof apply>> | undefined;
  /** the institution staff's desktop page and the consumer's phone page */
  let p: Page | undefined;
  let c: Page | undefined;
  /** set once each step that later steps build on has succeeded */
  let ownSchedule = false;
  let loanPath: string | undefined;
  let firstAmount: string | undefined;
  let reported = false;
  const rows = () => c!.locator('[data-testid=loan-schedule] tbody tr');

  it('1. the institution replaces the generated schedule with its own, pasted from a spreadsheet, a typo caught first', async () => {
    consumer = await consumerAgent(t!.app, { realName: '李小华' });
    application = await apply(consumer.agent, t!.fixtures.institutionA.productId);
    const partnerApi = await staffAgent(t!.app, 'partner', t!.fixtures.institutionA.staff);
    await partnerApi
      .post(`/api/partner/v1/leads/${application.id}/status`)
      .send({ status: 'approved', offeredAmount: 12000, offeredTermMonths: 12, offeredApr: 0.12 })
      .expect(200);
    await acceptOffer(t!, application.id);
    await partnerApi.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'disbursed', amount: 12000 }).expect(200);

    ({ page: p } = await harness!.newPage(DESKTOP_VIEWPORT, 'institution'));
    await staffLogin(p, 'partner', t!.fixtures.institutionA.staff, PASSWORD);
    await p.goto('/partner/loans');
    await p.locator('tr', { hasText: '甲银行信用贷' }).locator('a', { hasText: '查看' }).first().click();
    const schedule = p.locator('[data-testid=schedule-form] textarea[name=schedule]');
    expect((await schedule.inputValue()).trim().split('\n')).toHaveLength(13); // header + 12 generated instalments
    const now = new Date();
    const due = (months: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 15)).toISOString().slice(0, 10);
    const own = ['到期日\t本金\t利息\t费用', ...[1, 2, 3, 4, 5, 6].map((m) => `${due(m)}\t2,000.00\t60.00\t0`)].join('\n');
    await schedule.fill(own.replace('2,000.00\t60.00', '2,000.00\t6O.00')); // a typo first: O for 0
    await p.locator('[data-testid=schedule-form] button[type=submit]').click();
    await expect.poll(() => p!.locator('[data-testid=schedule-errors]').innerText()).toContain('第 2 行：利息「6O.00」');
    expect(await schedule.inputValue()).toContain('6O.00'); // what was pasted is kept to correct
    await schedule.fill(own);
    await p.locator('[data-testid=schedule-form] button[type=submit]').click();
    await expect.poll(() => p!.locator('.alert.success').innerText()).toContain('还款计划已替换为本机构的 6 期计划');
    await harness!.shot(p, '01-own-schedule');
    ownSchedule = true;
  });

  it('2. the consumer finds the loan from the application page, on a phone, with the institution’s schedule', async () => {
    expect(ownSchedule, 'the institution replaced the schedule in step 1').toBe(true);
    ({ page: c } = await harness!.newPage(PHONE_VIEWPORT, 'consumer'));
    await c.goto(`/login?next=${encodeURIComponent(`/applications/${application!.id}`)}`);
    await c.locator('input[name=phone]').fill(consumer!.phone);
    await c.locator('input[name=password]').fill(PASSWORD);
    await c.locator('main form button[type=submit]').click();
    await c.waitForURL(`**/applications/${application!.id}`);
    await c.locator('[data-testid=loan-link]').click();
    await c.waitForURL(/\/account\/loans\/loan_/);
    const path = new URL(c.url()).pathname;
    expect(await rows().count()).toBe(6);
    expect(await rows().first().getAttribute('data-status')).toBe('pending');
    const amount = (await rows().first().locator('td').nth(2).innerText()).trim();
    expect(amount).toBe('¥2,060.00');
    expect(await c.locator('[data-testid=settlement-total]').innerText()).toMatch(/^¥12,\d{3}\.\d\d$/);
    // nothing wider than the phone: the schedule scrolls inside its own box
    expect(await c.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await harness!.shot(c, '02-schedule');
    loanPath = path;
    firstAmount = amount;
  });

  it('3. the institution reports the first instalment in the portal; the schedule can no longer be replaced', async () => {
    expect(firstAmount, 'the consumer saw the first instalment in step 2').toBeDefined();
    await p!.reload();
    await p!.locator('[data-testid=repayment-form] input[name=transactionId]').fill('BANK-20260301-001');
    await p!.locator('[data-testid=repayment-form] input[name=amount]').fill(firstAmount!.replace(/[¥,]/g, ''));
    await p!.locator('[data-testid=repayment-form] button[type=submit]').click();
    await expect.poll(() => p!.locator('.alert.success').innerText()).toContain('已登记还款');
    expect(await p!.locator('[data-testid=schedule-form]').count()).toBe(0);
    await harness!.shot(p!, '03-reported');
    reported = true;
  });

  it('4. the consumer reloads: instalment 1 paid, the next due is period 2, the payment is listed', async () => {
    expect(reported, 'the institution reported the repayment in step 3').toBe(true);
    await c!.goto(loanPath!);
    expect(await rows().first().getAttribute('data-status')).toBe('paid');
    expect(await rows().first().innerText()).toContain('已还清');
    expect(await c!.locator('[data-testid=next-due]').innerText()).toContain('第 2 期');
    expect(await c!.locator('[data-testid=repayments]').innerText()).toContain('BANK-20260301-001');
    await c!.goto('/account/loans');
    expect(await c!.locator('a.loan-card').count()).toBe(1);
    await harness!.shot(c!, '04-updated');
  });

  it('no page showed a problem', async () => {
    expect(await harness!.settledProblems()).toEqual([]);
  });
});
