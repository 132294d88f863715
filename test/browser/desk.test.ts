import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { consumerAgent } from '../support/http';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';

/**
 * The desk's journey: a borrower on a phone asks a question (guides suggested as they type), an
 * agent on duty answers with a canned reply that reaches the borrower live, turns it into a
 * complaint and closes it, and the borrower rates the conversation. Each step is its own test.
 */
describe('browser: the customer-service desk', { timeout: 120_000 }, () => {
  let t: TestApp | undefined;
  let harness: BrowserHarness | undefined;
  let borrower: Page | undefined;
  let agent: Page | undefined;
  let conversationPath: string | undefined;

  beforeAll(async () => {
    t = await startTestApp();
    const { accounts, desk, content } = t.container.services;
    const supervisor = { kind: 'operator' as const, id: null };
    const kf = await accounts.createStaff({ kind: 'operator', username: 'kf.lin', password: PASSWORD, displayName: '客服小林', role: 'customer_service' });
    await desk.setGroup(supervisor, 'dg_loan', { agentIds: [kf.id], opensAtMinute: 0, closesAtMinute: 1440 });
    const now = Date.now();
    await desk.addShift(supervisor, { groupId: 'dg_loan', agentId: kf.id, startsAt: new Date(now - 3_600_000), endsAt: new Date(now + 8 * 3_600_000) });
    await desk.saveCanned(supervisor, { title: '问候', body: '您好，{{称呼}}！我是{{坐席}}，会话 {{会话编号}} 由我负责。' });
    const article = await content.createArticle(
      { slug: 'early-repayment-fee', categoryId: 'cc_loan_basics', title: '提前还款要不要违约金', summary: '看产品页的提前还款条款', body: '<p>提前还款是否收费，以合同为准。</p>', removeCover: undefined },
      supervisor,
    );
    await content.publishArticle(article.id, supervisor);
    harness = await openBrowser(t.app, { purpose: 'the desk browser test', shotPrefix: 'desk' });
  }, 240_000);
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  it('1. a borrower on a phone opens the desk from the page header, sees a matching guide, and asks', async () => {
    const consumer = await consumerAgent(t!.app, { realName: '王小明' });
    ({ page: borrower } = await harness!.newPage(PHONE_VIEWPORT, 'borrower'));
    const b = borrower;
    await b.goto('/login');
    await b.locator('input[name=phone]').fill(consumer.phone);
    await b.locator('input[name=password]').fill(PASSWORD);
    await b.locator('main form button[type=submit]').click();
    await b.waitForURL((u) => !u.pathname.startsWith('/login'));
    await b.locator('[data-testid=desk-link]').click();
    await b.waitForURL('**/desk');
    await b.locator('[data-testid=desk-group]').selectOption('dg_loan');
    await b.locator('[data-testid=desk-question]').fill('我想提前还款，会收违约金吗？');
    await expect.poll(() => b.locator('[data-testid=desk-suggestions]').innerText(), { timeout: 10_000 }).toContain('提前还款要不要违约金');
    await harness!.shot(b, '01-suggested');
    await b.locator('[data-testid=desk-start]').click();
    await b.waitForURL(/\/desk\/conversations\/kf_/);
    expect(await b.locator('[data-testid=desk-status]').innerText()).toBe('接待中');
    expect(await b.locator('[data-testid=desk-thread]').innerText()).toContain('客服小林 为你服务');
    conversationPath = new URL(b.url()).pathname;
    await expect.poll(() => b.locator('[data-desk-stream]').getAttribute('data-live')).toBe('open');
  });

  it('2. the agent on duty answers with a canned reply; it reaches the borrower without a reload, and the borrower’s answer reaches the agent the same way', async () => {
    expect(conversationPath, 'the conversation opened in step 1').toBeDefined();
    ({ page: agent } = await harness!.newPage(DESKTOP_VIEWPORT, 'agent'));
    const a = agent;
    await staffLogin(a, 'admin', 'kf.lin', PASSWORD);
    await a.goto('/admin/desk');
    await a.locator('[data-testid=desk-row] a').first().click();
    await a.waitForURL(/\/admin\/desk\/conversations\/kf_/);
    expect(await a.locator('[data-testid=desk-thread]').innerText()).toContain('我想提前还款');
    await expect.poll(() => a.locator('[data-desk-stream]').getAttribute('data-live')).toBe('open');

    const b = borrower!;
    const loadedAt = await b.evaluate(() => performance.timeOrigin);
    await a.locator('[data-testid=desk-canned]').selectOption({ label: '问候' });
    await a.locator('[data-testid=desk-reply]').click();
    await a.waitForURL(/\/admin\/desk\/conversations\/kf_/);
    await expect.poll(() => b.locator('[data-testid=desk-thread]').innerText(), { timeout: 10_000 }).toMatch(/您好，王\*\*！我是客服小林，会话 KF\d{6} 由我负责。/);
    expect(await b.evaluate(() => performance.timeOrigin), 'the borrower’s page was not reloaded').toBe(loadedAt);
    await harness!.shot(b, '02-live-reply');

    await expect.poll(() => a.locator('[data-desk-stream]').getAttribute('data-live')).toBe('open');
    const agentLoadedAt = await a.evaluate(() => performance.timeOrigin);
    await b.locator('[data-testid=desk-body]').fill('好的，那我的合同在哪里看？');
    await b.locator('[data-testid=desk-send]').click();
    await expect.poll(() => a.locator('[data-testid=desk-thread]').innerText(), { timeout: 10_000 }).toContain('那我的合同在哪里看');
    expect(await a.evaluate(() => performance.timeOrigin), 'the agent’s page was not reloaded').toBe(agentLoadedAt);
  });

  it('3. the agent turns the conversation into a complaint and closes it', async () => {
    const a = agent!;
    await a.locator('[data-testid=desk-complaint-category]').selectOption('fees');
    await a.locator('[data-testid=desk-complaint-subject]').fill('提前还款违约金说明不清');
    await a.locator('[data-testid=desk-complaint]').click();
    await a.waitForURL(/\/admin\/desk\/conversations\/kf_/);
    expect(await a.locator('[data-testid=desk-complaint-link]').count()).toBe(1);
    await a.locator('[data-testid=desk-close]').click();
    await a.waitForURL(/\/admin\/desk\/conversations\/kf_/);
    expect(await a.locator('[data-testid=desk-status]').innerText()).toBe('已结束');
    await harness!.shot(a, '03-closed');
  });

  it('4. the borrower sees the complaint and the end of the conversation, and rates it once', async () => {
    const b = borrower!;
    // the closing arrives live: the page shows itself again with the rating form
    await b.locator('[data-testid=desk-rating-form]').waitFor({ timeout: 10_000 });
    expect(await b.locator('[data-testid=desk-thread]').innerText()).toContain('已为你登记投诉「提前还款违约金说明不清」');
    await b.locator('[data-testid=desk-rate-5]').check();
    await b.locator('[data-testid=desk-rating-comment]').fill('回复很快');
    await b.locator('[data-testid=desk-rate]').click();
    await b.waitForURL(`**${conversationPath!}`);
    expect(await b.locator('[data-testid=desk-rated]').innerText()).toContain('5 分');
    expect(await b.locator('[data-testid=desk-rating-form]').count()).toBe(0);
    await harness!.shot(b, '04-rated');
    await b.goto('/account/complaints');
    expect(await b.locator('main').innerText()).toContain('提前还款违约金说明不清');
    expect(await harness!.settledProblems()).toEqual([]);
  });
});
