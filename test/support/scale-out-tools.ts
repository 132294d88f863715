import path from 'node:path';
import type { ChromiumSystem } from './chromium';

/**
 * The programs the scale-out suite (test/scale-out) and `npm run scale-out` start, each from its
 * Debian package: pgbouncer in front of PostgreSQL, haproxy in front of the web instances, a
 * redis-server of their own. `npm test` runs `npm run setup:scale-out` (ensure-scale-out-tools.ts)
 * after setup:chromium: missing ones are installed with apt-get when we are root, else one line
 * says which to install. The suite runs only against a PostgreSQL server (TEST_DATABASE_URL), so
 * without one nothing is needed.
 */
export const SCALE_OUT_TOOLS = [
  { program: 'pgbouncer', pkg: 'pgbouncer' },
  { program: 'haproxy', pkg: 'haproxy' },
  { program: 'redis-server', pkg: 'redis-server' },
] as const;

/** Debian puts pgbouncer and haproxy in /usr/sbin, which a non-login PATH may lack. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

export class ScaleOutToolsUnavailable extends Error {
  override name = 'ScaleOutToolsUnavailable';
}

/** What the lookup needs: the machine as test/support/chromium.ts describes it, and the search path. */
export type ToolsSystem = Pick<ChromiumSystem, 'isExecutable' | 'isRoot' | 'aptGet' | 'run' | 'log'> & { searchPath: string[] };

export function locateProgram(system: Pick<ToolsSystem, 'isExecutable' | 'searchPath'>, program: string): string | undefined {
  return [...new Set([...system.searchPath, ...EXTRA_DIRS])].map((dir) => path.join(dir, program)).find((file) => system.isExecutable(file));
}

/** The path of each tool, installing the missing ones with apt-get when possible; otherwise one clear error. */
export function ensureScaleOutTools(system: ToolsSystem): Record<string, string> {
  const found = () => Object.fromEntries(SCALE_OUT_TOOLS.map((t) => [t.program, locateProgram(system, t.program)]));
  const missing = SCALE_OUT_TOOLS.filter((t) => !found()[t.program]).map((t) => t.pkg);
  if (missing.length) {
    const why = !system.aptGet ? 'there is no apt-get' : !system.isRoot ? 'we are not root' : undefined;
    if (why) {
      throw new ScaleOutToolsUnavailable(
        `The scale-out suite needs ${missing.join(', ')} and they cannot be installed here because ${why}: apt-get install ${missing.join(' ')} (or unset TEST_DATABASE_URL, which skips the PostgreSQL suites).`,
      );
    }
    system.log(`Installing ${missing.join(', ')} with apt-get for the scale-out suite…`);
    for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
      try {
        system.run(system.aptGet!, args);
      } catch (err) {
        throw new ScaleOutToolsUnavailable(`apt-get ${args.join(' ')} failed (${(err as Error).message.split('\n')[0]}): install ${missing.join(' ')} by hand.`);
      }
    }
  }
  const paths = found();
  const still = SCALE_OUT_TOOLS.filter((t) => !paths[t.program]).map((t) => t.program);
  if (still.length) throw new ScaleOutToolsUnavailable(`apt-get ran but ${still.join(', ')} still cannot be found in ${EXTRA_DIRS.join(', ')} or PATH.`);
  return paths as Record<string, string>;
}
