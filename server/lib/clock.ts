/**
 * The time port: services read "now" from the clock in their dependencies, never from `new Date()`,
 * so a test can set the time (TestClock) instead of passing dates by hand or shifting process time.
 */
export interface Clock {
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock a test moves: fixed at `at` (or at the moment it is set), moved by `set` and `advance`.
 * Created without `at` it follows the system clock until first set, and `release()` makes it
 * follow the system clock again (an app-wide test clock outside the tests that set it).
 */
export class TestClock implements Clock {
  private at: number | null;

  constructor(at?: Date | string) {
    this.at = at === undefined ? null : new Date(at).getTime();
  }

  now(): Date {
    return this.at === null ? new Date() : new Date(this.at);
  }

  set(at: Date | string): void {
    this.at = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.at = this.now().getTime() + ms;
  }

  release(): void {
    this.at = null;
  }
}

/** A clock fixed at `at` (a TestClock, so the test can still move it). */
export function fixedClock(at: Date | string): TestClock {
  return new TestClock(at);
}
