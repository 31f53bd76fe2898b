import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** How often the lag is read (and its histogram started afresh). */
const WINDOW_MS = 250;

/**
 * How late the event loop runs, as the median delay over the last quarter second: a loop that is
 * late most of the time is overloaded, while one long pause (a garbage collection, a module loaded
 * on first use) moves the median little.
 */
export class EventLoopLag {
  private histogram: IntervalHistogram | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastMs = 0;

  /** The median lag of the last window, in milliseconds (0 before the first window and when stopped). */
  get ms(): number {
    return this.lastMs;
  }

  start(): void {
    if (this.timer) return;
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    this.histogram = histogram;
    this.timer = setInterval(() => {
      this.lastMs = histogram.percentile(50) / 1e6;
      histogram.reset();
    }, WINDOW_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.histogram?.disable();
    this.timer = null;
    this.histogram = null;
    this.lastMs = 0;
  }
}
