import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSharedState, type SharedState } from './index';

const targets: { name: string; url?: string }[] = [{ name: 'in process' }];
if (process.env.TEST_REDIS_URL) targets.push({ name: 'Redis', url: process.env.TEST_REDIS_URL });

describe.each(targets)('cache and locks ($name)', ({ url }) => {
  let a: SharedState;
  let b: SharedState;
  const prefix = `dc-test-${process.pid}-${Date.now()}:`;
  beforeAll(async () => {
    a = await connectSharedState(url, prefix);
    // a second instance: with Redis it shares the state, in process it is the same object
    b = url ? await connectSharedState(url, prefix) : a;
  });
  afterAll(async () => {
    await a?.close();
    if (b !== a) await b?.close();
  });

  it('caches with expiry and invalidates a namespace as a whole', async () => {
    let computed = 0;
    const compute = async () => ({ n: ++computed });
    expect(await a.cache.wrap('products', 'list', 60, compute)).toEqual({ n: 1 });
    expect(await b.cache.wrap('products', 'list', 60, compute)).toEqual({ n: 1 });
    await b.cache.invalidate('products');
    expect(await a.cache.get('products', 'list')).toBeUndefined();
    expect(await a.cache.wrap('products', 'list', 60, compute)).toEqual({ n: 2 });
    await a.cache.set('other', 'k', 'v', 1);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await a.cache.get('other', 'k')).toBeUndefined();
  });

  it('grants a lock to one holder at a time, with increasing fencing tokens and expiry', async () => {
    const first = await a.locks.tryAcquire('job', 5_000);
    expect(first).not.toBeNull();
    expect(await b.locks.tryAcquire('job', 5_000)).toBeNull();
    await first!.release();
    const second = await b.locks.tryAcquire('job', 200);
    expect(second!.fencingToken).toBeGreaterThan(first!.fencingToken);
    await new Promise((r) => setTimeout(r, 300));
    const third = await a.locks.tryAcquire('job', 5_000);
    expect(third).not.toBeNull();
    await second!.release(); // a stale holder's release does not free the new holder's lock
    expect(await b.locks.tryAcquire('job', 5_000)).toBeNull();
    await third!.release();
  });

  it('a holder extends its lock while it works; a lost lock cannot be extended', async () => {
    const lease = await a.locks.tryAcquire('long-job', 300);
    expect(lease).not.toBeNull();
    await new Promise((r) => setTimeout(r, 200));
    expect(await lease!.extend(500)).toBe(true);
    await new Promise((r) => setTimeout(r, 200)); // past the first expiry, within the extension
    expect(await b.locks.tryAcquire('long-job', 5_000)).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    const next = await b.locks.tryAcquire('long-job', 5_000); // expired: someone else takes it
    expect(next).not.toBeNull();
    expect(await lease!.extend(5_000)).toBe(false);
    await next!.release();
  });
});
