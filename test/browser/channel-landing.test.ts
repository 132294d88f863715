import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/modules/accounts/accounts.schema';
import { startTestApp, type TestApp } from '../support/app';
import { openBrowser, PHONE_VIEWPORT, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';
import { newPhone } from '../support/http';

/**
 * A channel's H5 landing page on a phone: the link's headline and the trust text above the
 * registration form, nothing wider than the screen, no accessibility findings; getting the SMS
 * code keeps the visitor on the landing page, and registering there attributes the borrower to
 * the channel and sub-ID with the click id of the ad.
 */
describe('browser: a channel landing page on a phone', { timeout: 120_000 }, () => {
  let t: TestApp | undefined;
  let b: BrowserHarness | undefined;
  beforeAll(async () => {
    t = await startTestApp();
    b = await openBrowser(t.app, { purpose: 'the channel landing browser test', shotPrefix: 'channel-landing' });
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('shows the headline and the form, and registering on it attributes the borrower', async () => {
    const { channels } = t!.container.services;
    const actor = { kind: 'system' as const };
    const { channel } = await channels.create({ name: '抖音信息流', code: 'dyland', type: 'feed_ads' }, actor);
    await channels.createLink(channel.id, { subId: 'spring-1', label: '春季', landingHeadline: '春季专享：先比价再借款', landingSubline: '多家持牌机构，三分钟看额度' }, actor);

    const { page } = await b!.newPage(PHONE_VIEWPORT, 'visitor');
    await page.goto('/c/dyland/spring-1?click_id=ad-777');
    expect(await page.getByTestId('landing-headline').innerText()).toBe('春季专享：先比价再借款');
    expect(await page.getByTestId('landing-trust').innerText()).toContain('不收取任何前期费用');
    const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    // the form starts within the first screen of a phone
    const form = await page.locator('form[action="/c/dyland/spring-1"]').boundingBox();
    expect(form!.y).toBeLessThan(PHONE_VIEWPORT.height);
    await b!.shot(page, '01-landing');

    const phone = newPhone();
    await page.locator('input[name=phone]').fill(phone);
    await page.locator('[data-testid=send-code]').click();
    await page.locator('.alert.success').waitFor();
    expect(new URL(page.url()).pathname).toBe('/c/dyland/spring-1/code');
    expect(await page.getByTestId('landing-headline').innerText()).toBe('春季专享：先比价再借款');
    const sms = await t!.container.services.notifications.lastSmsTo(phone);
    const code = /验证码 (\d{6})/.exec(sms?.body ?? '')?.[1];
    await page.locator('input[name=code]').fill(code!);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('[data-testid=agree]').check();
    await page.locator('[data-testid=register-submit]').click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.locator('header').innerText()).toContain('我的申请');

    const [account] = await t!.container.database.db.select({ id: accounts.id }).from(accounts).where(eq(accounts.loginHash, t!.container.pii.blindIndex(`consumer:${phone}`)));
    expect(await channels.attributionOf(account!.id)).toMatchObject({ channelId: channel.id, subId: 'spring-1', clickId: 'ad-777' });
    expect(await b!.settledProblems()).toEqual([]);
  });
});
