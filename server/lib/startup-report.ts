import { performance } from 'node:perf_hooks';

/** One step of the start: when it ended (ms since the process started) and the memory then (bytes). */
export interface StartupMark {
  phase: string;
  atMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** memory of C++ objects bound to the serving thread's JavaScript (PGlite's WebAssembly memory is its own thread's: only in rss) */
  external: number;
  arrayBuffers: number;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round(bytes / MB);

/**
 * Where the time and the memory of a start go, step by step (server/main.ts, server/serve.ts and
 * createContainer mark the steps). The marks cost a `process.memoryUsage()` each, so they are always taken;
 * `npm start -- --report-memory` prints them (scripts/bench/startup.ts reads that line).
 */
export class StartupReport {
  readonly marks: StartupMark[] = [];

  mark(phase: string): StartupMark {
    const m = process.memoryUsage();
    const mark = { phase, atMs: Math.round(performance.now()), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
    this.marks.push(mark);
    return mark;
  }

  /** One line per step: time, RSS and what it added, heap, external; for people. */
  table(): string {
    let previous = 0;
    const rows = this.marks.map((m) => {
      const added = m.rss - previous;
      previous = m.rss;
      return `  ${m.phase.padEnd(22)} ${String(m.atMs).padStart(6)} ms  rss ${String(mb(m.rss)).padStart(4)} MB (${added >= 0 ? '+' : ''}${mb(added)})  heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB  external ${mb(m.external)} MB  arrayBuffers ${mb(m.arrayBuffers)} MB`;
    });
    return ['start and memory (ms since the process started; MB):', ...rows].join('\n');
  }

  /** The same marks as one JSON line prefixed `startup-report `, for scripts. */
  jsonLine(): string {
    return `startup-report ${JSON.stringify(this.marks)}`;
  }
}
