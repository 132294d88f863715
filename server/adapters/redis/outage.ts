/**
 * How the app treats Redis: fail fast, never wait for it. No offline queue (a command while
 * disconnected fails at once instead of waiting for a reconnect), a 2 s connect timeout, a 1 s
 * bound on every call (see `bounded`), after a call timed out 3 s in which Redis is not asked
 * (a Redis that hangs costs one request a second, not every request), and reconnecting in the
 * background for ever, at most a second apart.
 */
export const REDIS_TIMEOUTS = { connectMs: 2_000, commandMs: 1_000, maxReconnectDelayMs: 1_000, pauseAfterTimeoutMs: 3_000 } as const;

/** One use of Redis (cache, locks): whether to try it now, and what a failed call becomes (reported once per outage). */
export interface RedisUse {
  available(): boolean;
  unavailable(err: unknown): Error;
}

/** Tries every call and passes its error on as it is (a Redis client used on its own, as in tests). */
export const alwaysTry: RedisUse = { available: () => true, unavailable: (err) => (err instanceof Error ? err : new Error(String(err))) };

/** The cause given when Redis is not even tried (disconnected, or paused after a timeout). */
export function notAnswering(): Error {
  return new Error('Redis is not reachable or not answering');
}

/** A call Redis did not answer in time. */
export class RedisCallTimeout extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'RedisCallTimeout';
  }
}

/**
 * `call`, or a `RedisCallTimeout` after `ms`. The client's own command timeout only covers a
 * command still waiting to be sent; one already sent to a Redis that hangs would wait for ever.
 * (A late reply is still read by the client, in order, and dropped.)
 */
export function bounded<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new RedisCallTimeout(ms)), ms);
    timer.unref();
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}
