/**
 * The time port: services read "now" from the clock in their dependencies, never from `new Date()`,
 * so a test can set the time (TestClock) instead of passing dates by hand or shifting process time.
 */
export interface Clock {
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until a test moves it. */
export class TestClock implements Clock {
  private at: number;

  constructor(at: Date | string = new Date()) {
    this.at = new Date(at).getTime();
  }

  now(): Date {
    return new Date(this.at);
  }

  set(at: Date | string): void {
    this.at = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.at += ms;
  }
}

/** A clock fixed at `at` (a TestClock, so the test can still move it). */
export function fixedClock(at: Date | string): TestClock {
  return new TestClock(at);
}
