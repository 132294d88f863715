import type { ChannelListener } from '../../adapters/postgres';
import type { ClaimedDelivery } from './webhooks.service';

/** What the dispatcher needs from the outbox (WebhooksService). */
export interface LeadOutbox {
  claimDue(limit: number): Promise<ClaimedDelivery[]>;
  attempt(delivery: ClaimedDelivery): Promise<boolean>;
  nextDueInMs(): Promise<number | null>;
  listenForCommits(onCommit: () => void): ChannelListener;
}

export interface LeadDispatcherOptions {
  /** deliveries in flight at once (default 8) */
  concurrency?: number;
  /** a retry due later than this is left to the safety poll instead of a timer (default 30 s) */
  retryTimerMaxMs?: number;
}

/**
 * Sends the lead outbox as soon as it fills. A commit that queued a delivery wakes the dispatcher
 * (LISTEN, `listen()`); so does a timer set to the next retry that falls due, and the safety poll
 * (`wake()` from the `webhooks-deliver` ticker). Wake-ups coalesce: one drain runs at a time, and a
 * wake-up during it makes that drain look again rather than start another. A drain claims due rows
 * (FOR UPDATE SKIP LOCKED, so two dispatchers never send one row) as slots free, keeps up to
 * `concurrency` deliveries in flight, and ends when nothing is due and nothing is in flight.
 * Deliveries have no order between them (as before: retries reorder them anyway).
 */
export class LeadDispatcher {
  private readonly concurrency: number;
  private readonly retryTimerMaxMs: number;
  private listener: ChannelListener | null = null;
  private draining: Promise<number> | null = null;
  /** a wake-up arrived since the running drain last claimed */
  private woken = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private timerGeneration = 0;
  /** the next retry may have moved (a delivery failed, the timer fired, the listener started): look it up after the drain */
  private retryPlanStale = true;
  /** the signal of the scheduler run the dispatcher works for; aborted = stopped */
  private signal: AbortSignal | null = null;
  private failure: string | null = null;

  constructor(
    private readonly outbox: LeadOutbox,
    options: LeadDispatcherOptions = {},
  ) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
    this.retryTimerMaxMs = options.retryTimerMaxMs ?? 30_000;
  }

  private get stopped(): boolean {
    return this.signal?.aborted ?? false;
  }

  /** Works for the scheduler run of `signal`: stops (listener closed, timers cleared) when it aborts. */
  private bind(signal: AbortSignal): void {
    if (this.signal === signal) return;
    this.signal = signal;
    signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /**
   * Opens the commit listener unless it is open, for the scheduler run of `signal`. Throws while it
   * cannot listen (it reconnects by itself) or when a delivery failed unexpectedly since the last
   * call, so the ticker's record shows it.
   */
  async listen(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.bind(signal);
    if (!this.listener) this.retryPlanStale = true;
    const listener = (this.listener ??= this.outbox.listenForCommits(() => this.nudge()));
    await listener.ready;
    if (this.stopped) return;
    const failure = this.failure;
    this.failure = null;
    const problem = listener.problem();
    if (problem) throw new Error(`未在等待提交通知（${problem}），由兜底轮询投递`);
    if (failure) throw new Error(failure);
  }

  /** The safety poll: drains (or joins the running drain) for the scheduler run of `signal`. */
  poll(signal: AbortSignal): Promise<number> {
    this.bind(signal);
    return this.wake();
  }

  /** Drains now, or makes the running drain look again. Resolves with the number of deliveries that drain attempted. */
  wake(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (this.draining) {
      this.woken = true;
      return this.draining;
    }
    const run = this.drain().finally(() => {
      this.draining = null;
      if (this.woken) this.nudge();
      else void this.armRetryTimer();
    });
    this.draining = run;
    return run;
  }

  /** A wake-up from a commit or a timer: nobody awaits it, so a failed drain is kept for the ticker to report. */
  private nudge(): void {
    this.wake().catch((err: unknown) => void (this.failure = `投递失败：${err instanceof Error ? err.message : String(err)}`));
  }

  private async drain(): Promise<number> {
    const inFlight = new Set<Promise<void>>();
    let attempted = 0;
    let more = true;
    try {
      for (;;) {
        const free = this.concurrency - inFlight.size;
        if (more && free > 0 && !this.stopped) {
          this.woken = false;
          const claimed = await this.outbox.claimDue(free);
          // a full claim may have left rows behind; a commit during the claim may not be in it
          more = claimed.length === free || this.woken;
          attempted += claimed.length;
          for (const delivery of claimed) {
            const sending: Promise<void> = this.outbox.attempt(delivery).then(
              (delivered) => {
                // a failure was given a later retry: the timer may have to move
                if (!delivered) this.retryPlanStale = true;
              },
              // the row keeps its lease and is sent again when the lease runs out
              (err: unknown) => void (this.failure = `投递记录未能保存：${err instanceof Error ? err.message : String(err)}`),
            );
            inFlight.add(sending);
            void sending.finally(() => inFlight.delete(sending));
          }
          continue;
        }
        if (inFlight.size === 0) return attempted;
        await Promise.race(inFlight);
        if (this.woken) more = true;
      }
    } finally {
      await Promise.allSettled([...inFlight]);
    }
  }

  /**
   * After a drain: a timer for the next retry that falls due before the safety poll would find it.
   * Looked up only when it may have moved; a drain that delivered everything it claimed leaves it.
   */
  private async armRetryTimer(): Promise<void> {
    if (!this.retryPlanStale) return;
    this.retryPlanStale = false;
    const generation = ++this.timerGeneration;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.stopped || !this.listener) return;
    const inMs = await this.outbox.nextDueInMs().catch(() => null);
    if (generation !== this.timerGeneration || this.stopped || inMs === null || inMs > this.retryTimerMaxMs) return;
    this.retryTimer = setTimeout(() => {
      this.retryPlanStale = true;
      this.nudge();
    }, Math.max(0, inMs));
    this.retryTimer.unref();
  }

  /** Closes the listener and clears the retry timer; a drain in flight finishes its deliveries. */
  async stop(): Promise<void> {
    this.timerGeneration++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const listener = this.listener;
    this.listener = null;
    await listener?.close();
    await this.draining?.catch(() => undefined);
  }
}
