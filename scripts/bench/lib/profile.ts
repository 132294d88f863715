import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

/**
 * The serving thread's CPU profile over one measured run (`--profile DIR` of the benches), and a
 * sample of what it allocated: started here, written to DIR/<run>.cpuprofile and
 * DIR/<run>.heapprofile by `stop` (open them in Chrome DevTools). Profiling slows the run, so a
 * profiled run's figures are not the bench's.
 */
export async function startProfile(dir: string | undefined): Promise<{ stop(label: string): Promise<string> } | undefined> {
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await session.post('HeapProfiler.enable');
  // every allocation sampled, also those the collector has freed since: what a run allocates, not what it keeps
  await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop(label) {
      const { profile } = await session.post('Profiler.stop');
      const { profile: allocations } = await session.post('HeapProfiler.stopSampling');
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${label.replace(/[^\w]+/g, '-').replace(/^-|-$/g, '')}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      writeFileSync(file.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(allocations));
      return file;
    },
  };
}
