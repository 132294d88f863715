/**
 * `npm run setup:scale-out` (run by `npm test` after setup:chromium): finds pgbouncer, haproxy and
 * redis-server for the scale-out suite, installing the missing ones with apt-get when we are root;
 * otherwise fails with one line saying what to do. Without TEST_DATABASE_URL the suite skips and
 * nothing is needed. See test/support/scale-out-tools.ts.
 */
import path from 'node:path';
import { thisSystem } from './chromium';
import { ScaleOutToolsUnavailable, ensureScaleOutTools } from './scale-out-tools';

if (!process.env.TEST_DATABASE_URL) {
  console.log('Scale-out tools: not needed (TEST_DATABASE_URL unset: the scale-out suite skips)');
} else {
  try {
    const found = ensureScaleOutTools({ ...thisSystem(), searchPath: (process.env.PATH ?? '').split(path.delimiter).filter(Boolean) });
    console.log(`Scale-out tools: ${Object.values(found).join(', ')}`);
  } catch (err) {
    if (!(err instanceof ScaleOutToolsUnavailable)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
