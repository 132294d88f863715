import { RedisStore } from 'connect-redis';
import type session from 'express-session';
import { RedisStore as RateLimitRedisStore, type RedisReply } from 'rate-limit-redis';
import type { Logger as RateLimitLogger } from 'express-rate-limit';
import { createClient, ErrorReply, TimeoutError } from 'redis';
import { ServiceUnavailableError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { RedisCache } from './cache';
import { RedisLocks } from './lock';
import { bounded, notAnswering, REDIS_TIMEOUTS, RedisCallTimeout, type RedisUse } from './outage';
import { REPORT_EVERY_MS, unavailableMessages, type SharedState, type SharedStateUse } from './index';

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

/** The shared state in Redis (REDIS_URL); imported by `connectSharedState` only when Redis is configured. */
export async function connectRedisState(redisUrl: string, keyPrefix: string, logger: Logger | undefined, rateLimitLogger: RateLimitLogger): Promise<SharedState> {
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
