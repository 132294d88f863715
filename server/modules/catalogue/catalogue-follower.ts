import type { ChannelListener } from '../../adapters/postgres/channel-listener';

/** What the follower needs of the catalogue (CatalogueService). */
export interface FollowedCatalogue {
  syncIfChanged(): Promise<boolean>;
  listenForChanges(onChange: () => void): ChannelListener;
}

/**
 * Keeps this instance's catalogue read model in step with the database as soon as another
 * instance commits a product or institution change: the `catalogue_changed` NOTIFY (a trigger on
 * both tables, delivered at commit) wakes it, and so does every (re)start of the listen, which may
 * have missed some. Wake-ups coalesce: one sync runs at a time, and a change during it makes it
 * look again. The `catalogue-sync` ticker stays as the safety net.
 */
export class CatalogueFollower {
  private listener: ChannelListener | null = null;
  private syncing: Promise<void> | null = null;
  private again = false;
  private failure: string | null = null;
  private signal: AbortSignal | null = null;

  constructor(private readonly catalogue: FollowedCatalogue) {}

  /**
   * Opens the listener unless it is open, for the scheduler run of `signal` (closed when it
   * aborts). Throws while it cannot listen (it reconnects by itself) or when a sync failed since
   * the last call, so the ticker's record shows it.
   */
  async follow(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    if (this.signal !== signal) {
      this.signal = signal;
      signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    const listener = (this.listener ??= this.catalogue.listenForChanges(() => this.nudge()));
    await listener.ready;
    if (signal.aborted) return;
    const failure = this.failure;
    this.failure = null;
    const problem = listener.problem();
    if (problem) throw new Error(`未在等待产品变更通知（${problem}），由每 30 秒的同步兜底`);
    if (failure) throw new Error(failure);
  }

  /** Syncs now, or makes the running sync look again. */
  nudge(): void {
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = this.syncUntilQuiet().finally(() => (this.syncing = null));
  }

  private async syncUntilQuiet(): Promise<void> {
    do {
      this.again = false;
      if (this.signal?.aborted) return;
      try {
        await this.catalogue.syncIfChanged();
      } catch (err) {
        this.failure = `同步产品变更失败：${err instanceof Error ? err.message : String(err)}`;
      }
    } while (this.again);
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    await listener?.close();
    await this.syncing;
  }
}
