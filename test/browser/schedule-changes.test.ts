import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { apply, consumerAgent, staffAgent } from '../support/http';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { acceptOffer } from '../support/offers';

/**
 * 展期 end to end in the browser: the borrower, who has paid the first instalment, asks for 展期
 * in the repayment centre on a phone; the institution offers a new schedule in the portal; the
 * borrower sees its APR and whole schedule, accepts, and gets version 2 with the paid instalment
 * kept and version 1 under 以前的还款计划.
 */
// Each step is its own test (sharing the app, the browser and the pages), so a failure names the step it happened in.
describe('browser: 展期 from the repayment centre to a new schedule version', { timeout: 90_000 }, () => {
  let t: TestApp | undefined;
  let harness: BrowserHarness | undefined;

  beforeAll(async () => {
    t = await startTestApp();
    harness = await openBrowser(t.app, { purpose: 'the 展期 browser test', shotPrefix: 'schedule-changes' });
  });
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  let consumer: Awaited<ReturnType<typeof consumerAgent>> | undefined;
  let loanId: string | undefined;
  /** the consumer's phone page and the institution staff's desktop page */
  let c: Page | undefined;
  let p: Page | undefined;
  let requested = false;
  let offered = false;
  const rows = () => c!.locator('[data-testid=loan-schedule] tbody tr');

  it('1. a borrower who paid the first instalment asks for 展期 of 3 periods, with a reason, on a phone', async () => {
    consumer = await consumerAgent(t!.app, { realName: '王展期' });
    const application = await apply(consumer.agent, t!.fixtures.institutionA.productId);
    const partnerApi = await staffAgent(t!.app, 'partner', t!.fixtures.institutionA.staff);
    await partnerApi.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'approved', offeredAmount: 12000, offeredTermMonths: 12, offeredApr: 0.12 }).expect(200);
    await acceptOffer(t!, application.id);
    const disbursed = await partnerApi.post(`/api/partner/v1/leads/${application.id}/status`).send({ status: 'disbursed', amount: 12000 }).expect(200);
    loanId = disbursed.body.loan.id as string;
    const loan = (await partnerApi.get(`/api/partner/v1/loans/${loanId}`).expect(200)).body;
    await partnerApi.post(`/api/partner/v1/loans/${loanId}/repayments`).send({ transactionId: 'BANK-EXT-001', amount: loan.schedule[0].amount }).expect(201);

    ({ page: c } = await harness!.newPage(PHONE_VIEWPORT, 'consumer'));
    await c.goto(`/login?next=${encodeURIComponent(`/account/loans/${loanId}`)}`);
    await c.locator('input[name=phone]').fill(consumer.phone);
    await c.locator('input[name=password]').fill(PASSWORD);
    await c.locator('main form button[type=submit]').click();
    await c.waitForURL(`**/account/loans/${loanId}`);
    expect(await rows().count()).toBe(12);
    expect(await rows().first().getAttribute('data-status')).toBe('paid');
    const form = c.locator('[data-testid=request-change]');
    await form.locator('input[name=kind][value=extension]').check();
    await form.locator('input[name=extraPeriods]').fill('3');
    await form.locator('textarea[name=reason]').fill('这几个月收入下降，希望延长还款期限');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => c!.locator('.alert.success').innerText()).toContain('申请已提交');
    expect(await c.locator('[data-testid=change-status]').innerText()).toContain('待机构处理');
    expect(await c.locator('[data-testid=request-change]').count()).toBe(0);
    await harness!.shot(c, '01-requested');
    requested = true;
  });

  it('2. the institution offers a new schedule for what is still owed: 14 periods at 12%', async () => {
    expect(requested, 'the borrower asked in step 1').toBe(true);
    ({ page: p } = await harness!.newPage(DESKTOP_VIEWPORT, 'institution'));
    await staffLogin(p, 'partner', t!.fixtures.institutionA.staff, PASSWORD);
    await p.goto(`/partner/loans/${loanId}`);
    const card = p.locator('[data-testid=schedule-change]');
    expect(await card.innerText()).toContain('这几个月收入下降');
    const form = p.locator('[data-testid=offer-change]');
    // the form starts from what was asked: the 11 periods still owed plus 3
    expect(await form.locator('input[name=termMonths]').inputValue()).toBe('14');
    await form.locator('input[name=annualRatePercent]').fill('12');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => p!.locator('.alert.success').innerText()).toContain('新的还款计划已发给借款人');
    expect(await p.locator('[data-testid=offered]').innerText()).toMatch(/分 14 期.*综合年化 \d+\.\d\d%/);
    await harness!.shot(p, '02-offered');
    offered = true;
  });

  it('3. the borrower sees the APR and the whole new schedule, accepts, and has version 2 with the paid instalment kept', async () => {
    expect(offered, 'the institution offered in step 2').toBe(true);
    await c!.goto(`/account/loans/${loanId}`);
    expect(await c!.locator('[data-testid=change-apr]').innerText()).toMatch(/综合年化 \d+\.\d\d%/);
    expect(await c!.locator('[data-testid=change-expires]').innerText()).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d/);
    const accept = c!.locator('[data-testid=accept-change]');
    await accept.locator('[data-testid=confirm]').check();
    await accept.locator('button[type=submit]').click();
    await expect.poll(() => c!.locator('.alert.success').innerText()).toContain('新的还款计划已生效');
    // 1 paid instalment kept + 14 new ones
    expect(await rows().count()).toBe(15);
    expect(await rows().first().getAttribute('data-status')).toBe('paid');
    expect(await rows().nth(1).getAttribute('data-status')).toBe('pending');
    expect(await c!.locator('[data-testid=repayments]').innerText()).toContain('BANK-EXT-001');
    // version 1 is kept, read-only, under 以前的还款计划
    const past = c!.locator('[data-testid=past-version]');
    expect(await past.count()).toBe(1);
    expect(await past.locator('summary').innerText()).toContain('第 1 版');
    expect(await c!.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await harness!.shot(c!, '03-version-2');
  });

  it('no page showed a problem', async () => {
    expect(await harness!.settledProblems()).toEqual([]);
  });
});
