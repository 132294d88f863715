import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminNav } from '../../admin/nav';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';

/**
 * 角色与权限 in a browser: an operator creates a role in the matrix editor, gives it to a
 * colleague on the staff page, and the colleague's menu shows exactly what the role grants.
 */
describe('custom roles in a browser', () => {
  let t: TestApp;
  let b: BrowserHarness;
  beforeAll(async () => {
    t = await startTestApp();
    await t.container.services.accounts.createStaff({ kind: 'operator', username: 'op.editor', password: PASSWORD, displayName: '内容小王', role: 'finance' });
    b = await openBrowser(t.app, { purpose: 'the role editor', shotPrefix: 'roles' });
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('an operator creates a role in the matrix, assigns it, and the holder sees exactly its menu', { timeout: 240_000 }, async () => {
    const { page } = await b.newPage(DESKTOP_VIEWPORT, 'operator');
    await staffLogin(page, 'admin', 'op.admin', PASSWORD);
    await page.goto('/admin/roles');
    await page.getByLabel('新角色名称').fill('内容编辑');
    await page.getByLabel('新角色：查看经营看板').check();
    await page.getByLabel('新角色：管理内容与活动').check();
    await page.getByTestId('create-role').click();
    await page.waitForURL(/\/admin\/roles$/);
    await expect(page.locator('.flash, [role=status]').first().textContent()).resolves.toContain('角色已创建');
    await expect(page.getByLabel('内容编辑：管理内容与活动').isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('内容编辑：查看审计日志').isChecked()).resolves.toBe(false);
    await b.shot(page, 'matrix');

    await page.goto('/admin/staff');
    const row = page.locator('tr', { hasText: '内容小王' });
    await row.getByLabel('角色').selectOption({ label: '内容编辑' });
    await row.getByRole('button', { name: '修改' }).click();
    await page.waitForURL(/\/admin\/staff$/);
    await expect(page.locator('tr', { hasText: '内容小王' }).getByLabel('角色').locator('option:checked').textContent()).resolves.toBe('内容编辑');

    const holder = (await b.newPage(PHONE_VIEWPORT, 'the role holder')).page;
    await staffLogin(holder, 'admin', 'op.editor', PASSWORD);
    await holder.goto('/admin/');
    const shown = await holder.locator('header nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    const granted = adminNav.filter((item) => item.permission === 'dashboard.view' || item.permission === 'content.manage').map((item) => item.href);
    expect([...shown].sort()).toEqual([...granted].sort());
    await expect(holder.locator('header').textContent()).resolves.toContain('内容编辑');
    await holder.goto('/admin/content/articles');
    await expect(holder.locator('h1').first().textContent()).resolves.toBeTruthy();
    await b.shot(holder, 'holder-menu');
    expect(await b.settledProblems()).toEqual([]);
  });
});
