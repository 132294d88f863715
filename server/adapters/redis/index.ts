import session from 'express-session';
import createMemoryStore from 'memorystore';
import type { Logger as RateLimitLogger, Store as RateLimitStore } from 'express-rate-limit';
import { ServiceUnavailableError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { MemoryCache, type Cache } from './cache';
import { MemoryLocks, type LockManager } from './lock';
import type { RedisClient } from './redis-state';

export type { Cache } from './cache';
export type { Lease, LockManager } from './lock';
export type { RedisClient } from './redis-state';
export { REDIS_TIMEOUTS } from './outage';

/** What each use of Redis tells a person when Redis cannot be reached. */
export const unavailableMessages = {
  sessions: '登录服务暂时不可用，请稍后再试（浏览产品不受影响）',
  'rate limits': '服务暂时不可用，请稍后再试',
  cache: '服务暂时不可用，请稍后再试',
  locks: '任务锁暂时不可用（Redis 无法连接），请稍后再试',
} as const;
export type SharedStateUse = keyof typeof unavailableMessages;

/** The same failure is logged at most this often per use while it lasts, not once per request. */
export const REPORT_EVERY_MS = 60_000;

/**
 * Shared state across app instances: sessions, rate-limit counters, cache and locks. With
 * REDIS_URL set these live in Redis; without it, in this process.
 *
 * While Redis is down the app keeps serving: the cache is a miss, rate limits let requests
 * through, and uses that cannot do without it (sessions, job locks) fail at once with a
 * `ServiceUnavailableError` (503). Each kind of failure is logged once per outage.
 */
export interface SharedState {
  mode: 'redis' | 'memory';
  client?: RedisClient;
  sessionStore: session.Store;
  rateLimitStore(prefix: string): RateLimitStore | undefined;
  /** for express-rate-limit: its per-request "error from store" lines are left out (the outage is reported once here) */
  rateLimitLogger: RateLimitLogger;
  cache: Cache;
  locks: LockManager;
  /**
   * false while Redis cannot be reached (a command would fail at once), and for a few seconds after
   * a command timed out (a Redis that hangs is not asked again by every request); always true in process
   */
  available(): boolean;
  /** Turns a failed Redis call into a `ServiceUnavailableError` for `use`, logged once per outage (a NOSCRIPT reply is returned as is). */
  unavailable(use: SharedStateUse, err: unknown): Error;
  /** Calls `listener` each time Redis can be reached again after an outage (not at the first connection). */
  onRecover(listener: () => void): void;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface SharedStateOptions {
  logger?: Logger;
}

export async function connectSharedState(redisUrl: string | undefined, keyPrefix = 'dc:', options: SharedStateOptions = {}): Promise<SharedState> {
  const { logger } = options;
  const rateLimitLogger: RateLimitLogger = {
    warn: (err, message) => logger?.warn({ err }, message ?? 'express-rate-limit'),
    error: (err, message) => {
      if (err instanceof ServiceUnavailableError) return; // already reported by unavailable()
      logger?.error({ err }, message ?? 'express-rate-limit');
    },
  };
  if (!redisUrl) {
    const MemoryStore = createMemoryStore(session);
    const store = new MemoryStore({ checkPeriod: 10 * 60_000 });
    return {
      mode: 'memory',
      sessionStore: store,
      rateLimitStore: () => undefined, // express-rate-limit's own in-memory store
      rateLimitLogger,
      cache: new MemoryCache(),
      locks: new MemoryLocks(),
      available: () => true,
      unavailable: (_use, err) => (err instanceof Error ? err : new Error(String(err))),
      onRecover: () => {},
      ping: async () => {},
      close: async () => {
        (store as unknown as { stopInterval?: () => void }).stopInterval?.();
      },
    };
  }

  // the Redis client and its stores (~12 MB of RSS once imported) are loaded only when REDIS_URL is set
  return (await import('./redis-state')).connectRedisState(redisUrl, keyPrefix, logger, rateLimitLogger);
}
export { subscribeRedis, publishRedis, type RedisSubscription } from './pubsub';
