import { performance } from "node:perf_hooks";
import { round } from "./stats";

/**
 * How long each part of a bench run took, in seconds and in the order they ran, beside the whole
 * run: a quick run is meant to take under 2 minutes and a full one under 10, and the parts tell
 * which one grew when it does not.
 */
export class RunDurations {
  private readonly parts: Record<string, number> = {};

  async timed<T>(part: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.parts[part] = round((performance.now() - t0) / 1000, 1);
    }
  }

  /** The parts so far, and the whole process's time since it started. */
  figures(): { totalSeconds: number; parts: Record<string, number> } {
    return { totalSeconds: round(performance.now() / 1000, 1), parts: { ...this.parts } };
  }

  describe(): string {
    const { totalSeconds, parts } = this.figures();
    const list = Object.entries(parts).map(([part, seconds]) => `${part} ${seconds} s`);
    return `The run took ${totalSeconds} s${list.length ? ` (${list.join(", ")})` : ""}`;
  }
}
