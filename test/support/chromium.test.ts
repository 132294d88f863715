import { describe, expect, it } from 'vitest';
import { CJK_FONT, ChromiumUnavailable, ensureChromium, locateChromium, type ChromiumSystem } from './chromium';

/** A machine described by its files: which are executable, which exist; apt-get "installs" by adding files. */
function machine(options: { executables?: string[]; files?: string[]; env?: { CHROMIUM_PATH?: string }; isRoot?: boolean; aptGet?: string | undefined; aptFails?: boolean; aptInstallsTo?: string }) {
  const executables = new Set(options.executables ?? []);
  const files = new Set([...(options.files ?? []), ...executables]);
  const commands: string[] = [];
  const logs: string[] = [];
  const system: ChromiumSystem = {
    env: options.env ?? {},
    isExecutable: (f) => executables.has(f),
    exists: (f) => files.has(f),
    isRoot: options.isRoot ?? false,
    aptGet: 'aptGet' in options ? options.aptGet : '/usr/bin/apt-get',
    run(command, args) {
      commands.push([command, ...args].join(' '));
      if (options.aptFails) throw new Error('Command failed: exit code 100\nE: Could not get lock /var/lib/apt/lists/lock');
      if (args[0] === 'install') {
        if (args.includes('chromium')) executables.add(options.aptInstallsTo ?? '/usr/bin/chromium');
        if (args.includes('fonts-wqy-microhei')) files.add(CJK_FONT);
      }
    },
    log: (line) => logs.push(line),
  };
  return { system, commands, logs };
}

const failure = (fn: () => unknown): ChromiumUnavailable => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ChromiumUnavailable);
    return err as ChromiumUnavailable;
  }
  throw new Error('expected a ChromiumUnavailable');
};

describe('locating Chromium for the browser tests', () => {
  it('uses CHROMIUM_PATH when it is set and executable, before the Debian path', () => {
    const { system } = machine({ executables: ['/opt/chrome/chrome', '/usr/bin/chromium'], env: { CHROMIUM_PATH: '/opt/chrome/chrome' } });
    expect(locateChromium(system)).toBe('/opt/chrome/chrome');
  });

  it('refuses a CHROMIUM_PATH that is not an executable file instead of silently using another browser', () => {
    const { system } = machine({ executables: ['/usr/bin/chromium'], env: { CHROMIUM_PATH: '/opt/nothing' } });
    expect(failure(() => locateChromium(system)).message).toBe('CHROMIUM_PATH=/opt/nothing is not an executable file: point it at a Chromium binary, or unset it to use /usr/bin/chromium.');
  });

  it("finds Debian's /usr/bin/chromium, then /usr/bin/chromium-browser, else nothing", () => {
    expect(locateChromium(machine({ executables: ['/usr/bin/chromium', '/usr/bin/chromium-browser'] }).system)).toBe('/usr/bin/chromium');
    expect(locateChromium(machine({ executables: ['/usr/bin/chromium-browser'] }).system)).toBe('/usr/bin/chromium-browser');
    expect(locateChromium(machine({ files: ['/usr/bin/chromium'] }).system)).toBeUndefined();
  });

  it('installs nothing when Chromium and the Chinese font are there', () => {
    const { system, commands, logs } = machine({ executables: ['/usr/bin/chromium'], files: [CJK_FONT], isRoot: true });
    expect(ensureChromium(system)).toBe('/usr/bin/chromium');
    expect(commands).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('on a fresh machine, as root with apt-get, installs chromium and fonts-wqy-microhei and returns the new binary', () => {
    const { system, commands } = machine({ isRoot: true });
    expect(ensureChromium(system)).toBe('/usr/bin/chromium');
    expect(commands).toEqual(['/usr/bin/apt-get update -qq', '/usr/bin/apt-get install -y -qq chromium fonts-wqy-microhei']);
  });

  it('installs only the font when Chromium is there but the font is not', () => {
    const { system, commands } = machine({ executables: ['/usr/bin/chromium'], isRoot: true });
    expect(ensureChromium(system)).toBe('/usr/bin/chromium');
    expect(commands).toEqual(['/usr/bin/apt-get update -qq', '/usr/bin/apt-get install -y -qq fonts-wqy-microhei']);
  });

  it('fails with one line saying what to do when not root', () => {
    const { system, commands } = machine({ isRoot: false });
    const message = failure(() => ensureChromium(system)).message;
    expect(message).toBe(
      'Chromium not found (CHROMIUM_PATH unset, nothing at /usr/bin/chromium or /usr/bin/chromium-browser) and it cannot be installed here because we are not root: ' +
        'install the packages chromium and fonts-wqy-microhei (apt-get install chromium fonts-wqy-microhei) or set CHROMIUM_PATH to a Chromium binary.',
    );
    expect(message).not.toContain('\n');
    expect(commands).toEqual([]);
  });

  it('fails with one line when there is no apt-get, even as root', () => {
    const { system, commands } = machine({ isRoot: true, aptGet: undefined });
    expect(failure(() => ensureChromium(system)).message).toContain('cannot be installed here because there is no apt-get');
    expect(commands).toEqual([]);
  });

  it('only warns about a missing font it cannot install: the tests still run', () => {
    const { system, logs } = machine({ executables: ['/usr/bin/chromium'], isRoot: false });
    expect(ensureChromium(system)).toBe('/usr/bin/chromium');
    expect(logs).toEqual([`warning: ${CJK_FONT} is missing and cannot be installed here because we are not root; Chinese text in screenshots will show as boxes (apt-get install fonts-wqy-microhei).`]);
  });

  it('turns a failed apt-get into one line', () => {
    const { system } = machine({ isRoot: true, aptFails: true });
    const message = failure(() => ensureChromium(system)).message;
    expect(message).toBe('apt-get update -qq failed (Command failed: exit code 100): install chromium and fonts-wqy-microhei by hand or set CHROMIUM_PATH.');
  });

  it('says so when apt-get installed chromium somewhere it does not look', () => {
    const { system } = machine({ isRoot: true, aptInstallsTo: '/usr/lib/chromium/chromium' });
    expect(failure(() => ensureChromium(system)).message).toBe(
      'apt-get installed chromium but there is still nothing at /usr/bin/chromium or /usr/bin/chromium-browser: set CHROMIUM_PATH to the Chromium binary.',
    );
  });
});
