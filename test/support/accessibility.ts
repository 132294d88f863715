import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue } from 'axe-core';
import type { Page } from 'playwright-core';

/**
 * The axe-core rule sets every page of the browser suite is checked against: WCAG 2.0, 2.1 and 2.2
 * at levels A and AA, plus axe's best practices (landmarks, one main, heading order, …).
 */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'] as const;

/** Impacts that fail a journey; moderate and minor findings are not counted. */
export const FAILING_IMPACTS: readonly ImpactValue[] = ['serious', 'critical'];

/** How long a navigation waits for the check of the page it leaves, and a journey's end for the last ones. */
const CHECK_TIMEOUT_MS = 20_000;

/** How long the check of a document left before it loaded waits for its stylesheets. */
const LOAD_WAIT_MS = 5_000;

/** What the page sends back when axe has run on one of its documents. */
interface Report {
  doc: string;
  url: string;
  violations?: AxeResults['violations'];
  error?: string;
}

/**
 * Runs in every document of the page before its own scripts (an init script: the page's CSP does
 * not govern it, so the CSP stays on and keeps being tested). The main frame's documents announce
 * themselves when parsed and run axe when loaded, or when left before that (beforeunload), then
 * report through a binding. It all happens inside the page because the browser holds back
 * DevTools commands to a page that is navigating, so the document being left could not be
 * analysed from outside once the navigation has begun.
 */
const RUNNER = `;(() => {
  if (window.top !== window || !/^https?:/.test(location.href) || !window.axe) return;
  const doc = Math.random().toString(36).slice(2);
  let announced = false;
  let started = false;
  const announce = () => {
    if (!announced) window.__a11yStart(doc);
    announced = true;
  };
  // a document left before its load event (a journey that moves on at once) may not have its
  // stylesheets yet, and axe would judge the unstyled page: the navigation is held until the check
  // reports, so the document finishes loading first (or ${LOAD_WAIT_MS / 1000} s pass)
  const loaded = () => document.readyState === 'complete' ? Promise.resolve() : new Promise((resolve) => {
    window.addEventListener('load', resolve, { once: true });
    setTimeout(resolve, ${LOAD_WAIT_MS});
  });
  const run = () => {
    if (started) return;
    started = true;
    announce();
    const url = location.href;
    loaded()
      .then(() => window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] }))
      .then((r) => window.__a11yReport({ doc, url, violations: r.violations }), (e) => window.__a11yReport({ doc, url, error: String(e && e.message || e) }));
  };
  document.addEventListener('DOMContentLoaded', announce);
  window.addEventListener('load', run);
  window.addEventListener('beforeunload', run);
})();`;

/** axe-core (the version named in package.json), then the runner. */
let initScript: string | undefined;
const script = () => (initScript ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8') + RUNNER);

/**
 * Checks every document the page shows with axe-core, each line found going to `report`: a check
 * runs when a document has loaded, and a navigation of the page is held (its request paused)
 * until the check of the document it leaves has reported, so no page a journey opens goes
 * unchecked, even when the journey moves on at once. `track` receives each check still running
 * (the harness waits for them before a journey's verdict).
 */
export async function watchAccessibility(page: Page, who: string, report: (line: string) => void, track: (check: Promise<void>) => void): Promise<void> {
  const checks = new Map<string, { settled: Promise<void>; resolve: () => void }>();
  let current: string | undefined;

  await page.exposeBinding('__a11yStart', (_source, doc: string) => {
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const url = page.url();
    const settled = within(done, () => `[${who}] accessibility check of ${url} did not finish in ${CHECK_TIMEOUT_MS / 1000} s`, report);
    checks.set(doc, { settled, resolve });
    current = doc;
    track(settled);
  });
  await page.exposeBinding('__a11yReport', (_source, r: Report) => {
    if (r.error) report(`[${who}] accessibility check failed on ${r.url}: ${r.error}`);
    else for (const line of seriousViolations({ url: r.url, violations: r.violations ?? [] }, who)) report(line);
    checks.get(r.doc)?.resolve();
    checks.delete(r.doc);
  });
  await page.addInitScript(script());
  page.on('close', () => {
    for (const c of checks.values()) c.resolve();
  });
  await page.route('**/*', async (route) => {
    const request = route.request();
    const leaving = current && checks.get(current);
    if (leaving && request.isNavigationRequest() && request.frame() === page.mainFrame()) await leaving.settled;
    await route.fallback();
  });
}

/** Resolves when `done` does, or after the timeout with a line to `report`. */
async function within(done: Promise<void>, late: () => string, report: (line: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), CHECK_TIMEOUT_MS)));
  const outcome = await Promise.race([done, timeout]);
  clearTimeout(timer);
  if (outcome === 'late') report(late());
}

/** The serious and critical violations of one axe run, one line each, naming the page, the rule and the first elements. */
export function seriousViolations(results: Pick<AxeResults, 'url' | 'violations'>, who: string): string[] {
  const where = new URL(results.url);
  return results.violations
    .filter((v) => v.impact && FAILING_IMPACTS.includes(v.impact))
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ').trim()})` : ''}`)
        .join('; ');
      const more = v.nodes.length > 5 ? `; and ${v.nodes.length - 5} more` : '';
      return `[${who}] accessibility (${v.impact}) ${v.id} on ${where.pathname}${where.search}: ${v.help}, ${v.nodes.length} element(s): ${nodes}${more}`;
    });
}
