import { randomInt } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { newIdNumber } from '../support/http';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';

/**
 * One loan, end to end, in a real headless Chromium across the three surfaces:
 * a consumer finds a product, registers on the way to applying and applies; the institution's
 * staff approve and disburse the lead; the consumer watches the timeline grow; an operator sees
 * the history and the commissions it earned (CPL ¥20 per lead, CPA ¥100 per approval, CPS 1.5% of disbursement).
 */

/** Amount applied for, approved and disbursed, in yuan; CPS 1.5% of it is ¥750.00. */
const AMOUNT_YUAN = 50_000;

// The steps build on each other (one application travels through them), but each is its own test, so a failure
// names the step it happened in and the steps before it still report their own result.
describe('browser journey: consumer → institution → operator', { timeout: 120_000 }, () => {
  let testApp: TestApp | undefined;
  /** the consumer's phone, registered in step 2 */
  let phone = '';
  let harness: BrowserHarness | undefined;
  let browser: Browser | undefined;
  let knownCspStyleViolations: string[] = [];

  beforeAll(async () => {
    testApp = await startTestApp();
    harness = await openBrowser(testApp.app, { purpose: 'the browser journey test', shotPrefix: 'journey', cspStyleAsWarning: true });
    ({ browser, cspStyleViolations: knownCspStyleViolations } = harness);
  });

  afterAll(async () => {
    await Promise.all(opened.map((page) => page.context.close()));
    await harness?.close();
    await testApp?.close();
  });

  type HarnessPage = Awaited<ReturnType<BrowserHarness['newPage']>>;
  const opened: HarnessPage[] = [];
  const newPage = async (viewport: { width: number; height: number }, who: string) => {
    const page = await harness!.newPage(viewport, who);
    opened.push(page);
    return page;
  };
  const shot = (page: Page, name: string) => harness!.shot(page, name);
  const pathOf = (page: Page) => new URL(page.url()).pathname;
  const ID_NUMBER = newIdNumber();
  const fixtures = () => testApp!.fixtures;

  /** the consumer's, the institution staff's and the operator's browsers, opened by the steps below */
  let consumer: HarnessPage;
  let partner: HarnessPage;
  let admin: HarnessPage;
  let c: Page;
  let p: Page;
  let a: Page;
  /** the application the consumer submits in step 3 */
  let appId: string | undefined;
  const timeline = () => c.locator('[data-testid=timeline]');
  const needApplication = () => expect(appId, 'the application submitted in step 3').toBeDefined();
  const needPartner = () => expect(p, 'the institution staff logged in in step 4').toBeDefined();

  it('1. a consumer on a phone sees products of several institutions on the home page', async () => {
    expect(browser, 'browser must have launched').toBeDefined();
    consumer = await newPage(PHONE_VIEWPORT, 'consumer');
    c = consumer.page;
    await c.goto('/');
    await c.locator('article.product-card').first().waitFor();
    expect(await c.title()).toContain('贷超');
    // the stylesheet is applied (app.css lays product cards out as flex columns)
    expect(await c.locator('link[rel=stylesheet][href="/assets/app.css"]').count()).toBe(1);
    expect(await c.locator('article.product-card').first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(el).display)).toBe('flex');
    const cards = c.locator('article.product-card');
    expect(await cards.count()).toBeGreaterThanOrEqual(2);
    const institutionsShown = (await cards.locator('.inst').allInnerTexts()).map((t) => t.split('·')[0]!.trim());
    expect(new Set(institutionsShown)).toEqual(new Set(['甲银行', '乙银行']));
    const productNames = await cards.locator('a.name').allInnerTexts();
    expect(productNames).toEqual(expect.arrayContaining(['甲银行信用贷', '乙银行信用贷']));
    await shot(c, '01-home');
  });

  it('2. the consumer opens 甲银行信用贷, is sent to log in on applying, registers with an SMS code and verifies', async () => {
    expect(c, 'the consumer page of step 1').toBeDefined();
    const productA = fixtures().institutionA.productId;
    await c.goto('/');
    const cards = c.locator('article.product-card');
    await cards.first().waitFor();
    // the home page shows it under 为你推荐 and 热门产品
    const cardsA = cards.filter({ has: c.locator('a.name', { hasText: /^甲银行信用贷$/ }) });
    expect(await cardsA.count()).toBeGreaterThanOrEqual(1);
    const cardA = cardsA.first();
    expect(await cardA.getAttribute('data-product-id')).toBe(productA);
    await cardA.locator('a.name').click();
    await c.waitForURL(`**/products/${productA}`);
    await expect.poll(() => c.locator('main h1').innerText()).toBe('甲银行信用贷');
    expect(await c.locator('main').innerText()).toContain('甲银行');
    const apply = c.locator('[data-testid=apply]');
    await apply.waitFor();
    expect(await apply.getAttribute('href')).toMatch(new RegExp(`^/apply\\?products=${productA}&amount=\\d+&termMonths=\\d+$`));
    await shot(c, '02-product');

    await apply.click();
    await c.waitForURL((url) => url.pathname === '/login');
    expect(new URL(c.url()).searchParams.get('next')).toMatch(new RegExp(`^/apply\\?products=${productA}`));
    expect(await c.locator('main form input[name=next]').inputValue()).toMatch(new RegExp(`^/apply\\?products=${productA}`));

    await c.locator('main form').getByRole('link', { name: '注册', exact: true }).click();
    await c.waitForURL((url) => url.pathname === '/register');
    expect(new URL(c.url()).searchParams.get('next')).toMatch(new RegExp(`^/apply\\?products=${productA}`));
    phone = `139${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
    await c.locator('input[name=phone]').fill(phone);
    // 获取验证码: the SMS lands in the outbox (the default provider); read it as the phone would
    await c.locator('[data-testid=send-code]').click();
    await c.locator('.alert.success').waitFor();
    expect(await c.locator('.alert.success').innerText()).toContain('验证码已发送');
    expect(await c.locator('input[name=phone]').inputValue()).toBe(phone);
    expect(new URL(c.url()).pathname).toBe('/register/code');
    const sms = await testApp!.container.services.notifications.lastSmsTo(phone);
    const code = /验证码 (\d{6})/.exec(sms?.body ?? '')?.[1];
    expect(code, 'an SMS code was sent').toMatch(/^\d{6}$/);
    await c.locator('input[name=code]').fill(code!);
    await c.locator('input[name=password]').fill(PASSWORD);
    await c.locator('[data-testid=agree]').check();
    await shot(c, '03-register');
    await c.locator('[data-testid=register-submit]').click();

    // logged in and sent on to where it was going: the application form
    // logged in and sent on to where it was going; a first application needs real-name verification
    await c.waitForURL((url) => url.pathname === '/verify');
    expect(await c.locator('header').innerText()).toContain('我的申请');
    await c.locator('input[name=realName]').fill('王小明');
    await c.locator('input[name=idNumber]').fill(ID_NUMBER);
    await c.locator('main form button[type=submit]').click();
    await c.waitForURL((url) => url.pathname === '/apply');
  });

  it('3. the form asks only what the profile does not know; after consent the application is submitted', async () => {
    expect(pathOf(c), 'the consumer verified in step 2 and landed on the form').toBe('/apply');

    expect(await c.locator('.alert.success').innerText()).toContain('实名认证成功');
    expect(await c.locator('[data-product-id]').count()).toBe(1);
    await c.locator('input[name=amount]').fill(String(AMOUNT_YUAN));
    await c.locator('select[name=termMonths]').selectOption('12');
    await c.locator('select[name=purpose]').selectOption('装修');
    await c.locator('input[name=city]').fill('上海');
    await c.locator('select[name=employment]').selectOption('上班族');
    await c.locator('input[name=monthlyIncome]').fill('15000');
    await c.locator('select[name=housing]').selectOption('租房');
    await c.locator('input[name=monthlyDebt]').fill('0');
    await c.locator('select[name=creditSelfAssessment]').selectOption('good');
    await shot(c, '04-apply-form');
    await c.locator('[data-testid=to-consent]').click();

    // the consent screen: the institution by name, the purpose, the exact fields, unticked
    await c.waitForURL((url) => url.pathname === '/apply/review');
    const consentBox = c.locator(`.consent[data-institution-id="${fixtures().institutionA.id}"]`);
    await consentBox.waitFor();
    expect(await consentBox.innerText()).toContain('甲银行');
    expect(await consentBox.innerText()).toContain('身份证号');
    expect(await consentBox.locator('input[name=consent]').isChecked()).toBe(false);
    await consentBox.locator('input[name=consent]').check();
    await shot(c, '04b-consent');
    await c.locator('[data-testid=submit-application]').click();

    await c.waitForURL((url) => url.pathname === '/apply/done');
    expect(await c.locator('main').innerText()).toContain('已提交 1 份申请');
    await c.locator('a[data-application-id]').first().click();
    await c.waitForURL(/\/applications\/[^/?#]+$/);
    const submitted = decodeURIComponent(pathOf(c).split('/').pop()!);
    expect(submitted).toMatch(/^[\w-]+$/);
    appId = submitted;
    await timeline().waitFor();
    expect(await timeline().locator('li[data-status=submitted]').count()).toBe(1);
    expect(await timeline().locator('li').count()).toBe(1);
    expect(await c.locator('main h1 .badge').getAttribute('data-status')).toBe('submitted');
    const consumerText = await c.locator('main').innerText();
    expect(consumerText).toContain('甲银行');
    expect(consumerText).toContain('¥50,000.00');
    expect(consumerText).toContain('装修');
    expect(consumerText).toContain('上海');
    expect(consumerText).not.toContain('王小明'); // the applicant's name is shown masked
    await shot(c, '05-consumer-submitted');
  });

  it('4. institution staff, on a desktop, find the lead and approve it once they confirm', async () => {
    needApplication();
    partner = await newPage(DESKTOP_VIEWPORT, 'partner');
    p = partner.page;
    await staffLogin(p, 'partner', fixtures().institutionA.staff, PASSWORD);
    await p.goto('/partner/leads');
    const leadRow = p.locator(`tr[data-lead-id="${appId}"]`);
    await leadRow.waitFor();
    expect(await leadRow.count()).toBe(1);
    const leadRowText = await leadRow.innerText();
    expect(leadRowText).toContain('甲银行信用贷');
    expect(leadRowText).toContain('¥50,000.00');
    expect(await leadRow.locator('.badge').getAttribute('data-status')).toBe('submitted');
    await shot(p, '06-partner-inbox');

    await leadRow.getByRole('link', { name: '处理' }).click();
    await p.waitForURL(`**/partner/leads/${appId}`);
    const approveForm = p.locator('[data-testid=approve-form]');
    await approveForm.waitFor();
    expect(Number(await approveForm.locator('input[name=offeredAmount]').inputValue())).toBe(AMOUNT_YUAN);
    expect(await approveForm.locator('input[name=offeredTermMonths]').inputValue()).toBe('12');
    expect(await approveForm.locator('input[name=offeredAprPercent]').inputValue()).toMatch(/^\d+\.\d{2}$/); // the APR the consumer was quoted, in %
    // approving cannot be undone: the form says what will happen, and the browser itself (no script) holds it until ticked
    expect(await approveForm.locator('label.confirm-check').innerText()).toContain('作为报价发给用户');
    await approveForm.locator('button[type=submit]').click();
    expect(await approveForm.locator('input[name=confirm]').evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing)).toBe(true);
    expect(pathOf(p)).toBe(`/partner/leads/${appId}`);
    expect(await p.locator('main h1 .badge').getAttribute('data-status')).not.toBe('approved');
    await approveForm.locator('input[name=confirm]').check();
    await approveForm.locator('button[type=submit]').click();

    await p.locator('.badge[data-status=approved]').waitFor();
    await p.locator('.alert.success').waitFor();
    const approvedAlert = await p.locator('.alert.success').innerText();
    expect(approvedAlert).toContain('已批准');
    expect(approvedAlert).toContain('¥100.00');
    expect(pathOf(p)).toBe(`/partner/leads/${appId}`);
    expect(await p.locator('[data-testid=approve-form]').count()).toBe(0);
    await shot(p, '07-partner-approved');
  });

  it('5. the consumer reloads: the approval is an offer she accepts and signs with an SMS code', async () => {
    needApplication();
    await c.reload();
    await timeline().waitFor();
    expect(await timeline().locator('li[data-status=approved]').count()).toBe(1);
    expect(await c.locator('main h1 .badge').getAttribute('data-status')).toBe('approved');
    expect(await c.locator('main').innerText()).toContain('批准额度');
    expect(await c.locator('[data-testid=disbursed]').count()).toBe(0);
    await shot(c, '08-consumer-approved');
    await Promise.all([c.waitForURL((u) => u.pathname === '/offers'), c.getByTestId('offer-waiting').getByRole('link', { name: '查看报价并确认' }).click()]);
    const offer = c.locator(`article.offer[data-application-id="${appId}"]`);
    expect(await offer.getByTestId('offer-apr').innerText()).toMatch(/^\d+\.\d{2}%/);
    await Promise.all([c.waitForURL((u) => u.pathname === `/offers/${appId}/sign`), offer.getByTestId('accept-link').click()]);
    await Promise.all([c.waitForURL((u) => u.pathname === `/offers/${appId}/sign`), c.getByTestId('send-sign-code').click()]);
    const sms = await testApp!.container.services.notifications.lastSmsTo(phone);
    const code = /验证码 (\d{6})，用于签署借款合同/.exec(sms?.body ?? '')?.[1];
    expect(code, 'a signing code was sent').toMatch(/^\d{6}$/);
    await c.locator('input[name=code]').fill(code!);
    await Promise.all([c.waitForURL((u) => u.pathname === `/applications/${appId}`), c.getByTestId('sign-submit').click()]);
    expect(await c.locator('main h1 .badge').getAttribute('data-status')).toBe('accepted');
    await shot(c, '08b-consumer-accepted');
  });

  it('6. staff disburse the accepted offer; nothing is left to do on the lead', async () => {
    needPartner();
    await p.reload();
    const disburseForm = p.locator('[data-testid=disburse-form]');
    await disburseForm.waitFor();
    expect(Number(await disburseForm.locator('input[name=amount]').inputValue())).toBe(AMOUNT_YUAN);
    await disburseForm.locator('input[name=confirm]').check();
    await disburseForm.locator('button[type=submit]').click();

    await p.locator('.badge[data-status=disbursed]').waitFor();
    const disbursedAlert = await p.locator('.alert.success').innerText();
    expect(disbursedAlert).toContain('已放款');
    expect(disbursedAlert).toContain('¥750.00');
    expect(await p.locator('[data-testid=disburse-form]').count()).toBe(0);
    // nothing is left to do on a disbursed lead
    expect(await p.locator('.card.actions').count()).toBe(0);
    await shot(p, '09-partner-disbursed');
  });

  it('7. the consumer reloads: disbursed, and it can no longer be withdrawn', async () => {
    needApplication();
    await c.reload();
    await timeline().waitFor();
    expect(await timeline().locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-status')))).toEqual([
      'submitted',
      'approved',
      'accepted',
      'disbursed',
    ]);
    const disbursed = c.locator('[data-testid=disbursed]');
    await disbursed.waitFor();
    expect(await disbursed.innerText()).toContain('¥50,000.00');
    expect(await c.locator('main h1 .badge').getAttribute('data-status')).toBe('disbursed');
    // a disbursed loan can no longer be withdrawn
    expect(await c.getByRole('button', { name: '撤回申请' }).count()).toBe(0);
    await shot(c, '10-consumer-final');
  });

  it('8. an operator, in a third browser, sees the history and the commissions earned', async () => {
    needApplication();
    admin = await newPage(DESKTOP_VIEWPORT, 'operator');
    a = admin.page;
    await staffLogin(a, 'admin', fixtures().operator, PASSWORD);
    await a.goto('/admin/applications');
    const adminRow = a.locator(`tr[data-application-id="${appId}"]`);
    await adminRow.waitFor();
    expect(await adminRow.count()).toBe(1);
    expect(await adminRow.locator('.badge').getAttribute('data-status')).toBe('disbursed');
    await adminRow.getByRole('link', { name: '详情' }).click();
    await a.waitForURL(`**/admin/applications/${appId}`);

    const history = a.locator('[data-testid=history]');
    await history.waitFor();
    const historyRows = await history.locator('tbody tr').allInnerTexts();
    expect(historyRows).toHaveLength(4);
    expect(historyRows[0]).toContain('已提交');
    expect(historyRows[1]).toContain('已批准');
    expect(historyRows[2]).toContain('已接受');
    expect(historyRows[3]).toContain('已放款');

    const commissions = a.locator('[data-testid=commissions]');
    await commissions.waitFor();
    expect(await commissions.locator('[data-testid=commission-amount]').allInnerTexts()).toEqual(['¥20.00', '¥100.00', '¥750.00']);
    const adminText = await a.locator('main').innerText();
    expect(adminText).toContain('¥100.00');
    expect(adminText).toContain('¥750.00');
    expect(adminText).toContain('¥870.00'); // total
    expect(adminText).toContain('¥50,000.00');
    await shot(a, '11-admin-application');
  });

  it('the browsers kept separate identities, and no page showed a problem', async () => {
    expect(consumer && partner, 'the consumer and staff browsers of steps 1 and 4').toBeTruthy();
    expect((await consumer.context.cookies()).map((k) => k.value)).not.toEqual((await partner.context.cookies()).map((k) => k.value));
    expect(await harness!.settledProblems()).toEqual([]);
    if (knownCspStyleViolations.length) console.warn(`inline styles blocked by CSP:\n${knownCspStyleViolations.join('\n')}`);
  });
});
