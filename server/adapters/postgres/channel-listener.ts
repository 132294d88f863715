import type pg from 'pg';
import type { Database } from '../../db/client';

/**
 * LISTEN on a PostgreSQL channel, on either driver. A NOTIFY sent inside a transaction is
 * delivered only when that transaction commits (never after a rollback), so a listener hears of
 * commits, not of attempts.
 */

/** An open LISTEN on one channel. */
export interface ChannelListener {
  /** settles once the first attempt to listen has succeeded or failed */
  readonly ready: Promise<void>;
  /** null while listening; otherwise why not (connecting, or the error it is reconnecting after) */
  problem(): string | null;
  close(): Promise<void>;
}

export interface ChannelListenerOptions {
  /** first pause before reconnecting after an error; doubles up to `maxBackoffMs` (default 250 ms) */
  initialBackoffMs?: number;
  /** default 30 s */
  maxBackoffMs?: number;
}

type PgliteClient = { listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>> };

/** Called with each notification's payload, and with none each time the listen (re)starts. */
export type OnNotify = (payload?: string) => void;

/**
 * LISTENs on `channel` and calls `onNotify` for every notification (with its payload), and once
 * without one each time the listen (re)starts (notifications sent while nobody listened are lost:
 * the caller catches up then).
 * On PostgreSQL: a dedicated connection outside the pool (a pooled client would be returned to the
 * pool and its LISTEN with it), reconnected with backoff after an error. On PGlite: its in-process
 * `listen()`.
 */
export function listenOnChannel(db: Database, channel: string, onNotify: OnNotify, options: ChannelListenerOptions = {}): ChannelListener {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`channel "${channel}" must be a plain lower-case identifier`);
  const client = (db as unknown as { $client?: unknown }).$client;
  if (isPgPool(client)) return new PgChannelListener(client, channel, onNotify, options);
  if (client && typeof (client as PgliteClient).listen === 'function') return new PgliteChannelListener(client as PgliteClient, channel, onNotify);
  throw new Error('this database driver cannot LISTEN');
}

class PgliteChannelListener implements ChannelListener {
  private unlisten: Promise<(() => Promise<void>) | null>;
  private failure: string | null = '正在连接';
  readonly ready: Promise<void>;

  constructor(client: PgliteClient, channel: string, onNotify: OnNotify) {
    this.unlisten = client.listen(channel, (payload) => onNotify(payload)).then(
      (unlisten) => {
        this.failure = null;
        onNotify();
        return unlisten;
      },
      (err: unknown) => {
        this.failure = errorText(err);
        return null;
      },
    );
    this.ready = this.unlisten.then(() => undefined);
  }

  problem(): string | null {
    return this.failure;
  }

  async close(): Promise<void> {
    const unlisten = await this.unlisten;
    this.failure = '已关闭';
    // the database may be closed already (shutdown order): nothing left to stop then
    await unlisten?.().catch(() => undefined);
  }
}

class PgChannelListener implements ChannelListener {
  private current: pg.Client | null = null;
  private failure: string | null = '正在连接';
  private closed = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  readonly ready: Promise<void>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    private readonly onNotify: OnNotify,
    options: ChannelListenerOptions,
  ) {
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.backoffMs = this.initialBackoffMs;
    this.ready = this.connect();
  }

  problem(): string | null {
    return this.failure;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    // the pool's own settings (connection string, TLS, timeouts), for one connection of its own;
    // the driver is imported here, not at the top, so the embedded default (PGlite) never loads it
    const { default: driver } = await import('pg');
    const client = new driver.Client((this.pool as unknown as { options: pg.ClientConfig }).options);
    this.current = client;
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.onNotify(message.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('连接已断开')));
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.current !== client) return;
    this.failure = null;
    this.backoffMs = this.initialBackoffMs;
    this.onNotify();
  }

  private lost(client: pg.Client, err: unknown): void {
    if (this.current !== client) return;
    this.current = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.failure = errorText(err);
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    this.reconnectTimer = setTimeout(() => void this.connect(), wait);
    this.reconnectTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failure = '已关闭';
    clearTimeout(this.reconnectTimer);
    const client = this.current;
    this.current = null;
    await client?.end().catch(() => undefined);
  }
}

/** node-postgres' pool, told apart without importing the driver (see connect) */
function isPgPool(client: unknown): client is pg.Pool {
  const candidate = client as { totalCount?: unknown; connect?: unknown; options?: unknown } | null;
  return !!candidate && typeof candidate.totalCount === 'number' && typeof candidate.connect === 'function' && typeof candidate.options === 'object';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}
