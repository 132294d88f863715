import { LRUCache } from 'lru-cache';
import type { RedisClient } from './index';

/**
 * A read-through cache with namespaces that are invalidated as a whole (by bumping the
 * namespace's version, so stale keys simply expire). Redis when configured, else in process.
 */
export interface Cache {
  get<T>(namespace: string, key: string): Promise<T | undefined>;
  set(namespace: string, key: string, value: unknown, ttlSeconds: number): Promise<void>;
  invalidate(namespace: string): Promise<void>;
  /** get, or compute and store */
  wrap<T>(namespace: string, key: string, ttlSeconds: number, compute: () => Promise<T>): Promise<T>;
}

abstract class BaseCache implements Cache {
  abstract get<T>(namespace: string, key: string): Promise<T | undefined>;
  abstract set(namespace: string, key: string, value: unknown, ttlSeconds: number): Promise<void>;
  abstract invalidate(namespace: string): Promise<void>;
  async wrap<T>(namespace: string, key: string, ttlSeconds: number, compute: () => Promise<T>): Promise<T> {
    const hit = await this.get<T>(namespace, key);
    if (hit !== undefined) return hit;
    const value = await compute();
    await this.set(namespace, key, value, ttlSeconds);
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
 * The cache in Redis. Redis being unreachable is a miss, never an error: `get` finds nothing,
 * `set` stores nothing, and an `invalidate` that could not be written is written again as soon
 * as Redis is back (entries expire after their TTL in any case).
 */
export class RedisCache extends BaseCache {
  private readonly pendingInvalidations = new Set<string>();
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
    /** reports a failed call (logged once per outage) */
    private readonly report: (err: unknown) => unknown = () => undefined,
  ) {
    super();
  }
  private async k(ns: string, key: string) {
    const version = (await this.client.get(`${this.prefix}cache-version:${ns}`)) ?? '0';
    return `${this.prefix}cache:${ns}:${version}:${key}`;
  }
  async get<T>(ns: string, key: string) {
    try {
      const raw = await this.client.get(await this.k(ns, key));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    } catch (err) {
      this.report(err);
      return undefined;
    }
  }
  async set(ns: string, key: string, value: unknown, ttlSeconds: number) {
    try {
      await this.client.set(await this.k(ns, key), JSON.stringify(value), { expiration: { type: 'EX', value: ttlSeconds } });
    } catch (err) {
      this.report(err);
    }
  }
  async invalidate(ns: string) {
    try {
      await this.client.incr(`${this.prefix}cache-version:${ns}`);
      this.pendingInvalidations.delete(ns);
    } catch (err) {
      this.report(err);
      this.pendingInvalidations.add(ns);
    }
  }
  /** Writes the invalidations that failed while Redis was down (called when it is back). */
  async replayInvalidations(): Promise<void> {
    for (const ns of [...this.pendingInvalidations]) await this.invalidate(ns);
  }
}
