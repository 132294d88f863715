import type { ChannelListener } from '../adapters/postgres/channel-listener';
import type { TickerDefinition } from './job';

/** How often a listening ticker checks that its LISTEN is open (and opens it the first time). */
export const LISTEN_CHECK_MS = 1_000;

/** The ticker that keeps a LISTEN open: every `LISTEN_CHECK_MS` it calls `listen(signal)`, whose throw is the ticker's record. */
export function listenTicker(
  job: Pick<TickerDefinition, 'name' | 'title' | 'scope'>,
  listener: { listen(signal: AbortSignal): Promise<void> },
): TickerDefinition {
  return {
    kind: 'ticker',
    ...job,
    everyMs: LISTEN_CHECK_MS,
    tick: async ({ signal }) => {
      await listener.listen(signal);
      return { processed: 0 };
    },
  };
}

export interface WokenWork {
  /** opens the LISTEN whose notifications (sent at commit) wake the work */
  listen(onNotify: () => void): ChannelListener;
  /** the work itself; resolves with how much it did */
  run(): Promise<number>;
  /** the ticker's record while the LISTEN is not open, e.g. `未在等待提交通知（…），由兜底轮询计提` */
  notListening(problem: string): string;
  /** the record's words for a woken run that failed, e.g. `计提失败` */
  failed: string;
}

/**
 * Work that a commit wakes at once (a NOTIFY in its transaction, heard through LISTEN), kept open by
 * a ticker that calls `listen(signal)` every `LISTEN_CHECK_MS`, with a slower safety net (a poll
 * calling `wake()`, or a ticker of its own). Wake-ups coalesce: one run at a time in a process, and
 * a wake-up during it makes it go again when it ends (also after a failed run).
 */
export class WokenByCommit {
  private listener: ChannelListener | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private failure: string | null = null;
  private signal: AbortSignal | null = null;

  constructor(private readonly work: WokenWork) {}

  /**
   * Opens the listener unless it is open, for the scheduler run of `signal` (closed when it
   * aborts). Throws while it cannot listen (it reconnects by itself) or when a woken run failed
   * since the last call, so the ticker's record shows it.
   */
  async listen(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    if (this.signal !== signal) {
      this.signal = signal;
      signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    const listener = (this.listener ??= this.work.listen(() => this.nudge()));
    await listener.ready;
    if (signal.aborted) return;
    const failure = this.failure;
    this.failure = null;
    const problem = listener.problem();
    if (problem) throw new Error(this.work.notListening(problem));
    if (failure) throw new Error(failure);
  }

  /** Runs now, or has the running run go again; resolves with what that run did. */
  wake(): Promise<number> {
    if (this.signal?.aborted) return Promise.resolve(0);
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await this.work.run();
      } while (this.again && !this.signal?.aborted);
      return total;
    })().finally(() => {
      this.running = null;
      // a wake-up that came while a run failed is not lost
      if (this.again) this.nudge();
    });
    this.running = run;
    return run;
  }

  private nudge(): void {
    this.wake().catch((err: unknown) => void (this.failure = `${this.work.failed}：${err instanceof Error ? err.message : String(err)}`));
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    await listener?.close();
    await this.running?.catch(() => undefined);
  }
}
