import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, type BrowserHarness } from '../support/browser';

/**
 * Issue 15, on a phone (demo data, 40 products): /products puts the amount, term and sort chips above
 * the results and keeps them at the top while scrolling, the other filters open in a 「筛选」 sheet
 * (<details>, no script) and apply; a desktop still shows every filter in the sidebar. /compare keeps
 * the row labels in view when the table is scrolled sideways.
 */
describe('browser: products and compare on a phone', { timeout: 120_000 }, () => {
  let t: TestApp | undefined;
  let b: BrowserHarness | undefined;
  beforeAll(async () => {
    t = await startTestApp({ data: 'demo' });
    b = await openBrowser(t.app, { purpose: 'the phone layout browser test', shotPrefix: 'phone-layout' });
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  const box = async (l: Locator) => {
    const r = await l.boundingBox();
    expect(r, 'element has a box').not.toBeNull();
    return r!;
  };
  const total = async (page: Page) => Number(/共\s*(\d+)\s*款/.exec(await page.getByTestId('total').innerText())![1]);
  const pageWidth = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);

  it('/products: chips above the first result and sticky; the 筛选 sheet opens and applies a filter', async () => {
    const { page } = await b!.newPage(PHONE_VIEWPORT, 'phone');
    await page.goto('/products');
    const chips = page.getByTestId('quick-filters');
    const firstCard = page.locator('article.product-card').first();
    await firstCard.waitFor();
    expect(await total(page)).toBe(40);
    const chipsBox = await box(chips);
    expect(chipsBox.y + chipsBox.height).toBeLessThanOrEqual((await box(firstCard)).y);
    for (const name of ['amount', 'termMonths', 'sort']) expect(await chips.locator(`[name=${name}]`).isVisible(), name).toBe(true);
    // the rest waits in the closed sheet
    const sheet = page.getByTestId('filter-sheet');
    const consumerLoan = sheet.locator('input[name=category][value=消费贷]');
    expect(await consumerLoan.isVisible()).toBe(false);
    // scrolled down past several cards the chips are still at the top of the screen
    await page.locator('article.product-card').nth(5).scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBeGreaterThan(300);
    const stuck = await box(chips);
    expect(stuck.y).toBeGreaterThanOrEqual(0);
    expect(stuck.y + stuck.height).toBeLessThanOrEqual(PHONE_VIEWPORT.height / 4);
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    await b!.shot(page, 'products-chips');

    // a chip and the sheet together: amount 50000, sort by APR, category 消费贷
    await chips.locator('input[name=amount]').fill('50000');
    await chips.locator('select[name=sort]').selectOption('apr');
    await sheet.locator('summary', { hasText: '筛选' }).click();
    expect(await sheet.getAttribute('open')).not.toBeNull();
    await consumerLoan.check();
    expect(await consumerLoan.isVisible()).toBe(true);
    await b!.shot(page, 'products-sheet');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('category') === '消费贷'), page.getByRole('button', { name: '应用筛选' }).click()]);
    const q = new URL(page.url()).searchParams;
    expect(q.get('amount')).toBe('50000');
    expect(q.get('sort')).toBe('apr');
    const filtered = await total(page);
    expect(filtered).toBeGreaterThan(0);
    expect(filtered).toBeLessThan(40);
    for (const inst of await page.locator('article.product-card .inst').allInnerTexts()) expect(inst).toContain('消费贷');
    // the chips keep the choice; the sheet is closed again and still holds the category
    expect(await chips.locator('input[name=amount]').inputValue()).toBe('50000');
    expect(await chips.locator('select[name=sort]').inputValue()).toBe('apr');
    expect(await page.getByTestId('filter-sheet').getAttribute('open')).toBeNull();
    expect(await page.locator('input[name=category][value=消费贷]').isChecked()).toBe(true);
    expect(await b!.settledProblems()).toEqual([]);
  });

  it('/products on a desktop: every filter is shown in the sidebar, no 筛选 summary', async () => {
    const { page } = await b!.newPage(DESKTOP_VIEWPORT, 'desktop');
    await page.goto('/products');
    await page.locator('article.product-card').first().waitFor();
    const sheet = page.getByTestId('filter-sheet');
    expect(await sheet.locator('summary').isVisible()).toBe(false);
    expect(await sheet.locator('input[name=category][value=消费贷]').isVisible()).toBe(true);
    expect(await sheet.locator('input[name=q]').isVisible()).toBe(true);
    // the sidebar is beside the results, not above them
    expect((await box(page.locator('form.filters'))).x + 100).toBeLessThan((await box(page.locator('article.product-card').first())).x);
    expect(await b!.settledProblems()).toEqual([]);
  });

  it('/compare with two products: after scrolling the table sideways the row labels are still in view', async () => {
    const { page } = await b!.newPage(PHONE_VIEWPORT, 'phone-compare');
    await page.goto('/products?amount=50000&termMonths=12');
    const ids = await page.locator('article.product-card').evaluateAll((els) => els.slice(0, 2).map((e) => (e as unknown as { getAttribute(n: string): string }).getAttribute('data-product-id')));
    expect(ids).toHaveLength(2);
    await page.goto(`/compare?ids=${ids[0]}&ids=${ids[1]}&amount=50000&termMonths=12`);
    const scroller = page.locator('.table-scroll');
    const table = page.getByTestId('compare-table');
    await table.waitFor();
    const widths = await scroller.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(widths.scroll, 'the table is wider than the phone').toBeGreaterThan(widths.client);
    const label = table.locator('tbody th[scope=row]', { hasText: '首期月供' });
    const firstCell = table.locator('tbody tr', { has: page.locator('th[scope=row]', { hasText: '首期月供' }) }).locator('td').first();
    const before = await box(firstCell);

    await scroller.evaluate((el) => {
      el.scrollLeft = el.scrollWidth;
    });
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { scrollLeft: number } } }).document.querySelector('.table-scroll').scrollLeft > 0);
    const after = await box(firstCell);
    expect(after.x).toBeLessThan(before.x); // the cells moved
    const labelBox = await box(label);
    expect(labelBox.x).toBeGreaterThanOrEqual(0);
    expect(labelBox.x + labelBox.width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    // and it is on top: the point at its centre is the label, not a cell scrolled under it
    const hit = await page.evaluate(
      ({ x, y }) => (globalThis as unknown as { document: { elementFromPoint(x: number, y: number): { textContent: string } | null } }).document.elementFromPoint(x, y)?.textContent ?? '',
      { x: labelBox.x + labelBox.width / 2, y: labelBox.y + labelBox.height / 2 },
    );
    expect(hit.trim()).toBe('首期月供');
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    await b!.shot(page, 'compare-scrolled');
    expect(await b!.settledProblems()).toEqual([]);
  });
});
