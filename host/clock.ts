import type { Clock } from "./contract";

/** The real time. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * A clock that only moves when told to, so tests can cross periods and timeouts without waiting.
 * Starts at the real time by default, so that anything also compared with real time (cookies,
 * tokens) stays plausible.
 */
export class TestClock implements Clock {
  private ms: number;

  constructor(start?: Date) {
    this.ms = start ? validTime(start) : Date.now();
  }

  /** A copy, so a caller mutating the result cannot move the clock. */
  now(): Date {
    return new Date(this.ms);
  }

  set(date: Date): void {
    this.ms = validTime(date);
  }

  /** Moves forward by `ms`; going back is done with `set`, on purpose, so it is never accidental. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`TestClock.advance expects a finite, non-negative number of ms, got ${ms}`);
    this.ms += ms;
  }
}

function validTime(date: Date): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError("TestClock needs a valid Date");
  return ms;
}
