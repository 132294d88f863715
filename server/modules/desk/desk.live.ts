import { sql } from 'drizzle-orm';
import { listenOnChannel } from '../../adapters/postgres';
import { publishRedis, subscribeRedis, type SharedState } from '../../adapters/redis';
import type { Database } from '../../db/client';
import type { Logger } from '../../lib/logger';

/** What changed: a conversation (new message, assignment, closing) in a group's queue. */
export interface DeskSignal {
  conversationId: string;
  groupId: string;
}

/** Called with each signal, and with null when signals may have been missed (a reconnection): then everyone catches up. */
export type DeskListener = (signal: DeskSignal | null) => void;

/** How signals reach every instance: Redis pub/sub, or PostgreSQL NOTIFY (PGlite: in process). */
interface SignalTransport {
  publish(message: string): Promise<void>;
  subscribe(onMessage: (message?: string) => void): Promise<{ close(): Promise<void> }>;
}

const CHANNEL = 'desk_events';

export function deskTransport(db: Database, shared: SharedState, redisPrefix = 'dc:'): SignalTransport {
  const client = shared.client;
  if (shared.mode === 'redis' && client) {
    const channel = `${redisPrefix}${CHANNEL}`;
    return { publish: (m) => publishRedis(client, channel, m), subscribe: (on) => subscribeRedis(client, channel, on) };
  }
  return {
    publish: async (m) => {
      await db.execute(sql`select pg_notify(${CHANNEL}, ${m})`);
    },
    subscribe: async (on) => {
      const listener = listenOnChannel(db, CHANNEL, on);
      await listener.ready;
      return listener;
    },
  };
}

/**
 * The live side of the desk: after a change commits, `publish` sends a signal to every instance;
 * each instance hands it to its open streams (server-sent events) of that conversation and of
 * that group's queue, which then read what is new from the database. The instance subscribes
 * once, when its first stream opens.
 */
export class DeskLive {
  private readonly listeners = new Map<string, Set<DeskListener>>();
  private subscription: Promise<{ close(): Promise<void> }> | null = null;

  constructor(
    private readonly transport: SignalTransport,
    private readonly logger?: Logger,
  ) {}

  async publish(signal: DeskSignal): Promise<void> {
    try {
      await this.transport.publish(JSON.stringify(signal));
    } catch (err) {
      // the change has committed; a stream that missed it catches up on its next signal or reconnect
      this.logger?.warn({ err }, 'desk signal not sent');
    }
  }

  /** Listens to one conversation (`conversation:<id>`) or one group's queue (`group:<id>`); returns the way to stop. */
  async listen(key: `conversation:${string}` | `group:${string}`, listener: DeskListener): Promise<() => void> {
    this.subscription ??= this.transport.subscribe((message) => this.deliver(message));
    await this.subscription;
    const set = this.listeners.get(key) ?? new Set();
    set.add(listener);
    this.listeners.set(key, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  private deliver(message?: string): void {
    if (!message) {
      for (const set of this.listeners.values()) for (const l of set) l(null);
      return;
    }
    let signal: DeskSignal;
    try {
      signal = JSON.parse(message) as DeskSignal;
    } catch {
      return;
    }
    for (const key of [`conversation:${signal.conversationId}`, `group:${signal.groupId}`]) for (const l of this.listeners.get(key) ?? []) l(signal);
  }

  async close(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    this.listeners.clear();
    await (await subscription?.catch(() => null))?.close();
  }
}
