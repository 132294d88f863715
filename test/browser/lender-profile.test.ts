import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';

/**
 * A lender's public page, in a real headless Chromium: the institution's admin edits its public
 * information on a phone (a draft); an operator reviews the difference and approves it; a
 * consumer then reaches the lender's page from a product page and sees the new customer-service
 * line. Until the approval the page keeps the approved information.
 */
describe('browser: a lender edits its profile, an operator approves, the public page shows it', { timeout: 180_000 }, () => {
  let t: TestApp;
  let harness: BrowserHarness;

  beforeAll(async () => {
    t = await startTestApp();
    harness = await openBrowser(t.app, { purpose: 'the lender profile browser test', shotPrefix: 'lender-profile' });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  let submitted = false;
  let approved = false;
  let partner: Page | undefined;

  it('1. the institution (phone) fills in its public information and submits it for review', async () => {
    ({ page: partner } = await harness.newPage(PHONE_VIEWPORT, 'institution'));
    await staffLogin(partner, 'partner', t.fixtures.institutionA.staff, PASSWORD);
    await partner.goto('/partner/profile');
    await partner.locator('textarea[name=description]').fill('甲银行深耕零售金融，线上信用贷款全流程办理。');
    await partner.locator('input[name=regulator]').fill('国家金融监督管理总局');
    await partner.locator('input[name=servicePhone]').fill('400-900-1234');
    await partner.locator('input[name=serviceHours]').fill('每天 9:00–21:00');
    await partner.getByRole('button', { name: '提交审核' }).click();
    await partner.waitForURL((u) => u.pathname === '/partner/profile');
    expect(await partner.getByTestId('profile-draft').first().innerText()).toContain('审核中');
    await harness.shot(partner, 'submitted');
    // the public page still shows the approved (empty) information
    const { page: early } = await harness.newPage(PHONE_VIEWPORT, 'early visitor');
    await early.goto(`/institutions/${t.fixtures.institutionA.id}`);
    expect(await early.getByTestId('service-phone').innerText()).toBe('未填写');
    submitted = true;
  });

  it('2. an operator (desktop) reviews the difference and approves', async () => {
    expect(submitted, 'the draft submitted in step 1').toBe(true);
    const { page: operator } = await harness.newPage(DESKTOP_VIEWPORT, 'operator');
    await staffLogin(operator, 'admin', t.fixtures.operator, PASSWORD);
    await operator.goto('/admin/profile-reviews');
    await operator.locator('[data-testid=profile-review-queue] tr', { hasText: '甲银行' }).getByTestId('open-profile-review').click();
    await operator.waitForURL(/\/admin\/profile-reviews\/ipd_/);
    expect(await operator.locator('[data-testid=diff] tr[data-field=servicePhone] td').nth(2).innerText()).toBe('400-900-1234');
    await harness.shot(operator, 'review');
    await operator.locator('form.decision input[name=confirm]').check();
    await operator.getByTestId('approve').click();
    await operator.waitForURL((u) => u.pathname === '/admin/profile-reviews');
    expect(await operator.getByTestId('profile-review-queue').innerText()).toContain('没有待审核的修改');
    approved = true;
  });

  it('3. a consumer reaches the lender from a product page and sees the approved information; the institution sees the outcome', async () => {
    expect(approved, 'the operator approved in step 2').toBe(true);
    const { page: consumer } = await harness.newPage(PHONE_VIEWPORT, 'consumer');
    await consumer.goto(`/products/${t.fixtures.institutionA.productId}`);
    await consumer.getByTestId('institution-link').click();
    await consumer.waitForURL((u) => u.pathname === `/institutions/${t.fixtures.institutionA.id}`);
    expect(await consumer.getByTestId('service-phone').innerText()).toBe('400-900-1234');
    expect(await consumer.getByTestId('service-hours').innerText()).toBe('每天 9:00–21:00');
    expect(await consumer.getByTestId('approval-rate').innerText()).toBe('样本不足');
    await harness.shot(consumer, 'public');
    await partner!.reload();
    expect(await partner!.getByTestId('profile-draft').first().innerText()).toContain('已通过');
  });

  it('no page showed a problem', async () => {
    expect(await harness.settledProblems()).toEqual([]);
  });
});
