import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resident set size of a process in MB (from /proc), or undefined once it is gone. */
export function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A child process of the stack (pgbouncer, haproxy, an app instance), its output kept (the last
 * 64 KB) for the error message when it dies or never gets ready.
 */
export class Service {
  child: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  start(): void {
    this.output = '';
    const child = spawn(this.command, this.args, { cwd: this.options.cwd, env: this.options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-65_536);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('error', (err) => keep(Buffer.from(`\n${this.name}: ${err.message}\n`)));
    this.child = child;
  }

  /** Waits until `ready()` is true, failing with the process's output if it exits or takes longer than `timeoutMs`. */
  async waitReady(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.pid) throw new Error(`${this.name} exited (${this.child?.exitCode ?? this.child?.signalCode}) before it was ready:\n${this.tail()}`);
      if (await ready().catch(() => false)) return;
      await sleep(250);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs / 1000} s:\n${this.tail()}`);
  }

  tail(lines = 30): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** SIGKILL, as a crash or the OOM killer would: no shutdown handler runs. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child || !this.pid) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.pid) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** True when `url` answers 200. */
export async function answers200(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.status === 200;
}
