import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';

/** /admin/search in a browser: a refused line comes back with its message (400), a good one saves a version; axe checks each page. */
describe('search dictionary page in a browser', () => {
  let t: TestApp;
  let b: BrowserHarness;
  beforeAll(async () => {
    t = await startTestApp();
    b = await openBrowser(t.app, {
      purpose: 'the search dictionary page',
      shotPrefix: 'search-dictionary',
      expected: [{ status: 400, url: (u) => u.pathname === '/admin/search', seen: 0 }],
    });
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('an operator adds a line, is told what is wrong, fixes it and saves a new version', async () => {
    const { page } = await b.newPage(DESKTOP_VIEWPORT, 'operator');
    await staffLogin(page, 'admin', 'op.admin', PASSWORD);
    await page.goto('/admin/search');
    const box = page.locator('#dictionary-entries');
    const original = await box.inputValue();
    await box.fill(`${original}\nintent: 座驾 => cheap`);
    await page.getByRole('button', { name: '保存为新版本' }).click();
    await expect(page.locator('#entries-error').textContent()).resolves.toContain('意图只能是 fast、low-apr、employee');
    await box.fill(`${original}\nsynonym: 座驾 => 车贷`);
    await page.getByRole('button', { name: '保存为新版本' }).click();
    await page.waitForURL(/\/admin\/search$/);
    await expect(page.locator('.flash, [role=status], [role=alert]').first().textContent()).resolves.toContain('已保存为第 2 版');
    await expect(page.getByTestId('dictionary-versions').textContent()).resolves.toContain('新增 座驾 → 车贷');
    await b.shot(page, 'saved');
    expect(await b.settledProblems()).toEqual([]);
    expect((await t.container.services.searchDictionary.active()).version).toBe(2);
  });
});
