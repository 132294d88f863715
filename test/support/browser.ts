import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import { listenLocally } from '../../server/http/app-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { watchAccessibility } from './accessibility';
import { CHROMIUM_CANDIDATES, locateChromium, thisSystem } from './chromium';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
export const PHONE_VIEWPORT = { width: 390, height: 844 };
export const DESKTOP_VIEWPORT = { width: 1280, height: 800 };
export const SHOTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results');

/** An error response a journey provokes on purpose; `seen` counts the responses that matched. */
export interface ExpectedError {
  status: number;
  url: (u: URL) => boolean;
  seen: number;
}

export interface BrowserHarness {
  base: string;
  browser: Browser;
  /** problems the browser reported on any page: script errors, failed loads, console errors */
  problems: string[];
  /** inline-style CSP messages, when the journey reports them as warnings instead of problems */
  cspStyleViolations: string[];
  newPage(viewport: { width: number; height: number }, who: string): Promise<{ context: BrowserContext; page: Page }>;
  /**
   * Waits for the accessibility checks still running (the last page a journey opened is checked
   * when it has loaded) and returns `problems`: assert on this at the end of a journey.
   */
  settledProblems(): Promise<string[]>;
  shot(page: Page, name: string): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * A real headless Chromium against the app on 127.0.0.1: each page records page errors,
 * console errors, HTTP ≥ 400 responses (other than favicons and the expected ones) and the
 * serious or critical accessibility findings of axe-core on every document it shows (see
 * accessibility.ts) as problems; screenshots go to test-results/<prefix>-<name>.png. Fails
 * clearly without Chromium.
 */
export async function openBrowser(
  app: Express,
  options: { purpose: string; shotPrefix: string; expected?: ExpectedError[]; cspStyleAsWarning?: boolean },
): Promise<BrowserHarness> {
  const executablePath = locateChromium(thisSystem());
  if (!executablePath) {
    throw new Error(`Chromium not found (CHROMIUM_PATH unset, nothing at ${CHROMIUM_CANDIDATES.join(' or ')}): ${options.purpose} needs it; run \`npm run setup:chromium\` (installs it as root with apt-get) or set CHROMIUM_PATH.`);
  }
  mkdirSync(SHOTS_DIR, { recursive: true });
  const server = await listenLocally(app);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  const problems: string[] = [];
  const cspStyleViolations: string[] = [];
  const contexts: BrowserContext[] = [];
  const expected = options.expected ?? [];
  const pending = new Set<Promise<void>>();

  return {
    base,
    browser,
    problems,
    cspStyleViolations,
    async newPage(viewport, who) {
      const context = await browser.newContext({ viewport, baseURL: base, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (err) => problems.push(`[${who}] page error: ${err.message}`));
      page.on('console', (msg) => {
        const where = msg.location().url ?? '';
        if (msg.type() !== 'error' || /favicon/i.test(msg.text() + where)) return;
        // Chromium logs every error status as "Failed to load resource"; the ones provoked on purpose are fine
        const failed = /Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
        if (failed && where && expected.some((e) => e.status === Number(failed[1]) && e.url(new URL(where)))) return;
        const line = `[${who}] console error on ${page.url()}: ${msg.text()}`;
        if (options.cspStyleAsWarning && msg.text().startsWith('Applying inline style violates')) cspStyleViolations.push(line);
        else problems.push(line);
      });
      await watchAccessibility(
        page,
        who,
        (line) => {
          if (!problems.includes(line)) problems.push(line);
        },
        (check) => {
          pending.add(check);
          void check.finally(() => pending.delete(check));
        },
      );
      page.on('response', (res) => {
        if (res.status() < 400 || res.url().endsWith('/favicon.ico')) return;
        const hit = expected.find((e) => e.status === res.status() && e.url(new URL(res.url())));
        if (hit) hit.seen += 1;
        else problems.push(`[${who}] HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
      });
      return { context, page };
    },
    async settledProblems() {
      while (pending.size) await Promise.all([...pending]);
      return problems;
    },
    shot: (page, name) => page.screenshot({ path: path.join(SHOTS_DIR, `${options.shotPrefix}-${name}.png`), fullPage: true }),
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Logs a staff member in through the login form of their surface and waits to leave the login page. */
export async function staffLogin(page: Page, surface: 'partner' | 'admin', username: string, password: string): Promise<void> {
  await page.goto(`/${surface}/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('main form button[type=submit]').click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
}
