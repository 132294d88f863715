import type { ChannelListener } from '../../adapters/postgres';
import { WokenByCommit } from '../../jobs/woken-by-commit';

/** What the drainer needs from settlement. */
export interface CommissionOutbox {
  /** accrues queued events until none is left (skipping those another drain holds); how many */
  drainAccruals(): Promise<number>;
  listenForQueuedAccruals(onCommit: () => void): ChannelListener;
}

/**
 * Accrues the commission outbox as soon as it fills: a commit that queued events wakes it
 * (LISTEN, `listen()`), and so does the safety poll (`wake()` from the `commissions-accrue`
 * ticker). One drain runs at a time in a process; drains of several workers share the rows
 * (FOR UPDATE SKIP LOCKED).
 */
export class CommissionDrainer extends WokenByCommit {
  constructor(outbox: CommissionOutbox) {
    super({
      listen: (onCommit) => outbox.listenForQueuedAccruals(onCommit),
      run: () => outbox.drainAccruals(),
      notListening: (problem) => `未在等待提交通知（${problem}），由兜底轮询计提`,
      failed: '计提失败',
    });
  }
}
