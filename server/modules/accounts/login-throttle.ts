import type { Database } from '../../db/client';
import { withTransaction, type Tx } from '../../lib/tx';
import { AccountsRepository } from './accounts.repository';

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
  private readonly accounts: AccountsRepository;

  constructor(private readonly deps: LoginThrottleDeps) {
    this.accounts = new AccountsRepository(deps.db);
  }

  /**
   * Claims one attempt. While a wait holds the attempt is refused and the wait left (ms) is
   * returned; otherwise the attempt is counted as a failure up front (so concurrent guesses cannot
   * slip past the count) and 0 is returned. `succeeded` undoes the count once the attempt proves right.
   */
  async attempt(key: string, now: Date): Promise<number> {
    return withTransaction(this.deps.db, async (tx) => {
      const row = await this.accounts.lockThrottle(tx, key, now);
      if (row.blockedUntil && row.blockedUntil > now) return row.blockedUntil.getTime() - now.getTime();
      const failures = now.getTime() - row.lastFailureAt.getTime() > FORGET_AFTER_MS ? 1 : row.failures + 1;
      const wait = waitAfter(failures);
      await this.accounts.setThrottle(tx, key, { failures, lastFailureAt: now, blockedUntil: wait > 0 ? new Date(now.getTime() + wait) : null });
      return 0;
    });
  }

  /** The wait left on a key (ms), without counting anything. */
  async remaining(key: string, now: Date): Promise<number> {
    const until = await this.accounts.throttleBlockedUntil(key);
    return until && until > now ? until.getTime() - now.getTime() : 0;
  }

  /** The attempt was right (or the owner proved themselves another way): the key starts afresh. */
  async succeeded(key: string, tx?: Tx): Promise<void> {
    if (tx) await this.accounts.deleteThrottle(tx, key);
    else await withTransaction(this.deps.db, (own) => this.accounts.deleteThrottle(own, key));
  }

  /** Forgets keys with no failure for a day (a scheduled job). */
  async purge(now: Date): Promise<number> {
    return withTransaction(this.deps.db, (tx) => this.accounts.deleteThrottlesBefore(tx, new Date(now.getTime() - FORGET_AFTER_MS)));
  }
}

/** The throttle key of a login's password: its blind index, which exists whether or not the account does. */
export const passwordKey = (loginHash: string) => `password:${loginHash}`;
export const totpKey = (accountId: string) => `totp:${accountId}`;
