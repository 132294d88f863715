import { describe, expect, it } from 'vitest';
import { KeptLists, type AnonymousList } from './anonymous-lists';

const list = (bytes: number, version = 1): AnonymousList => ({ version, body: Buffer.alloc(bytes, 'x'), ids: ['p1'], q: undefined, total: 1 });

describe('KeptLists', () => {
  it('answers a list for its lifetime and not after', () => {
    let now = 1_000;
    const kept = new KeptLists({ lists: 10, bytes: 1_000, ttlMs: 30_000 }, () => now);
    const a = list(10);
    kept.set('/a', a);
    now += 29_999;
    expect(kept.get('/a')).toBe(a);
    now += 1;
    expect(kept.get('/a')).toBeUndefined();
    expect(kept.has('/a')).toBe(false);
  });

  it('lets the oldest go past the number of lists', () => {
    const kept = new KeptLists({ lists: 2, bytes: 1_000, ttlMs: 30_000 });
    kept.set('/a', list(10));
    kept.set('/b', list(10));
    kept.set('/c', list(10));
    expect([kept.has('/a'), kept.has('/b'), kept.has('/c')]).toEqual([false, true, true]);
  });

  it('lets the oldest go past the bytes of bodies, counting a replaced list once', () => {
    const kept = new KeptLists({ lists: 10, bytes: 100, ttlMs: 30_000 });
    kept.set('/a', list(40));
    kept.set('/b', list(40));
    kept.set('/b', list(40, 2)); // replaces: 80 bytes kept, not 120
    expect(kept.has('/a')).toBe(true);
    expect(kept.get('/b')!.version).toBe(2);
    kept.set('/c', list(40)); // 120 bytes: /a goes
    expect([kept.has('/a'), kept.has('/b'), kept.has('/c')]).toEqual([false, true, true]);
    kept.set('/huge', list(101)); // larger than the whole budget: never kept, nothing else dropped
    expect([kept.has('/huge'), kept.has('/b'), kept.has('/c')]).toEqual([false, true, true]);
  });
});
