import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { apply, consumerAgent } from '../support/http';
import { openBrowser, PHONE_VIEWPORT, type BrowserHarness } from '../support/browser';

/**
 * 预审 before consent, on a phone (issue 15): a Shanghai borrower compares a Hangzhou-only product,
 * one she applied for last week and one she may apply for. Signed out, compare invites her to sign
 * in; back on compare, each column says why she can or cannot apply (the earlier application linked),
 * only the open product keeps an 申请 button, and 一键申请 carries only it. The apply page shows the
 * two others unticked with their reasons, and the consent screen names only the one institution left.
 */
describe('browser: precheck on compare and apply, on a phone', { timeout: 120_000 }, () => {
  let t: TestApp | undefined;
  let b: BrowserHarness | undefined;
  let hangzhouOnly = '';
  let earlierId = '';
  let phone = '';
  beforeAll(async () => {
    t = await startTestApp();
    hangzhouOnly = (
      await t.container.services.catalogue.create({
        institutionId: t.fixtures.institutionB.id,
        name: '乙杭州贷',
        category: '信用贷',
        summary: '仅限杭州',
        minAmountFen: 100_000,
        maxAmountFen: 5_000_000,
        termOptions: [12, 24],
        rateMin: '0.0800',
        rateMax: '0.2000',
        repaymentMethods: ['equal_installment'],
        requiredDocuments: ['身份证'],
        tags: [],
        decisionMinutes: 30,
        disbursementHours: 24,
        status: 'listed',
        eligibility: { minAge: 18, maxAge: 60, minMonthlyIncomeFen: 0, regions: ['杭州'], employmentTypes: [], studentsExcluded: true },
      })
    ).id;
    const consumer = await consumerAgent(t.app);
    phone = consumer.phone;
    await consumer.agent.put('/api/v1/profile').send({ city: '上海', employment: '上班族', monthlyIncome: 12000, housing: '租房', monthlyDebt: 0, creditSelfAssessment: 'good' }).expect(200);
    earlierId = (await apply(consumer.agent, t.fixtures.institutionB.productId)).id;
    b = await openBrowser(t.app, { purpose: 'the precheck browser test', shotPrefix: 'precheck' });
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('compare explains each product before consent, and apply asks consent only for the one left', async () => {
    const { productId } = t!.fixtures.institutionA;
    const { page } = await b!.newPage(PHONE_VIEWPORT, 'borrower');
    await page.goto(`/compare?ids=${hangzhouOnly}&ids=${t!.fixtures.institutionB.productId}&ids=${productId}&amount=30000&termMonths=12`);

    // signed out: an invitation to sign in, which comes back to the same comparison
    const invite = page.getByTestId('compare-login');
    await invite.waitFor();
    await Promise.all([page.waitForURL((u) => u.pathname === '/login'), invite.getByRole('link', { name: '登录' }).click()]);
    await page.locator('input[name=phone]').fill(phone);
    await page.locator('input[name=password]').fill(PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/compare'), page.getByRole('button', { name: '登录' }).click()]);

    const precheck = page.getByTestId('compare-precheck');
    await precheck.waitFor();
    expect(await precheck.locator(`td[data-product-id="${hangzhouOnly}"]`).innerText()).toContain('不符合：仅限 杭州 地区');
    const earlier = precheck.locator(`td[data-product-id="${t!.fixtures.institutionB.productId}"] a`, { hasText: '查看已有申请' });
    expect(await earlier.getAttribute('href')).toBe(`/applications/${earlierId}`);
    expect(await precheck.locator(`td[data-product-id="${productId}"]`).innerText()).toContain('符合申请条件');
    expect(await page.getByTestId('compare-odds').count()).toBe(3);
    expect(await page.getByTestId('compare-blocked').count()).toBe(2);
    const body = await page.locator('main').innerText();
    expect(body).not.toMatch(/预批|预审通过|保证下款/);
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    await b!.shot(page, 'compare');

    // one click applies to the open product only
    const applyAll = page.getByTestId('apply-all');
    expect(await applyAll.innerText()).toBe('一键申请可申请的 1 款');
    await Promise.all([page.waitForURL((u) => u.pathname === '/apply'), applyAll.click()]);
    const form = page.locator('form[action="/apply/review"]');
    await form.waitFor();
    expect(await form.locator('input[name=productId]').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value))).toEqual([productId]);
    expect(await page.getByTestId('apply-odds').innerText()).toMatch(/下款概率（参考）：\S+，\d+%–\d+%/);

    // opening apply with all three (as a shared link would) unticks the two with their reasons
    await page.goto(`/apply?products=${hangzhouOnly},${t!.fixtures.institutionB.productId},${productId}&amount=30000&termMonths=12`);
    const blocked = page.getByTestId('precheck-blocked');
    await blocked.waitFor();
    expect(await blocked.getByTestId('precheck-reason').innerText()).toBe('不符合条件：仅限 杭州 地区');
    expect(await blocked.getByTestId('precheck-duplicate').locator('a').getAttribute('href')).toBe(`/applications/${earlierId}`);
    expect(await blocked.locator('input[type=checkbox]:disabled').count()).toBe(2);
    await b!.shot(page, 'apply');
    await Promise.all([page.waitForURL((u) => u.pathname === '/apply/review'), page.getByTestId('to-consent').click()]);
    const consent = await page.locator('main').innerText();
    expect(consent).toContain('同意向「甲银行」提供以下信息');
    expect(consent).not.toContain('乙银行」提供');
    await b!.shot(page, 'consent');
    expect(await b!.settledProblems()).toEqual([]);
  });
});
