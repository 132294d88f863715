import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

/**
 * The serving thread's CPU profile over one measured run (`--profile DIR` of the benches): started
 * here, written to DIR/<run>.cpuprofile by `stop` (open it in Chrome DevTools). Profiling slows
 * the run, so a profiled run's figures are not the bench's.
 */
export async function startProfile(dir: string | undefined): Promise<{ stop(label: string): Promise<string> } | undefined> {
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(label) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${label.replace(/[^\w]+/g, '-').replace(/^-|-$/g, '')}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
