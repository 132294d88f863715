import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis-state';
import { alwaysTry, bounded, REDIS_TIMEOUTS, notAnswering, type RedisUse } from './outage';

export interface Lease {
  /** increases with every lease of the same name: a write carrying an older token is stale */
  fencingToken: number;
  /** keeps the lock for another `ttlMs` from now; false when it expired or someone else holds it now */
  extend(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

/** Mutual exclusion across instances (Redis) or within this process, with expiry and fencing. */
export interface LockManager {
  tryAcquire(name: string, ttlMs: number): Promise<Lease | null>;
}

export class MemoryLocks implements LockManager {
  private readonly held = new Map<string, { token: string; expires: number }>();
  private readonly fences = new Map<string, number>();
  async tryAcquire(name: string, ttlMs: number): Promise<Lease | null> {
    const now = Date.now();
    const current = this.held.get(name);
    if (current && current.expires > now) return null;
    const token = randomBytes(8).toString('hex');
    this.held.set(name, { token, expires: now + ttlMs });
    const fencingToken = (this.fences.get(name) ?? 0) + 1;
    this.fences.set(name, fencingToken);
    return {
      fencingToken,
      extend: async (ms) => {
        const held = this.held.get(name);
        if (held?.token !== token || held.expires <= Date.now()) return false;
        held.expires = Date.now() + ms;
        return true;
      },
      release: async () => {
        if (this.held.get(name)?.token === token) this.held.delete(name);
      },
    };
  }
}

const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Locks in Redis. Redis being unreachable is an error (a `ServiceUnavailableError`), never a lock granted, and it is not waited for. */
export class RedisLocks implements LockManager {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
    private readonly use: RedisUse = alwaysTry,
  ) {}
  private async call<T>(work: () => Promise<T>): Promise<T> {
    if (!this.use.available()) throw this.use.unavailable(notAnswering());
    try {
      return await bounded(work(), REDIS_TIMEOUTS.commandMs);
    } catch (err) {
      throw this.use.unavailable(err);
    }
  }
  async tryAcquire(name: string, ttlMs: number): Promise<Lease | null> {
    const key = `${this.prefix}lock:${name}`;
    const token = randomBytes(16).toString('hex');
    const ok = await this.call(() => this.client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }));
    if (ok !== 'OK') return null;
    const fencingToken = await this.call(() => this.client.incr(`${this.prefix}fence:${name}`));
    return {
      fencingToken,
      extend: async (ms) => (await this.call(() => this.client.eval(EXTEND, { keys: [key], arguments: [token, String(Math.round(ms))] }))) === 1,
      release: async () => {
        await this.call(() => this.client.eval(RELEASE, { keys: [key], arguments: [token] }));
      },
    };
  }
}
