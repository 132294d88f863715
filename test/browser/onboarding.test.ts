import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unifiedCodeCheckChar } from '../../server/modules/institutions/unified-code';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** An institution applies on a phone, an operator asks a question and approves, the first admin activates the account. */
// Each step is its own test (sharing the app, the browser and the pages), so a failure names the step it happened in.
describe('institution onboarding in the browser', { timeout: 120_000 }, () => {
  let t: TestApp;
  let harness: BrowserHarness;
  beforeAll(async () => {
    t = await startTestApp();
    harness = await openBrowser(t.app, {
      purpose: 'the onboarding browser test',
      shotPrefix: 'onboarding',
      expected: [{ status: 400, url: (u) => u.pathname === '/partner/join', seen: 0 }],
    });
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  const first17 = '91310115MA1K00042';
  const code = first17 + unifiedCodeCheckChar(first17);
  const wrongCode = first17 + (code[17] === '0' ? '1' : '0');
  const expires = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);

  /** the applicant's phone page and the operator's desktop page */
  let applicant: Page | undefined;
  let operator: Page | undefined;
  /** the page the applicant tracks the application on, once submitted in step 1 */
  let trackUrl: string | undefined;
  /** set once each step that later steps build on has succeeded */
  let asked = false;
  let answered = false;
  let approved = false;

  it('1. an institution applies on a phone; a wrong check digit is named and what was typed is kept', async () => {
    ({ page: applicant } = await harness.newPage(PHONE_VIEWPORT, 'applicant'));
    await applicant.goto('/partner/login');
    await applicant.getByRole('link', { name: '申请入驻' }).click();
    await applicant.locator('input[name=legalName]').fill('上海浦东戊消费金融有限公司');
    await applicant.locator('input[name=shortName]').fill('戊消金');
    await applicant.locator('select[name=kind]').selectOption('consumer_finance');
    await applicant.locator('input[name=unifiedCode]').fill(wrongCode);
    await applicant.locator('input[name=licenceType]').fill('金融许可证');
    await applicant.locator('input[name=licenceNumber]').fill('B0999H231000001');
    await applicant.locator('input[name=licenceExpiresOn]').fill(expires);
    await applicant.locator('input[name=licence]').setInputFiles({ name: 'licence.pdf', mimeType: 'application/pdf', buffer: PDF });
    await applicant.locator('input[name=contact0Name]').fill('戊一');
    await applicant.locator('input[name=contact0Title]').fill('合规总监');
    await applicant.locator('input[name=contact0Phone]').fill('13600002222');
    await applicant.locator('input[name=contact0Email]').fill('wu@example.com');
    await applicant.locator('input[name=adminUsername]').fill('wu.admin');
    await applicant.getByRole('button', { name: '提交申请' }).click();
    // the mistake is named and what was typed is kept (the file has to be chosen again)
    await applicant.locator('.alert.error').waitFor();
    expect(await applicant.locator('.alert.error').innerText()).toContain('校验位不正确');
    expect(await applicant.locator('input[name=legalName]').inputValue()).toBe('上海浦东戊消费金融有限公司');
    await applicant.locator('input[name=unifiedCode]').fill(code);
    await applicant.locator('input[name=licence]').setInputFiles({ name: 'licence.pdf', mimeType: 'application/pdf', buffer: PDF });
    await applicant.getByRole('button', { name: '提交申请' }).click();
    await applicant.waitForURL(/\/partner\/join\/[\w-]+$/);
    const tracked = new URL(applicant.url()).pathname;
    expect(await applicant.locator('[data-testid=onboarding-status]').innerText()).toBe('待审核');
    await harness.shot(applicant, 'submitted-phone');
    trackUrl = tracked;
  });

  it('2. an operator asks the applicant for more', async () => {
    expect(trackUrl, 'the application submitted in step 1').toBeDefined();
    ({ page: operator } = await harness.newPage(DESKTOP_VIEWPORT, 'operator'));
    await staffLogin(operator, 'admin', t.fixtures.operator, PASSWORD);
    await operator.goto('/admin/onboarding');
    await operator.getByRole('link', { name: '上海浦东戊消费金融有限公司' }).click();
    await operator.locator('textarea[name=body]').first().fill('请补充最近一期的审计报告');
    await operator.getByRole('button', { name: '请对方补充' }).click();
    await operator.locator('[data-testid=onboarding-status]', { hasText: '待补充材料' }).waitFor();
    asked = true;
  });

  it('3. the applicant reads the question and answers it', async () => {
    expect(asked, 'the operator asked in step 2').toBe(true);
    await applicant!.goto(trackUrl!);
    expect(await applicant!.locator('main').innerText()).toContain('请补充最近一期的审计报告');
    await applicant!.locator('textarea[name=body]').fill('审计报告已发送至审核邮箱');
    await applicant!.getByRole('button', { name: '发送' }).click();
    await applicant!.locator('[data-testid=onboarding-status]', { hasText: '待审核' }).waitFor();
    answered = true;
  });

  it('4. the operator sees the answer and approves', async () => {
    expect(answered, 'the applicant answered in step 3').toBe(true);
    await operator!.reload();
    expect(await operator!.locator('main').innerText()).toContain('审计报告已发送至审核邮箱');
    const approve = operator!.locator('[data-testid=approve-form]');
    await approve.locator('input[name=confirm]').check();
    await approve.getByRole('button', { name: '通过并创建机构' }).click();
    await operator!.locator('[data-testid=onboarding-status]', { hasText: '已通过' }).waitFor();
    await harness.shot(operator!, 'approved');
    approved = true;
  });

  it('5. the applicant activates the first admin and lands in the portal, nothing wider than the phone', async () => {
    expect(approved, 'the operator approved in step 4').toBe(true);
    const page = applicant!;
    await page.goto(trackUrl!);
    await page.locator('[data-testid=activate]').click();
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('input[name=confirm]').fill(PASSWORD);
    await page.getByRole('button', { name: '激活并登录' }).click();
    await page.waitForURL((url) => url.pathname === '/partner' || url.pathname === '/partner/');
    expect(await page.locator('h1').innerText()).toBe('上海浦东戊消费金融有限公司');
    expect(await page.locator('main').innerText()).toContain('机构管理员');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await harness.shot(page, 'activated-phone');
  });

  it('no page showed a problem', async () => {
    expect(await harness.settledProblems()).toEqual([]);
  });
});
