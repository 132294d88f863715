import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { consumerAgent } from '../support/http';
import { startTestApp, type TestApp } from '../support/app';
import { openBrowser, PHONE_VIEWPORT, type BrowserHarness } from '../support/browser';

/** A borrower answers the 信用评估 on a phone: a forgotten answer is named, then the score, factors, tips and history. */
describe('browser: 信用评估 on a phone', { timeout: 90_000 }, () => {
  let t: TestApp | undefined;
  let harness: BrowserHarness | undefined;
  beforeAll(async () => {
    t = await startTestApp();
    harness = await openBrowser(t.app, {
      purpose: 'the credit profile browser test',
      shotPrefix: 'credit',
      // the first submit leaves an answer out on purpose: 400 with the form again
      expected: [{ status: 400, url: (u) => u.pathname === '/account/credit', seen: 0 }],
    });
  });
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  it('answers the questionnaire, sees the score labelled as an estimate, improves it and sees the history', async () => {
    const consumer = await consumerAgent(t!.app, { verified: false });
    const { page } = await harness!.newPage(PHONE_VIEWPORT, 'consumer');
    await page.goto('/login?next=%2Faccount');
    await page.locator('input[name=phone]').fill(consumer.phone);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('main form button[type=submit]').click();
    await page.waitForURL('**/account');
    await page.locator('a[href="/account/credit"]').click();
    await page.waitForURL('**/account/credit');
    expect(await page.locator('[data-testid=credit-notice]').innerText()).toContain('这是平台根据你填写的信息估算的参考分，不是征信机构的信用分');

    await page.locator('input[name=monthlyIncome]').fill('9000');
    await page.locator('select[name=incomeProof]').selectOption('payroll');
    await page.locator('select[name=employment]').selectOption('上班族');
    await page.locator('input[name=tenureMonths]').fill('18');
    await page.locator('select[name=housingFundPaid]').selectOption('0');
    await page.locator('select[name=socialInsurancePaid]').selectOption('1');
    await page.locator('input[name=monthlyDebt]').fill('3000');
    await page.locator('input[name=creditCards]').fill('3');
    await page.locator('input[name=cardUtilisationPercent]').fill('70');
    await page.locator('input[name=inquiries6m]').fill('4');
    await page.locator('input[name=assets][value=savings]').check();
    // the overdue question is left out
    await page.locator('main form button[type=submit]').click();
    await page.waitForLoadState();
    expect(await page.locator('.field-error', { hasText: '请选择逾期情况' }).count()).toBe(1);
    expect(await page.locator('input[name=monthlyIncome]').inputValue()).toBe('9000');

    await page.locator('select[name=overdue]').selectOption('settled');
    await page.locator('main form button[type=submit]').click();
    await page.waitForURL('**/account/credit#result');
    const first = Number(await page.locator('[data-testid=credit-score]').innerText());
    expect(first).toBeGreaterThanOrEqual(350);
    expect(await page.locator('[data-testid=credit-tips] li').count()).toBeGreaterThan(0);
    const cardTip = await page.locator('[data-testid=credit-tips] li', { hasText: '30% 以下' }).innerText();
    const tipPoints = Number(/约可提高 (\d+) 分/.exec(cardTip)![1]);

    // following the card tip raises the score by exactly what it said
    await page.locator('input[name=cardUtilisationPercent]').fill('29');
    await page.locator('main form button[type=submit]').click();
    await page.waitForURL('**/account/credit#result');
    expect(Number(await page.locator('[data-testid=credit-score]').innerText())).toBe(first + tipPoints);
    expect(await page.locator('[data-testid=credit-history-table] tbody tr').count()).toBe(2);
    expect(await page.locator('[data-testid=credit-history] svg').count()).toBe(1);
    // nothing wider than the phone
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await harness!.shot(page, 'result');
    expect(await harness!.settledProblems()).toEqual([]);
  });
});
