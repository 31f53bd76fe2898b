/**
 * At most `limit` uses per key within a sliding `windowMs`, counted in this instance's memory: enough
 * to keep one client from flooding the bus with signals that are stale within seconds anyway.
 */
export class SignalQuota {
  private readonly uses = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts one use of `key`; false (and nothing counted) when the key is over its limit. */
  take(key: string): boolean {
    const now = this.now();
    const recent = (this.uses.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.uses.set(key, recent);
      return false;
    }
    recent.push(now);
    this.uses.set(key, recent);
    if (this.uses.size > 10_000) this.forgetIdle(now);
    return true;
  }

  /** Keys whose uses all left the window are dropped, so the map does not grow with every conversation ever seen. */
  private forgetIdle(now: number): void {
    for (const [key, times] of this.uses) {
      if (times.every((at) => now - at >= this.windowMs)) this.uses.delete(key);
    }
  }
}
