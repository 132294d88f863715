import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';

/** /admin/jobs on a phone: 立即运行 answers with a flash and the run highlighted; nothing wider than the screen. */
describe('scheduled jobs page in a browser', () => {
  let t: TestApp;
  let b: BrowserHarness;
  beforeAll(async () => {
    t = await startTestApp();
    b = await openBrowser(t.app, { purpose: 'the scheduled jobs page', shotPrefix: 'jobs' });
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('an operator runs a job now on a phone', async () => {
    const { page } = await b.newPage(PHONE_VIEWPORT, 'operator');
    await staffLogin(page, 'admin', 'op.admin', PASSWORD);
    await page.goto('/admin/jobs');
    const card = page.locator('[data-job="complaints-escalate"]');
    await expect(card.getByTestId('last-run').textContent()).resolves.toContain('尚未运行');
    await card.getByRole('button', { name: '立即运行' }).click();
    await page.waitForURL(/\/admin\/jobs\?run=/);
    await expect(page.locator('.flash, [role=status], [role=alert]').first().textContent()).resolves.toContain('已运行：成功');
    expect(await page.locator('[data-job="complaints-escalate"] tr.highlighted[data-outcome="succeeded"]').count()).toBe(1);
    await expect(page.locator('[data-job="complaints-escalate"]').getByTestId('last-run').textContent()).resolves.toContain('成功');
    const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    await b.shot(page, 'phone');
    expect(await b.settledProblems()).toEqual([]);
  });
});
