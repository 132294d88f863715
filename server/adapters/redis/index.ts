import { RedisStore } from 'connect-redis';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import { RedisStore as RateLimitRedisStore, type RedisReply } from 'rate-limit-redis';
import type { Logger as RateLimitLogger, Store as RateLimitStore } from 'express-rate-limit';
import { createClient, ErrorReply, TimeoutError } from 'redis';
import { ServiceUnavailableError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { MemoryCache, RedisCache, type Cache } from './cache';
import { MemoryLocks, RedisLocks, type LockManager } from './lock';
import { bounded, notAnswering, REDIS_TIMEOUTS, RedisCallTimeout, type RedisUse } from './outage';

export type { Cache } from './cache';
export type { Lease, LockManager } from './lock';
export { REDIS_TIMEOUTS } from './outage';

function newClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: REDIS_TIMEOUTS.commandMs },
    socket: {
      connectTimeout: REDIS_TIMEOUTS.connectMs,
      // never gives up: 50 ms, 100 ms, … up to a second between attempts, with jitter so instances do not retry in step
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, REDIS_TIMEOUTS.maxReconnectDelayMs) + Math.floor(Math.random() * 100),
    },
  });
}
export type RedisClient = ReturnType<typeof newClient>;

/** What each use of Redis tells a person when Redis cannot be reached. */
const unavailableMessages = {
  sessions: '登录服务暂时不可用，请稍后再试（浏览产品不受影响）',
  'rate limits': '服务暂时不可用，请稍后再试',
  cache: '服务暂时不可用，请稍后再试',
  locks: '任务锁暂时不可用（Redis 无法连接），请稍后再试',
} as const;
export type SharedStateUse = keyof typeof unavailableMessages;

/** The same failure is logged at most this often per use while it lasts, not once per request. */
const REPORT_EVERY_MS = 60_000;

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

  const client = newClient(redisUrl);
  const reported = new Map<SharedStateUse, number>();
  const recoverListeners: (() => void)[] = [];
  let down = false;
  let connected = false;
  let pausedUntil = 0;
  const available = () => client.isReady && Date.now() >= pausedUntil;
  let waitingLogged = false;
  client.on('error', (err: unknown) => {
    // reconnects on its own (reconnectStrategy); this fires on every failed attempt, so say it once
    if (!connected) {
      if (!waitingLogged) logger?.warn({ err }, 'Redis not reachable at start-up: waiting for it (REDIS_URL)');
      waitingLogged = true;
      return;
    }
    if (down) return;
    down = true;
    logger?.warn({ err }, 'Redis unreachable: serving without it (cache misses, rate limits pass, sign-in answers 503), reconnecting in the background');
  });
  client.on('ready', () => {
    if (!connected) {
      connected = true;
      return;
    }
    reported.clear();
    if (!down) return;
    down = false;
    logger?.info('Redis reachable again');
    for (const listener of recoverListeners) listener();
  });

  const unavailable = (use: SharedStateUse, err: unknown): Error => {
    if (err instanceof ServiceUnavailableError) return err; // already translated (and reported)
    // a script Redis no longer has (it restarted): the caller loads it again; any other error reply (OOM, LOADING, READONLY…) is Redis unable to serve
    if (err instanceof ErrorReply && err.message.startsWith('NOSCRIPT')) return err;
    if (err instanceof RedisCallTimeout || err instanceof TimeoutError) pausedUntil = Date.now() + REDIS_TIMEOUTS.pauseAfterTimeoutMs;
    const last = reported.get(use);
    if (last === undefined || Date.now() - last >= REPORT_EVERY_MS) {
      reported.set(use, Date.now());
      logger?.warn({ err, use }, `Redis unavailable for ${use}`);
    }
    return new ServiceUnavailableError(unavailableMessages[use], { cause: err });
  };

  await client.connect();
  const use = (what: SharedStateUse): RedisUse => ({ available, unavailable: (err) => unavailable(what, err) });
  const cache = new RedisCache(client, keyPrefix, use('cache'));
  recoverListeners.push(() => void cache.replayInvalidations());
  return {
    mode: 'redis',
    client,
    sessionStore: new SessionStore({ client: client as never, prefix: `${keyPrefix}sess:` }, (err) => unavailable('sessions', err)),
    rateLimitStore: (prefix) =>
      new RateLimitRedisStore({
        prefix: `${keyPrefix}rl:${prefix}:`,
        sendCommand: async (...args: string[]) => {
          if (!available()) throw unavailable('rate limits', notAnswering());
          try {
            return (await bounded(client.sendCommand(args), REDIS_TIMEOUTS.commandMs)) as RedisReply;
          } catch (err) {
            throw unavailable('rate limits', err); // NOSCRIPT (a restarted Redis) stays as it is: the store loads its script again
          }
        },
      }),
    rateLimitLogger,
    cache,
    locks: new RedisLocks(client, keyPrefix, use('locks')),
    available,
    unavailable,
    onRecover: (listener) => {
      recoverListeners.push(listener);
    },
    ping: async () => {
      const pong = await bounded(client.ping(), REDIS_TIMEOUTS.commandMs);
      if (pong !== 'PONG') throw new Error(`unexpected reply ${pong}`);
    },
    close: async () => {
      // close, not QUIT: it also stops reconnecting when Redis is down (a command would fail at once)
      await client.close().catch(() => undefined);
    },
  };
}

type StoreCallback = NonNullable<Parameters<RedisStore['get']>[1]>;

/**
 * connect-redis, with a bound on how long a call may take, and Redis being unreachable reported
 * once and answered as a `ServiceUnavailableError` (503), never a 500 or a wait.
 */
class SessionStore extends RedisStore {
  constructor(
    options: ConstructorParameters<typeof RedisStore>[0],
    private readonly translate: (err: unknown) => Error,
  ) {
    super(options);
  }
  private bounded(run: (done: StoreCallback) => Promise<unknown>, cb: StoreCallback | undefined): Promise<unknown> {
    if (!cb) return run(cb as never);
    let settled = false;
    const timer = setTimeout(() => finish(new RedisCallTimeout(REDIS_TIMEOUTS.commandMs)), REDIS_TIMEOUTS.commandMs);
    timer.unref();
    const finish: StoreCallback = (err, data) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cb(err ? this.translate(err) : err, data);
    };
    return run(finish);
  }
  override get(sid: string, cb?: StoreCallback) {
    return this.bounded((done) => super.get(sid, done), cb);
  }
  override set(sid: string, sess: session.SessionData, cb?: StoreCallback) {
    return this.bounded((done) => super.set(sid, sess, done), cb);
  }
  override touch(sid: string, sess: session.SessionData, cb?: StoreCallback) {
    return this.bounded((done) => super.touch(sid, sess, done), cb);
  }
  override destroy(sid: string, cb?: StoreCallback) {
    return this.bounded((done) => super.destroy(sid, done), cb);
  }
}
export { subscribeRedis, publishRedis, type RedisSubscription } from './pubsub';
