import { RedisStore } from 'connect-redis';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import { RedisStore as RateLimitRedisStore, type RedisReply } from 'rate-limit-redis';
import type { Store as RateLimitStore } from 'express-rate-limit';
import { createClient } from 'redis';
import { MemoryCache, RedisCache, type Cache } from './cache';
import { MemoryLocks, RedisLocks, type LockManager } from './lock';

export type { Cache } from './cache';
export type { Lease, LockManager } from './lock';

function newClient(url: string) {
  return createClient({ url });
}
export type RedisClient = ReturnType<typeof newClient>;

/**
 * Shared state across app instances: sessions, rate-limit counters (and later cache and
 * locks). With REDIS_URL set these live in Redis; without it, in this process.
 */
export interface SharedState {
  mode: 'redis' | 'memory';
  client?: RedisClient;
  sessionStore: session.Store;
  rateLimitStore(prefix: string): RateLimitStore | undefined;
  cache: Cache;
  locks: LockManager;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function connectSharedState(redisUrl: string | undefined, keyPrefix = 'dc:'): Promise<SharedState> {
  if (!redisUrl) {
    const MemoryStore = createMemoryStore(session);
    const store = new MemoryStore({ checkPeriod: 10 * 60_000 });
    return {
      mode: 'memory',
      sessionStore: store,
      rateLimitStore: () => undefined, // express-rate-limit's own in-memory store
      cache: new MemoryCache(),
      locks: new MemoryLocks(),
      ping: async () => {},
      close: async () => {
        (store as unknown as { stopInterval?: () => void }).stopInterval?.();
      },
    };
  }
  const client = newClient(redisUrl);
  client.on('error', () => {
    /* reconnects on its own; /readyz reports it */
  });
  await client.connect();
  return {
    mode: 'redis',
    client,
    sessionStore: new RedisStore({ client: client as never, prefix: `${keyPrefix}sess:` }),
    rateLimitStore: (prefix) =>
      new RateLimitRedisStore({
        prefix: `${keyPrefix}rl:${prefix}:`,
        sendCommand: (...args: string[]) => client.sendCommand(args) as Promise<RedisReply>,
      }),
    cache: new RedisCache(client, keyPrefix),
    locks: new RedisLocks(client, keyPrefix),
    ping: async () => {
      const pong = await client.ping();
      if (pong !== 'PONG') throw new Error(`unexpected reply ${pong}`);
    },
    close: async () => {
      await client.quit().catch(() => undefined);
    },
  };
}
