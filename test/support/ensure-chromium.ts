/**
 * `npm run setup:chromium` (run by `npm test` before vitest): finds the Chromium the browser
 * suites need, installing chromium and fonts-wqy-microhei with apt-get when they are missing and
 * we are root; otherwise fails with one line saying what to do. See test/support/chromium.ts.
 */
import { ChromiumUnavailable, ensureChromium, thisSystem } from './chromium';

try {
  console.log(`Chromium for the browser tests: ${ensureChromium(thisSystem())}`);
} catch (err) {
  if (!(err instanceof ChromiumUnavailable)) throw err;
  console.error(err.message);
  process.exit(1);
}
