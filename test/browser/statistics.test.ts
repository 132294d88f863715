import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';
import { apply, consumerAgent } from '../support/http';

/** The statistics pages in a real browser on a phone: no CSP or script problems, charts drawn, nothing wider than the screen. */
describe('statistics pages in a browser', () => {
  let t: TestApp;
  let b: BrowserHarness;

  beforeAll(async () => {
    t = await startTestApp();
    const { institutionA } = t.fixtures;
    for (let i = 0; i < 2; i++) {
      const c = await consumerAgent(t.app);
      await c.agent.put('/api/v1/profile').send({ city: '上海', creditSelfAssessment: 'good' }).expect(200);
      const app = await apply(c.agent, institutionA.productId);
      await t.container.services.applications.changeStatusByInstitution(
        institutionA.id,
        app.id,
        { status: 'approved', offeredAmountFen: 5_000_000, offeredTermMonths: 12, offeredApr: '0.12' },
        { kind: 'institution', id: null },
      );
    }
    t.container.services.catalogue.recordImpressions('v', [institutionA.productId, institutionA.productId], 'test');
    await t.container.services.catalogue.flushEvents();
    b = await openBrowser(t.app, { purpose: 'the statistics pages', shotPrefix: 'statistics' });
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  for (const [surface, user, url, name] of [
    ['partner', 'a.staff', '/partner/statistics', 'partner'],
    ['admin', 'op.admin', '/admin', 'admin'],
  ] as const) {
    it(`${url} works on a phone`, async () => {
      const { page } = await b.newPage(PHONE_VIEWPORT, name);
      await staffLogin(page, surface, user, PASSWORD);
      await page.goto(url);
      expect(await page.locator('figure.chart svg path.line, figure.chart svg rect.bar').count()).toBeGreaterThan(0);
      // axis text as drawn on the screen (font size × how much the SVG is scaled): readable, not ~9 px
      const axisPx = await page.locator('figure.stat-chart svg').first().evaluate((svg) => {
        const el = svg as unknown as { getBoundingClientRect(): { width: number }; viewBox: { baseVal: { width: number } }; querySelector(s: string): unknown };
        const text = el.querySelector('text.axis');
        const size = parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(text).fontSize);
        return (size * el.getBoundingClientRect().width) / el.viewBox.baseVal.width;
      });
      expect(axisPx).toBeGreaterThanOrEqual(11.5);
      await page.locator('a', { hasText: '近 7 天' }).first().click();
      await page.waitForURL(/days=7/);
      const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
      await b.shot(page, name);
      expect(await b.settledProblems()).toEqual([]);
    });
  }
});
