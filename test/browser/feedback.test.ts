import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { consumerAgent } from '../support/http';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';

// a real 1×1 PNG, written to a file for the file chooser
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** A borrower sends feedback with a screenshot on a phone; an operator answers it in another browser; the borrower sees the answer. */
describe('browser: feedback with a screenshot and its answer', { timeout: 90_000 }, () => {
  let t: TestApp | undefined;
  let harness: BrowserHarness | undefined;
  const shotFile = `/tmp/feedback-shot-${process.pid}.png`;

  beforeAll(async () => {
    writeFileSync(shotFile, PNG);
    t = await startTestApp();
    harness = await openBrowser(t.app, { purpose: 'the feedback browser test', shotPrefix: 'feedback' });
  });
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  let c: Page | undefined;
  let itemPath: string | undefined;

  it('1. a borrower sends feedback with a screenshot from the footer link, on a phone', async () => {
    const consumer = await consumerAgent(t!.app, { realName: '林小雨' });
    ({ page: c } = await harness!.newPage(PHONE_VIEWPORT, 'consumer'));
    await c.goto('/login?next=%2Fproducts');
    await c.locator('input[name=phone]').fill(consumer.phone);
    await c.locator('input[name=password]').fill(PASSWORD);
    await c.locator('main form button[type=submit]').click();
    await c.waitForURL('**/products');
    await c.locator('[data-testid=footer-feedback]').click();
    await c.waitForURL('**/account/feedback/new');
    await c.locator('select[name=category]').selectOption('bug');
    await c.locator('textarea[name=body]').fill('筛选按钮在手机上点不到，见截图。');
    await c.locator('input[name=file]').setInputFiles(shotFile);
    await c.locator('[data-testid=send-feedback]').click();
    await c.waitForURL(/\/account\/feedback\/fbk_/);
    expect(await c.locator('[data-testid=feedback-status]').innerText()).toBe('待处理');
    expect(await c.locator('[data-testid=feedback-screenshot]').count()).toBe(1);
    itemPath = new URL(c.url()).pathname;
    await harness!.shot(c, '01-sent');
  });

  it('2. an operator, in another browser, opens the screenshot, tags and answers it', async () => {
    expect(itemPath, 'the feedback sent in step 1').toBeDefined();
    const { page: o } = await harness!.newPage(DESKTOP_VIEWPORT, 'operator');
    await staffLogin(o, 'admin', t!.fixtures.operator, PASSWORD);
    await o.goto('/admin/feedback');
    const row = o.locator('tr', { hasText: '筛选按钮在手机上点不到' });
    expect(await row.innerText()).toContain('有截图');
    await row.locator('a', { hasText: '处理' }).click();
    await o.waitForURL(/\/admin\/feedback\/fbk_/);
    const shot = await o.request.get(`${new URL(o.url()).pathname}/screenshot`);
    expect(shot.status()).toBe(200);
    expect(shot.headers()['content-type']).toContain('image/png');
    await o.locator('input[name=tags]').fill('移动端 筛选');
    await o.locator('[data-testid=save-tags]').click();
    await o.waitForURL(/\/admin\/feedback\/fbk_/);
    await o.locator('textarea[name=answer]').fill('谢谢反馈！已修复，筛选按钮在手机上可以正常点击了。');
    await o.locator('[data-testid=send-answer]').click();
    await o.waitForURL(/\/admin\/feedback\/fbk_/);
    expect(await o.locator('[data-testid=feedback-status]').innerText()).toBe('已答复');
    await harness!.shot(o, '02-answered');
  });

  it('3. the borrower sees the answer and the notification', async () => {
    await c!.goto(itemPath!);
    expect(await c!.locator('[data-testid=feedback-answer]').innerText()).toContain('已修复');
    expect(await c!.locator('[data-testid=feedback-status]').innerText()).toBe('已答复');
    await c!.goto('/account/feedback');
    expect(await c!.locator('main').innerText()).toContain('平台已答复');
    await c!.goto('/notifications');
    expect(await c!.locator('main').innerText()).toContain('平台答复了你的反馈');
    await harness!.shot(c!, '03-seen');
  });
});
