import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../server/lib/tx';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';

/**
 * An institution downloads its statement and disputes a line on a phone; finance adjusts the
 * line and records the bank transfer; the institution sees the statement paid.
 */
// Each step is its own test (sharing the app, the browser and the pages), so a failure names the step it happened in.
describe('statements in the browser', { timeout: 180_000 }, () => {
  let t: TestApp;
  let harness: BrowserHarness;
  let statementId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const { settlement, statements } = t.container.services;
    const institutionId = t.fixtures.institutionA.id;
    await withTransaction(t.container.database.db, async (tx) => {
      await settlement.accrue(tx, { rule: 'cpl', applicationId: 'app_b1', institutionId, at: new Date('2026-09-03T02:00:00Z') });
      await settlement.accrue(tx, { rule: 'cpa', applicationId: 'app_b1', institutionId, at: new Date('2026-09-04T02:00:00Z') });
      await settlement.accrue(tx, { rule: 'cps', applicationId: 'app_b1', institutionId, at: new Date('2026-09-05T02:00:00Z'), baseAmountFen: 2_000_000 });
    });
    statementId = (await statements.closeMonth('2026-09', { now: new Date('2026-10-01T02:00:00+08:00') })).created[0]!;
    harness = await openBrowser(t.app, { purpose: 'the statements browser test', shotPrefix: 'statements' });
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  /** finance's desktop page and the institution's phone page */
  let finance: Page | undefined;
  let partner: Page | undefined;
  /** set once each step that later steps build on has succeeded */
  let issued = false;
  let disputed = false;
  let paid = false;

  it('1. finance issues the statement to the institution', async () => {
    ({ page: finance } = await harness.newPage(DESKTOP_VIEWPORT, 'finance'));
    await staffLogin(finance, 'admin', t.fixtures.operator, PASSWORD);
    await finance.goto(`/admin/finance/statements/${statementId}`);
    await finance.locator('[data-testid=issue-form] input[name=confirm]').check();
    await finance.getByRole('button', { name: '出具给机构' }).click();
    await finance.locator('[data-status="issued"], [data-status="overdue"]').first().waitFor();
    issued = true;
  });

  it('2. the institution, on a phone, downloads the statement and disputes a line', async () => {
    expect(issued, 'finance issued the statement in step 1').toBe(true);
    ({ page: partner } = await harness.newPage(PHONE_VIEWPORT, 'institution'));
    await staffLogin(partner, 'partner', t.fixtures.institutionA.staff, PASSWORD);
    await partner.goto('/partner/statements');
    await partner.locator(`[data-statement-id="${statementId}"] a`).click();
    expect(await partner.locator('[data-testid=statement-total]').innerText()).toBe('¥420.00');
    const [download] = await Promise.all([partner.waitForEvent('download'), partner.locator('[data-testid=download-csv]').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('cps:app_b1');
    expect(csv).toContain('420.00');
    expect(await partner.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);

    const line = partner.locator('[data-source-key="cps:app_b1"]');
    await line.locator('summary').click();
    await line.locator('input[name=reason]').fill('放款金额应为 1 万元');
    await line.getByRole('button', { name: '提出异议' }).click();
    await partner.locator('[data-source-key="cps:app_b1"] [data-review="disputed"]').waitFor();
    await harness.shot(partner, 'disputed-phone');
    disputed = true;
  });

  it('3. finance adjusts the disputed line and records the bank transfer', async () => {
    expect(disputed, 'the institution disputed a line in step 2').toBe(true);
    const page = finance!;
    await page.goto('/admin/finance');
    await page.locator('[data-testid=disputes]').getByRole('link', { name: '处理' }).click();
    const disputedLine = page.locator('[data-source-key="cps:app_b1"]');
    await disputedLine.locator('input[name=amount]').fill('-150');
    await disputedLine.locator('input[name=reason]').fill('核实放款 1 万元，减免 150 元');
    await disputedLine.getByRole('button', { name: '调整' }).click();
    await page.locator('[data-source-key="cps:app_b1"] [data-review="adjusted"]').waitFor();

    const form = page.locator('[data-testid=bank-transfer-form]');
    await form.locator('input[name=amount]').fill('420.00');
    await form.locator('input[name=paidOn]').fill('2026-10-10');
    await form.locator('input[name=reference]').fill('ICBC-20261010-001');
    await form.getByRole('button', { name: '登记到账' }).click();
    await page.locator('[data-testid=payments]').waitFor();
    expect(await page.locator('[data-testid=payments]').innerText()).toContain('ICBC-20261010-001');
    paid = true;
  });

  it('4. the institution reloads: the statement is paid and the line adjusted', async () => {
    expect(paid, 'finance recorded the bank transfer in step 3').toBe(true);
    await partner!.reload();
    await partner!.locator('h1 [data-status="paid"]').waitFor();
    expect(await partner!.locator('[data-testid=statement-paid]').innerText()).toBe('¥420.00');
    expect(await partner!.locator('[data-source-key="cps:app_b1"] [data-review="adjusted"]').innerText()).toBe('已调整');
    await harness.shot(partner!, 'paid-phone');
  });

  // the finance overview on a phone: the month's collection charted; with everything paid the ageing chart says so
  // instead of drawing an axis of ¥0; nothing wider than the screen
  it('5. the finance overview on a phone charts the collection and says nothing is outstanding', async () => {
    expect(paid, 'finance recorded the bank transfer in step 3').toBe(true);
    const { page: phone } = await harness.newPage(PHONE_VIEWPORT, 'finance-phone');
    await staffLogin(phone, 'admin', t.fixtures.operator, PASSWORD);
    await phone.goto('/admin/finance');
    expect(await phone.locator('figure.stat-chart svg rect.bar').count()).toBeGreaterThanOrEqual(1);
    expect(await phone.locator('figure.stat-chart[data-empty] .chart-empty').allInnerTexts()).toEqual(['没有已出具未付清的结算单']);
    expect(await phone.locator('[data-testid=statements] [data-status="paid"]').count()).toBe(1);
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await harness.shot(phone, 'finance-phone');
  });

  it('no page showed a problem', async () => {
    expect(await harness.settledProblems()).toEqual([]);
  });
});
