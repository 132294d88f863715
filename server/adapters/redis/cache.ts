import { LRUCache } from 'lru-cache';
import type { RedisClient } from './redis-state';
import { alwaysTry, bounded, REDIS_TIMEOUTS, type RedisUse } from './outage';

/**
 * A read-through cache with namespaces that are invalidated as a whole (by bumping the
 * namespace's version, so stale keys simply expire). Redis when configured, else in process.
 */
export interface Cache {
  get<T>(namespace: string, key: string): Promise<T | undefined>;
  set(namespace: string, key: string, value: unknown, ttlSeconds: number): Promise<void>;
  invalidate(namespace: string): Promise<void>;
  /** get, or compute and store (store only when `keep`, asked once the value is computed, says so) */
  wrap<T>(namespace: string, key: string, ttlSeconds: number, compute: () => Promise<T>, keep?: () => boolean): Promise<T>;
}

abstract class BaseCache implements Cache {
  abstract get<T>(namespace: string, key: string): Promise<T | undefined>;
  abstract set(namespace: string, key: string, value: unknown, ttlSeconds: number): Promise<void>;
  abstract invalidate(namespace: string): Promise<void>;
  async wrap<T>(namespace: string, key: string, ttlSeconds: number, compute: () => Promise<T>, keep: () => boolean = () => true): Promise<T> {
    const hit = await this.get<T>(namespace, key);
    if (hit !== undefined) return hit;
    const value = await compute();
    if (keep()) await this.set(namespace, key, value, ttlSeconds);
    return value;
  }
}

export class MemoryCache extends BaseCache {
  private readonly entries = new LRUCache<string, { value: unknown }>({ max: 5_000, ttlAutopurge: false });
  private readonly versions = new Map<string, number>();
  private k(ns: string, key: string) {
    return `${ns}:${this.versions.get(ns) ?? 0}:${key}`;
  }
  async get<T>(ns: string, key: string) {
    return this.entries.get(this.k(ns, key))?.value as T | undefined;
  }
  async set(ns: string, key: string, value: unknown, ttlSeconds: number) {
    this.entries.set(this.k(ns, key), { value }, { ttl: ttlSeconds * 1000 });
  }
  async invalidate(ns: string) {
    this.versions.set(ns, (this.versions.get(ns) ?? 0) + 1);
  }
}

/**
 * The cache in Redis. Redis being unreachable is a miss, never an error: `get` finds nothing and
 * `set` stores nothing (neither waits for a Redis that is down or hanging), and an `invalidate`
 * that could not be written is kept and written before anything is read from Redis again.
 */
export class RedisCache extends BaseCache {
  private readonly pendingInvalidations = new Set<string>();
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
    private readonly use: RedisUse = alwaysTry,
  ) {
    super();
  }
  private async k(ns: string, key: string) {
    const version = (await this.client.get(`${this.prefix}cache-version:${ns}`)) ?? '0';
    return `${this.prefix}cache:${ns}:${version}:${key}`;
  }
  /** Runs `work` against Redis, or gives `fallback` when Redis is down or the call fails (reported once per outage). */
  private async attempt<T>(work: () => Promise<T>, fallback: T): Promise<T> {
    if (!this.use.available()) return fallback;
    try {
      return await bounded(
        (async () => {
          await this.flushInvalidations(); // never read an entry that an invalidation still owed would have dropped
          return work();
        })(),
        REDIS_TIMEOUTS.commandMs,
      );
    } catch (err) {
      this.use.unavailable(err);
      return fallback;
    }
  }
  private async flushInvalidations() {
    for (const ns of [...this.pendingInvalidations]) {
      await this.client.incr(`${this.prefix}cache-version:${ns}`);
      this.pendingInvalidations.delete(ns);
    }
  }
  get<T>(ns: string, key: string): Promise<T | undefined> {
    return this.attempt(async () => {
      const raw = await this.client.get(await this.k(ns, key));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    }, undefined);
  }
  set(ns: string, key: string, value: unknown, ttlSeconds: number): Promise<void> {
    return this.attempt(async () => {
      await this.client.set(await this.k(ns, key), JSON.stringify(value), { expiration: { type: 'EX', value: ttlSeconds } });
    }, undefined);
  }
  invalidate(ns: string): Promise<void> {
    this.pendingInvalidations.add(ns);
    return this.attempt(async () => undefined, undefined);
  }
  /** Writes the invalidations owed since Redis went away (called when it is back). */
  replayInvalidations(): Promise<void> {
    return this.attempt(async () => undefined, undefined);
  }
}
