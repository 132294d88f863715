import { eq, lt } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { withTransaction } from '../../lib/tx';
import { loginThrottles } from './accounts.schema';

/** Failures allowed before the first wait. */
export const FREE_FAILURES = 5;
/** The first wait; each further failure doubles it, up to MAX_WAIT_MS. */
export const FIRST_WAIT_MS = 60_000;
export const MAX_WAIT_MS = 60 * 60_000;
/** A key with no failure for this long starts again from zero. */
export const FORGET_AFTER_MS = 24 * 3600_000;

/** How long the next attempt must wait after `failures` failures in a row: 0 for the first few, then 1, 2, 4 … minutes, capped. */
export function waitAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(FIRST_WAIT_MS * 2 ** (failures - FREE_FAILURES), MAX_WAIT_MS);
}

/** "3 分钟" for a wait in milliseconds (rounded up to whole minutes). */
export function minutesText(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 60_000))} 分钟`;
}

export interface LoginThrottleDeps {
  db: Database;
}

/**
 * Growing waits between failed sign-in attempts, per key (a login's password, an account's second
 * factor). Throttling instead of locking: a stranger's failures only slow guessing down, they do not
 * lock the owner out, who can still sign in with a second factor or an SMS code meanwhile.
 * Shared by every instance through the database.
 */
export class LoginThrottle {
  constructor(private readonly deps: LoginThrottleDeps) {}

  /**
   * Claims one attempt. While a wait holds the attempt is refused and the wait left (ms) is
   * returned; otherwise the attempt is counted as a failure up front (so concurrent guesses cannot
   * slip past the count) and 0 is returned. `succeeded` undoes the count once the attempt proves right.
   */
  async attempt(key: string, now: Date): Promise<number> {
    return withTransaction(this.deps.db, async (tx) => {
      await tx.insert(loginThrottles).values({ key, failures: 0, lastFailureAt: now }).onConflictDoNothing();
      const [row] = await tx.select().from(loginThrottles).where(eq(loginThrottles.key, key)).for('update');
      if (row!.blockedUntil && row!.blockedUntil > now) return row!.blockedUntil.getTime() - now.getTime();
      const failures = now.getTime() - row!.lastFailureAt.getTime() > FORGET_AFTER_MS ? 1 : row!.failures + 1;
      const wait = waitAfter(failures);
      await tx
        .update(loginThrottles)
        .set({ failures, lastFailureAt: now, blockedUntil: wait > 0 ? new Date(now.getTime() + wait) : null })
        .where(eq(loginThrottles.key, key));
      return 0;
    });
  }

  /** The wait left on a key (ms), without counting anything. */
  async remaining(key: string, now: Date): Promise<number> {
    const [row] = await this.deps.db.select({ until: loginThrottles.blockedUntil }).from(loginThrottles).where(eq(loginThrottles.key, key));
    return row?.until && row.until > now ? row.until.getTime() - now.getTime() : 0;
  }

  /** The attempt was right (or the owner proved themselves another way): the key starts afresh. */
  async succeeded(key: string, tx: Database = this.deps.db): Promise<void> {
    await tx.delete(loginThrottles).where(eq(loginThrottles.key, key));
  }

  /** Forgets keys with no failure for a day (a scheduled job). */
  async purge(now: Date): Promise<number> {
    const gone = await this.deps.db
      .delete(loginThrottles)
      .where(lt(loginThrottles.lastFailureAt, new Date(now.getTime() - FORGET_AFTER_MS)))
      .returning({ key: loginThrottles.key });
    return gone.length;
  }
}

/** The throttle key of a login's password: its blind index, which exists whether or not the account does. */
export const passwordKey = (loginHash: string) => `password:${loginHash}`;
export const totpKey = (accountId: string) => `totp:${accountId}`;
