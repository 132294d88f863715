import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { apply, consumerAgent } from '../support/http';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';

/** A consumer files a complaint on a phone; an operator answers it in another browser; the consumer sees the answer. */
// Each step is its own test (sharing the app, the browser and the pages), so a failure names the step it happened in.
describe('browser: a complaint and its answer', { timeout: 90_000 }, () => {
  let t: TestApp | undefined;
  let harness: BrowserHarness | undefined;

  beforeAll(async () => {
    t = await startTestApp();
    harness = await openBrowser(t.app, { purpose: 'the complaints browser test', shotPrefix: 'complaints' });
  });
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  /** the consumer's phone page, and the complaint it filed in step 1 */
  let c: Page | undefined;
  let complaintPath: string | undefined;
  /** set once the operator answered and resolved the complaint in step 2 */
  let answered = false;

  it('1. a consumer files a complaint from an application, on a phone', async () => {
    const consumer = await consumerAgent(t!.app, { realName: '陈小红' });
    const app = await apply(consumer.agent, t!.fixtures.institutionA.productId);

    ({ page: c } = await harness!.newPage(PHONE_VIEWPORT, 'consumer'));
    await c.goto(`/login?next=${encodeURIComponent(`/applications/${app.id}`)}`);
    await c.locator('input[name=phone]').fill(consumer.phone);
    await c.locator('input[name=password]').fill(PASSWORD);
    await c.locator('main form button[type=submit]').click();
    await c.waitForURL(`**/applications/${app.id}`);
    await c.locator('[data-testid=complain]').click();
    await c.waitForURL('**/account/complaints/new?applicationId=*');
    expect(await c.locator('select[name=applicationId]').inputValue()).toBe(app.id);
    await c.locator('select[name=category]').selectOption('fees');
    await c.locator('input[name=subject]').fill('被收取了会员费');
    await c.locator('textarea[name=description]').fill('放款前被要求先交 299 元会员费，页面上没有说明。');
    await c.locator('[data-testid=file-complaint]').click();
    await c.waitForURL(/\/account\/complaints\/cmp_/);
    expect(await c.locator('[data-testid=complaint-status]').innerText()).toBe('待处理');
    const filed = new URL(c.url()).pathname;
    await harness!.shot(c, '01-filed');
    complaintPath = filed;
  });

  it('2. an operator, in another browser, takes it, answers and resolves it', async () => {
    expect(complaintPath, 'the complaint filed in step 1').toBeDefined();
    const { page: o } = await harness!.newPage(DESKTOP_VIEWPORT, 'operator');
    await staffLogin(o, 'admin', t!.fixtures.operator, PASSWORD);
    await o.goto('/admin/complaints');
    const row = o.locator('tr', { hasText: '被收取了会员费' });
    expect(await row.innerText()).toContain('甲银行');
    await row.locator('a', { hasText: '处理' }).click();
    await o.locator('[data-testid=assign]').click();
    await o.locator('form[action$="/messages"] textarea[name=body]').fill('您好，平台已要求机构退还该笔费用，请留意到账。');
    await o.locator('[data-testid=send-message]').click();
    await o.locator('form[action$="/status"] select[name=status]').selectOption('resolved');
    await o.locator('[data-testid=change-status]').click();
    await expect.poll(() => o.locator('[data-testid=complaint-status]').innerText()).toBe('已解决');
    await harness!.shot(o, '02-answered');
    answered = true;
  });

  it('3. the answer reaches the consumer, who confirms it resolved', async () => {
    expect(answered, 'the operator answered in step 2').toBe(true);
    const page = c!;
    await page.goto(complaintPath!);
    const timeline = await page.locator('[data-testid=complaint-timeline]').innerText();
    expect(timeline).toContain('平台客服 回复');
    expect(timeline).toContain('平台已要求机构退还该笔费用');
    expect(await page.locator('[data-testid=complaint-status]').innerText()).toBe('已解决');
    await page.locator('[data-testid=confirm-resolved]').click();
    await expect.poll(() => page.locator('[data-testid=complaint-status]').innerText()).toBe('已关闭');
    await harness!.shot(page, '03-closed');
  });

  it('no page showed a problem', async () => {
    expect(await harness!.settledProblems()).toEqual([]);
  });
});
