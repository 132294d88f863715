import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Finds the Chromium the browser suites drive (Debian's `chromium` package), and on a fresh
 * machine installs it: `npm test` runs `npm run setup:chromium` (test/support/ensure-chromium.ts)
 * before vitest, and test/support/browser.ts uses the same lookup.
 *
 * Order: `CHROMIUM_PATH` when set (it must then be an executable file: no silent fallback), else
 * /usr/bin/chromium, /usr/bin/chromium-browser. When Chromium or the Chinese font
 * (fonts-wqy-microhei, without which pages render as boxes) is missing and we are root with
 * apt-get, both are installed; otherwise a missing Chromium is one clear line, a missing font a
 * warning.
 */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'] as const;
export const CHROMIUM_PACKAGES = ['chromium', 'fonts-wqy-microhei'] as const;
export const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/** What the lookup needs from the machine; tests pass their own. */
export interface ChromiumSystem {
  env: { CHROMIUM_PATH?: string | undefined };
  isExecutable(file: string): boolean;
  exists(file: string): boolean;
  isRoot: boolean;
  /** apt-get's path, when there is one */
  aptGet: string | undefined;
  /** runs a command with inherited output; throws when it fails */
  run(command: string, args: string[]): void;
  log(line: string): void;
}

/** Chromium cannot be found here and cannot be installed from the test command: say how, in one line. */
export class ChromiumUnavailable extends Error {
  override name = 'ChromiumUnavailable';
}

/** The Chromium to use, or undefined; throws when CHROMIUM_PATH names something that is not an executable file. */
export function locateChromium(system: Pick<ChromiumSystem, 'env' | 'isExecutable'>): string | undefined {
  const chosen = system.env.CHROMIUM_PATH?.trim();
  if (chosen) {
    if (system.isExecutable(chosen)) return chosen;
    throw new ChromiumUnavailable(`CHROMIUM_PATH=${chosen} is not an executable file: point it at a Chromium binary, or unset it to use ${CHROMIUM_CANDIDATES[0]}.`);
  }
  return CHROMIUM_CANDIDATES.find((file) => system.isExecutable(file));
}

/** The Chromium to use, installing it (and the Chinese font) with apt-get when missing and possible. */
export function ensureChromium(system: ChromiumSystem): string {
  const found = locateChromium(system);
  const fontMissing = !system.exists(CJK_FONT);
  if (found && !fontMissing) return found;

  const missing = [...(found ? [] : ['chromium']), ...(fontMissing ? ['fonts-wqy-microhei'] : [])];
  const why = !system.aptGet ? 'there is no apt-get' : !system.isRoot ? 'we are not root' : undefined;
  if (why) {
    if (!found) {
      throw new ChromiumUnavailable(
        `Chromium not found (CHROMIUM_PATH unset, nothing at ${CHROMIUM_CANDIDATES.join(' or ')}) and it cannot be installed here because ${why}: ` +
          `install the packages ${CHROMIUM_PACKAGES.join(' and ')} (apt-get install ${CHROMIUM_PACKAGES.join(' ')}) or set CHROMIUM_PATH to a Chromium binary.`,
      );
    }
    system.log(`warning: ${CJK_FONT} is missing and cannot be installed here because ${why}; Chinese text in screenshots will show as boxes (apt-get install fonts-wqy-microhei).`);
    return found;
  }

  system.log(`Installing ${missing.join(' and ')} with apt-get for the browser tests…`);
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
    try {
      system.run(system.aptGet!, args);
    } catch (err) {
      throw new ChromiumUnavailable(`apt-get ${args.join(' ')} failed (${(err as Error).message.split('\n')[0]}): install ${missing.join(' and ')} by hand or set CHROMIUM_PATH.`);
    }
  }
  const installed = locateChromium(system);
  if (!installed) throw new ChromiumUnavailable(`apt-get installed chromium but there is still nothing at ${CHROMIUM_CANDIDATES.join(' or ')}: set CHROMIUM_PATH to the Chromium binary.`);
  return installed;
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** This machine. */
export function thisSystem(): ChromiumSystem {
  const searchPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return {
    env: process.env,
    isExecutable,
    exists: existsSync,
    isRoot: process.getuid?.() === 0,
    aptGet: searchPath.map((dir) => path.join(dir, 'apt-get')).find(isExecutable),
    run(command, args) {
      execFileSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    },
    log: (line) => console.log(line),
  };
}
