import { performance } from "node:perf_hooks";

/** How long a write waits while one turn holds the connection, before it gives up (see `TurnQueue`). */
export const TURN_WAIT_LIMIT_MS = 30_000;

/** Thrown to a write that gave up waiting for the connection's turn. */
export class TurnWaitError extends Error {
  constructor(heldMs: number) {
    super(
      `The SQLite connection has been held by one transaction for ${Math.round(heldMs / 1000)} s, and this write gave up waiting for it. ` +
        "A transaction that awaits a write made outside it never ends: inside a transaction, write through the manager it is given.",
    );
    this.name = "TurnWaitError";
  }
}

interface Waiter {
  since: number;
  grant: (release: () => void) => void;
  fail: (error: Error) => void;
}

/**
 * The connection's turns, first come first served. A turn that never ends (a transaction awaiting a
 * write queued behind it) would otherwise stop every write for good: once the turn has been held
 * for `limitMs`, the writes that have waited as long fail instead, and the one it awaited with them,
 * so the transaction ends too. A queue that moves, however long, fails nobody. No timer runs while
 * nothing waits.
 */
export class TurnQueue {
  private held = false;
  private heldSince = 0;
  private waiting: Waiter[] = [];
  private watchdog: NodeJS.Timeout | null = null;
  private watchdogDue = 0;

  constructor(
    /** How long a turn may hold the connection while writes wait for it, in milliseconds. */
    public limitMs = TURN_WAIT_LIMIT_MS,
  ) {}

  /** Settles once the turns before this one have ended, with the function that ends this one. */
  acquire(): Promise<() => void> {
    if (!this.held) {
      this.held = true;
      this.heldSince = performance.now();
      return Promise.resolve(this.release());
    }
    return new Promise((grant, fail) => {
      this.waiting.push({ since: performance.now(), grant, fail });
      this.arm(this.limitMs);
    });
  }

  /** Ends a turn once, however often called, and hands the connection to the next waiter. */
  private release(): () => void {
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const next = this.waiting.shift();
      if (!next) {
        this.held = false;
        return;
      }
      this.heldSince = performance.now();
      next.grant(this.release());
    };
  }

  /** Checks in `delayMs`, unless a check comes sooner (one made with a longer limit may come later). */
  private arm(delayMs: number): void {
    const due = performance.now() + delayMs;
    if (this.watchdog) {
      if (this.watchdogDue <= due) return;
      clearTimeout(this.watchdog);
    }
    this.watchdogDue = due;
    this.watchdog = setTimeout(() => {
      this.watchdog = null;
      this.check();
    }, delayMs);
    this.watchdog.unref();
  }

  private check(): void {
    const now = performance.now();
    const heldMs = now - this.heldSince;
    if (this.held && heldMs >= this.limitMs) {
      const expired = this.waiting.filter((w) => now - w.since >= this.limitMs);
      this.waiting = this.waiting.filter((w) => now - w.since < this.limitMs);
      for (const waiter of expired) waiter.fail(new TurnWaitError(heldMs));
    }
    if (this.waiting.length > 0) this.arm(Math.max(1, this.limitMs - Math.min(heldMs, now - this.waiting[0].since)));
  }
}
