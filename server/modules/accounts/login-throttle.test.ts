import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import { databaseTargets } from '../../../test/support/database';
import { FORGET_AFTER_MS, FREE_FAILURES, LoginThrottle, MAX_WAIT_MS, minutesText, waitAfter } from './login-throttle';

const MINUTE = 60_000;

describe('waitAfter', () => {
  it('lets the first few failures through, then waits 1, 2, 4 … minutes up to the cap', () => {
    expect([0, 1, 2, 3, 4].map(waitAfter)).toEqual([0, 0, 0, 0, 0]);
    expect([5, 6, 7, 8, 9, 10, 11].map((n) => waitAfter(n) / MINUTE)).toEqual([1, 2, 4, 8, 16, 32, 60]);
    expect(waitAfter(40)).toBe(MAX_WAIT_MS);
    expect(minutesText(61_000)).toBe('2 分钟');
  });
});

for (const target of databaseTargets()) {
  describe(`LoginThrottle on ${target.name}`, () => {
    let database: DatabaseHandle;
    let throttle: LoginThrottle;
    beforeAll(async () => {
      database = await target.open();
      throttle = new LoginThrottle({ db: database.db });
    });
    afterAll(() => database?.close());

    it('counts failures per key and makes each further attempt wait longer', async () => {
      const t0 = Date.parse('2026-03-01T08:00:00Z');
      const at = (ms: number) => new Date(t0 + ms);
      for (let i = 0; i < FREE_FAILURES; i++) expect(await throttle.attempt('password:a', at(i))).toBe(0);
      // five failures: the sixth attempt waits a minute, and a refused attempt does not count
      expect(await throttle.attempt('password:a', at(30_000))).toBe(MINUTE + 4 - 30_000);
      expect(await throttle.remaining('password:a', at(30_000))).toBe(MINUTE + 4 - 30_000);
      // another key is not affected
      expect(await throttle.attempt('password:b', at(30_000))).toBe(0);
      // after the wait one more try, which fails: now two minutes, then four
      let now = 2 * MINUTE;
      expect(await throttle.attempt('password:a', at(now))).toBe(0);
      expect(await throttle.attempt('password:a', at(now + 1000))).toBe(2 * MINUTE - 1000);
      now += 2 * MINUTE;
      expect(await throttle.attempt('password:a', at(now))).toBe(0);
      expect(await throttle.attempt('password:a', at(now))).toBe(4 * MINUTE);
      // success forgets everything
      await throttle.succeeded('password:a');
      expect(await throttle.attempt('password:a', at(now))).toBe(0);
    });

    it('counts concurrent attempts one by one, so a burst cannot slip past the count', async () => {
      const now = new Date('2026-03-02T08:00:00Z');
      const waits = await Promise.all(Array.from({ length: 8 }, () => throttle.attempt('totp:burst', now)));
      expect(waits.filter((w) => w === 0)).toHaveLength(FREE_FAILURES);
      expect(waits.filter((w) => w === MINUTE)).toHaveLength(8 - FREE_FAILURES);
    });

    it('starts afresh after a day without failures, and the purge forgets such keys', async () => {
      const t0 = Date.parse('2026-03-03T08:00:00Z');
      for (let i = 0; i < FREE_FAILURES; i++) await throttle.attempt('password:old', new Date(t0));
      const later = new Date(t0 + FORGET_AFTER_MS + 1);
      expect(await throttle.attempt('password:old', later)).toBe(0);
      expect(await throttle.attempt('password:old', later)).toBe(0); // counted from one again
      expect(await throttle.purge(new Date(later.getTime() + FORGET_AFTER_MS + 1))).toBeGreaterThanOrEqual(1);
      expect(await throttle.remaining('password:old', later)).toBe(0);
    });
  });
}
