import { describe, expect, it } from 'vitest';
import { ScaleOutToolsUnavailable, ensureScaleOutTools, type ToolsSystem } from './scale-out-tools';

/** A machine described by its executables; apt-get "installs" a package by adding its program to /usr/sbin. */
function machine(options: { executables?: string[]; isRoot?: boolean; aptGet?: string | undefined; aptFails?: boolean; searchPath?: string[] }) {
  const executables = new Set(options.executables ?? []);
  const commands: string[] = [];
  const system: ToolsSystem = {
    isExecutable: (f) => executables.has(f),
    isRoot: options.isRoot ?? false,
    aptGet: 'aptGet' in options ? options.aptGet : '/usr/bin/apt-get',
    searchPath: options.searchPath ?? ['/usr/bin', '/bin'],
    run(command, args) {
      commands.push([command, ...args].join(' '));
      if (options.aptFails) throw new Error('Command failed: exit code 100\nE: Unable to locate package haproxy');
      if (args[0] === 'install') for (const pkg of args.slice(3)) executables.add(`/usr/sbin/${pkg}`);
    },
    log: () => undefined,
  };
  return { system, commands };
}

const all = ['/usr/sbin/pgbouncer', '/usr/sbin/haproxy', '/usr/bin/redis-server'];

describe('the scale-out suite’s programs', () => {
  it('finds them in /usr/sbin even when PATH lacks it, and installs nothing', () => {
    const { system, commands } = machine({ executables: all });
    expect(ensureScaleOutTools(system)).toEqual({ pgbouncer: '/usr/sbin/pgbouncer', haproxy: '/usr/sbin/haproxy', 'redis-server': '/usr/bin/redis-server' });
    expect(commands).toEqual([]);
  });

  it('prefers a program found on PATH', () => {
    const { system } = machine({ executables: [...all, '/opt/haproxy/bin/haproxy'], searchPath: ['/opt/haproxy/bin', '/usr/bin'] });
    expect(ensureScaleOutTools(system).haproxy).toBe('/opt/haproxy/bin/haproxy');
  });

  it('installs only the missing packages with apt-get as root', () => {
    const { system, commands } = machine({ executables: ['/usr/bin/redis-server'], isRoot: true });
    expect(ensureScaleOutTools(system).pgbouncer).toBe('/usr/sbin/pgbouncer');
    expect(commands).toEqual(['/usr/bin/apt-get update -qq', '/usr/bin/apt-get install -y -qq pgbouncer haproxy']);
  });

  it('says in one line what to install when it cannot (not root)', () => {
    const { system, commands } = machine({ executables: ['/usr/bin/redis-server'] });
    expect(() => ensureScaleOutTools(system)).toThrow(
      new ScaleOutToolsUnavailable(
        'The scale-out suite needs pgbouncer, haproxy and they cannot be installed here because we are not root: apt-get install pgbouncer haproxy (or unset TEST_DATABASE_URL, which skips the PostgreSQL suites).',
      ),
    );
    expect(commands).toEqual([]);
  });

  it('reports a failing apt-get with its first line', () => {
    const { system } = machine({ isRoot: true, aptFails: true });
    expect(() => ensureScaleOutTools(system)).toThrow('apt-get update -qq failed (Command failed: exit code 100): install pgbouncer haproxy redis-server by hand.');
  });
});
