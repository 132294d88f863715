import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';

/**
 * A product's way onto the marketplace, in a real headless Chromium: an institution's product
 * manager fills in the product form on a phone, previews it as consumers will see it (all-in
 * APR, sample schedule) and submits it; an operator in another browser context reviews the
 * diff and the checklist and approves; a consumer then finds the product by searching.
 */
// Each step is its own test (sharing the app, the browser and the pages), so a failure names the step it happened in.
describe('browser: create, submit, approve, find', { timeout: 180_000 }, () => {
  let t: TestApp;
  let harness: BrowserHarness;

  beforeAll(async () => {
    t = await startTestApp();
    await t.container.services.accounts.createStaff({
      kind: 'institution',
      username: 'a.pm',
      password: PASSWORD,
      displayName: '产品经理',
      role: 'product_manager',
      institutionId: t.fixtures.institutionA.id,
    });
    harness = await openBrowser(t.app, {
      purpose: 'the product review browser test',
      shotPrefix: 'product-review',
      // the form sent with a typo comes back as 400 with the field errors
      expected: [{ status: 400, url: (u) => u.pathname === '/partner/products', seen: 0 }],
    });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  /** the product manager's phone page, opened in step 1 */
  let partner: Page | undefined;
  /** the product saved and submitted in step 1 */
  let productId: string | undefined;
  /** set once the operator approved the product in step 2 */
  let approved = false;
  const needSubmitted = () => expect(productId, 'the product submitted for review in step 1').toBeDefined();
  const needApproved = () => expect(approved, 'the operator approved the product in step 2').toBe(true);

  it('1. the institution (phone) fills in the product, corrects a typo, previews it and submits it', async () => {
    ({ page: partner } = await harness.newPage(PHONE_VIEWPORT, 'institution'));
    await staffLogin(partner, 'partner', 'a.pm', PASSWORD);
    await partner.goto('/partner/products');
    await partner.getByTestId('new-product').click();
    const form = partner.getByTestId('product-form');
    await form.locator('input[name=name]').fill('甲银行安居分期');
    await form.locator('select[name=category]').selectOption('装修贷');
    await form.locator('textarea[name=summary]').fill('装修专用，线上审批');
    await form.locator('input[name=minAmount]').fill('10000');
    await form.locator('input[name=maxAmount]').fill('300000');
    await form.locator('input[name=termOptions]').fill('12,24,36');
    await form.locator('input[name=rateMin]').fill('6.5');
    // a typo first: the form comes back with the error and what was typed
    await form.locator('input[name=rateMax]').fill('十五');
    await form.locator('input[name=upfrontFeeRate]').fill('0.5');
    await form.locator('input[name=requiredDocuments]').fill('身份证,装修合同');
    await form.getByTestId('save-product').click();
    await expect.poll(() => partner!.locator('.field-error').allInnerTexts()).toContain('最高年利率须为 0–100 之间的百分数，最多四位小数');
    expect(await partner.locator('input[name=name]').inputValue()).toBe('甲银行安居分期');
    expect(await partner.locator('input[name=termOptions]').inputValue()).toBe('12,24,36');
    await partner.locator('input[name=rateMax]').fill('15');
    await partner.getByTestId('save-product').click();
    await partner.waitForURL(/\/partner\/products\/prd_/);
    expect(await partner.getByTestId('product-status').innerText()).toBe('草稿');

    await partner.getByTestId('preview-product').click();
    await partner.waitForURL(/\/preview/);
    expect(await partner.getByTestId('apr').first().innerText()).toMatch(/^\d+\.\d{2}%$/);
    await expect.poll(() => partner!.getByTestId('schedule').count()).toBe(1);
    await harness.shot(partner, 'preview');
    await partner.goBack();
    await partner.getByTestId('submit-product').click();
    await partner.waitForURL(/\/partner\/products\/prd_/);
    expect(await partner.getByTestId('product-status').innerText()).toBe('审核中');
    productId = /\/partner\/products\/(prd_\w+)/.exec(partner.url())![1]!;
  });

  it('2. an operator (another context, desktop) reviews the diff and the checklist and approves', async () => {
    needSubmitted();
    const { page: operator } = await harness.newPage(DESKTOP_VIEWPORT, 'operator');
    await staffLogin(operator, 'admin', t.fixtures.operator, PASSWORD);
    await operator.goto('/admin/products/review');
    const row = operator.locator('[data-testid=review-queue] tr', { hasText: '甲银行安居分期' });
    await row.getByTestId('open-review').click();
    await operator.waitForURL(/\/admin\/products\/review\/pvr_/);
    expect(await operator.locator('[data-check=apr_cap]').getAttribute('data-passed')).toBe('yes');
    expect(await operator.locator('[data-testid=diff] tr[data-field=maxAmount] td').nth(2).innerText()).toBe('¥300,000.00');
    await harness.shot(operator, 'review');
    await operator.locator('form.decision input[name=confirm]').check();
    await operator.getByTestId('approve').click();
    await operator.waitForURL((u) => u.pathname === '/admin/products/review');
    expect(await operator.locator('[data-testid=review-queue]').innerText()).not.toContain('甲银行安居分期');
    approved = true;
  });

  it('3. a consumer finds the product by searching; the institution sees it listed', async () => {
    needApproved();
    const { page: consumer } = await harness.newPage(PHONE_VIEWPORT, 'consumer');
    await consumer.goto('/products?q=安居分期');
    const card = consumer.locator(`article.product-card[data-product-id="${productId}"]`);
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.getByTestId('apr').innerText()).toMatch(/^\d+\.\d{2}%$/);
    await harness.shot(consumer, 'found');

    await partner!.reload();
    expect(await partner!.getByTestId('product-status').innerText()).toBe('已上架');
  });

  it('no page showed a problem', async () => {
    expect(await harness.settledProblems()).toEqual([]);
  });
});
