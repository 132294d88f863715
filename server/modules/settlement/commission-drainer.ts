import type { ChannelListener } from '../../adapters/postgres';

/** What the drainer needs from settlement. */
export interface CommissionOutbox {
  /** accrues queued events until none is left (skipping those another drain holds); how many */
  drainAccruals(): Promise<number>;
  listenForQueuedAccruals(onCommit: () => void): ChannelListener;
}

/**
 * Accrues the commission outbox as soon as it fills: a commit that queued events wakes it
 * (LISTEN, `listen()`), and so does the safety poll (`poll()` from the `commissions-accrue`
 * ticker). Wake-ups coalesce: one drain runs at a time in a process, and a wake-up during it makes
 * it drain again when it ends. Drains of several workers share the rows (FOR UPDATE SKIP LOCKED).
 */
export class CommissionDrainer {
  private listener: ChannelListener | null = null;
  private draining: Promise<number> | null = null;
  private again = false;
  private failure: string | null = null;
  private signal: AbortSignal | null = null;

  constructor(private readonly outbox: CommissionOutbox) {}

  /**
   * Opens the commit listener unless it is open, for the scheduler run of `signal` (closed when it
   * aborts). Throws while it cannot listen, or when a drain woken by a commit failed since the last
   * call, so the ticker's record shows it.
   */
  async listen(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    if (this.signal !== signal) {
      this.signal = signal;
      signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    const listener = (this.listener ??= this.outbox.listenForQueuedAccruals(() => this.nudge()));
    await listener.ready;
    const failure = this.failure;
    this.failure = null;
    const problem = listener.problem();
    if (problem) throw new Error(`未在等待提交通知（${problem}），由兜底轮询计提`);
    if (failure) throw new Error(failure);
  }

  /** Drains now, or has the running drain go again; resolves with what that drain accrued. */
  poll(): Promise<number> {
    if (this.signal?.aborted) return Promise.resolve(0);
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    const run = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await this.outbox.drainAccruals();
      } while (this.again && !this.signal?.aborted);
      return total;
    })().finally(() => (this.draining = null));
    this.draining = run;
    return run;
  }

  private nudge(): void {
    this.poll().catch((err: unknown) => void (this.failure = `计提失败：${err instanceof Error ? err.message : String(err)}`));
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    await listener?.close();
    await this.draining?.catch(() => undefined);
  }
}
