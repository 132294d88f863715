import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/modules/accounts/accounts.schema';
import { channelAttributions, channels } from '../../server/modules/channels/channels.schema';
import { startTestApp, type TestApp } from '../support/app';
import { openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';

/**
 * Finance on a phone: creates a channel agreement, opens the channel's statement with an excluded
 * (invalid traffic) line and its evidence, issues it, rejects the channel's dispute and records
 * the payment. Nothing wider than the screen; no accessibility problem.
 */
describe('channel payouts in the browser', { timeout: 180_000 }, () => {
  let t: TestApp;
  let harness: BrowserHarness;
  let page: Page;
  const channelId = `ch_b_${randomUUID().slice(0, 8)}`;
  let statementId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.container.database.db;
    await db.insert(channels).values({ id: channelId, code: 'browserch', name: '应用商店推广', type: 'app_store' });
    harness = await openBrowser(t.app, { purpose: 'the channel payouts browser test', shotPrefix: 'channel-payouts' });
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  const wide = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

  it('1. creates an agreement on a phone', async () => {
    ({ page } = await harness.newPage(PHONE_VIEWPORT, 'finance'));
    await staffLogin(page, 'admin', t.fixtures.operator, PASSWORD);
    await page.goto('/admin/channel-payouts');
    await page.locator(`[data-channel-id="${channelId}"] a`).click();
    const form = page.locator('[data-testid=channel-agreement-form]');
    await form.locator('input[name=registration]').fill('8');
    await form.locator('input[name=effectiveFrom]').fill('2026-01-01');
    await form.getByRole('button', { name: '创建新版本' }).click();
    await page.locator('[data-testid=channel-agreement-versions] [data-version="1"]').waitFor();
    expect(await page.locator('[data-testid=channel-agreement-versions]').innerText()).toContain('注册 每笔 ¥8.00');
    expect(await wide()).toBeLessThanOrEqual(0);
  });

  it('2. issues the statement, rejects the dispute of an excluded line and records the payment', async () => {
    const db = t.container.database.db;
    const payouts = t.container.services.channelPayouts;
    const attribute = async (at: Date, subId: string) => {
      const id = `acc_b_${randomUUID()}`;
      await db.insert(accounts).values({ id, kind: 'consumer', role: 'consumer', loginHash: id, loginEnc: 'x', loginMasked: 'x', passwordHash: 'x', displayNameEnc: 'x' });
      await db.insert(channelAttributions).values({ accountId: id, channelId, subId, touchedAt: at, attributedAt: at });
    };
    await attribute(new Date('2026-11-02T02:00:00Z'), 'store-a');
    for (let i = 0; i < 21; i++) await attribute(new Date(new Date('2026-11-03T02:00:00Z').getTime() + i * 5_000), 'store-b');
    await payouts.postPayables(new Date('2026-12-01T02:00:00+08:00'), { from: new Date('2026-11-01T00:00:00Z') });
    statementId = (await payouts.closeMonth('2026-11', { now: new Date('2026-12-01T02:10:00+08:00'), channelIds: [channelId] })).created[0]!;

    await page.goto('/admin/channel-payouts/statements');
    await page.locator(`[data-statement-id="${statementId}"] a`).click();
    expect(await page.locator('[data-testid=total]').innerText()).toBe('¥8.00');
    const excluded = page.locator('[data-kind="excluded"]').first();
    expect(await excluded.innerText()).toContain('10 分钟内注册 21 个（上限 20 个）');
    await page.locator('[data-testid=issue-form] input[name=confirm]').check();
    await page.getByRole('button', { name: '出具给渠道' }).click();
    await page.locator('h1 [data-status="issued"]').waitFor();

    const lineId = Number(await excluded.getAttribute('data-line-id'));
    await payouts.disputeLine(channelId, lineId, '都是真实用户', { kind: 'anonymous', id: 'channel' });
    await page.reload();
    const line = page.locator(`[data-line-id="${lineId}"]`);
    await line.locator('input[name=note]').fill('21 个注册集中在 2 分钟内，维持不计费');
    await line.getByRole('button', { name: '驳回异议' }).click();
    await page.locator(`[data-line-id="${lineId}"] [data-dispute="rejected"]`).waitFor();

    const form = page.locator('[data-testid=channel-payment-form]');
    await form.locator('input[name=amount]').fill('8.00');
    await form.locator('input[name=paidOn]').fill('2026-12-05');
    await form.locator('input[name=reference]').fill('CMB-20261205-9');
    await form.getByRole('button', { name: '登记付款' }).click();
    await page.locator('[data-testid=payment]').waitFor();
    expect(await page.locator('h1 [data-status]').getAttribute('data-status')).toBe('paid');
    expect(await wide()).toBeLessThanOrEqual(0);
    await harness.shot(page, 'statement-phone');
  });

  it('no page showed a problem', async () => {
    expect(await harness.settledProblems()).toEqual([]);
  });
});
