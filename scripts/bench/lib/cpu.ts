import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU time in ms, from /proc (Linux; undefined elsewhere). Per request it says what a run costs
 * whatever else the machine is doing: on a loaded machine requests/s say more about the load.
 */
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

/** utime + stime of one /proc stat line, in ms */
function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS; // utime + stime (14th and 15th)
}

/** One thread of this process, by its Linux thread id (a worker thread reports its own, as scripts/bench/cannon-worker.mjs does). */
export function threadCpuMs(tid: number | string): number | undefined {
  try {
    return statCpuMs(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The main thread of this process: the one serving the requests (autocannon runs in a worker thread). */
export function mainThreadCpuMs(): number | undefined {
  return threadCpuMs(process.pid);
}

/**
 * Every process of this machine named `postgres` (the server and its backends), when the
 * PostgreSQL server runs here; undefined without /proc or without such a process. A backend that
 * exits between two readings takes its time with it: read around runs on a pool that stays open.
 */
export function postgresCpuMs(): number | undefined {
  let total = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      total += statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      found = true;
    } catch {
      // gone between the listing and the read
    }
  }
  return found ? total : undefined;
}

/** CPU ms per answer between two readings; NaN when either reading is missing or nothing was answered. */
export function cpuPerAnswer(before: number | undefined, after: number | undefined, answers: number): number {
  return before !== undefined && after !== undefined && answers > 0 ? (after - before) / answers : NaN;
}
