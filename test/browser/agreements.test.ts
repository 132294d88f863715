import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';

/** An operator on a phone adds an agreement version: a mistake is named and kept, then it saves. */
describe('agreements in the browser', () => {
  let t: TestApp;
  let harness: BrowserHarness;
  beforeAll(async () => {
    t = await startTestApp();
    harness = await openBrowser(t.app, {
      purpose: 'the agreements browser test',
      shotPrefix: 'agreements',
      expected: [{ status: 400, url: (u) => u.pathname.endsWith('/agreements'), seen: 0 }],
    });
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  it('creates a new version from the form on a 390px screen', { timeout: 120_000 }, async () => {
    const { page } = await harness.newPage(PHONE_VIEWPORT, 'operator');
    await staffLogin(page, 'admin', t.fixtures.operator, PASSWORD);
    await page.goto('/admin/agreements');
    await page.getByRole('link', { name: /历史与新版本/ }).first().click();
    await page.locator('[data-testid=agreement-form]').waitFor();
    await page.locator('input[name=cpsRate]').fill('1.2.3');
    await page.locator('textarea[name=cpsTiers]').fill('101=1.2');
    await page.locator('input[name=cpsEventCap]').fill('800');
    await page.locator('input[name=effectiveFrom]').fill('2099-01-01');
    await page.getByRole('button', { name: '创建新版本' }).click();
    await page.locator('.field-error').first().waitFor();
    expect(await page.locator('.field-error').allInnerTexts()).toEqual([expect.stringContaining('CPS 比例须为百分数')]);
    expect(await page.locator('input[name=cpsRate]').inputValue()).toBe('1.2.3');
    expect(await page.locator('textarea[name=cpsTiers]').inputValue()).toBe('101=1.2');
    await harness.shot(page, 'form-error-phone');
    await page.locator('input[name=cpsRate]').fill('1.5');
    await page.getByRole('button', { name: '创建新版本' }).click();
    await page.locator('[data-version="2"]').waitFor();
    expect(await page.locator('[data-version="2"]').innerText()).toContain('第 101 笔起 1.20%');
    expect(await page.locator('[data-version="2"]').innerText()).toContain('单笔封顶 ¥800.00');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await harness.shot(page, 'history-phone');
    expect(await harness.settledProblems()).toEqual([]);
  });
});
