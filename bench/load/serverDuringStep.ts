import { round } from "../stats";
import type { ServerStats, StepResult } from "./protocol";

/**
 * What the server did during one step, from its stats before and after: CPU share and CPU time per
 * request handled (accepted or refused), memory, event-loop lag, its own answer times and refusals.
 */
export function serverDuringStep(before: ServerStats, after: ServerStats, elapsedMs: number, handled: number): NonNullable<StepResult["server"]> {
  const cpuMs = (after.cpuMicros - before.cpuMicros) / 1000;
  return {
    cpuPercent: round((cpuMs / elapsedMs) * 100, 1),
    // CPU time per request holds still when other processes take the cores; latency does not.
    cpuMsPerMessage: round(cpuMs / Math.max(1, handled), 3),
    wakeupsPerMessage: wakeupsPer(before, after, handled),
    rssMb: round(after.rss / 2 ** 20, 1),
    lagP99Ms: round(after.lagP99Ms, 1),
    lagMaxMs: round(after.lagMaxMs, 1),
    answerP99Ms: after.answerP99Ms === null ? null : round(after.answerP99Ms, 1),
    refusalP99Ms: after.refusalP99Ms === null ? null : round(after.refusalP99Ms, 1),
    refusedBy: Object.fromEntries(Object.entries(after.refusedBy).map(([bound, n]) => [bound, n - (before.refusedBy[bound] ?? 0)])),
    logFlushesPerSecond: round(((after.logFlushes - before.logFlushes) * 1000) / elapsedMs, 0),
  };
}

/** The server's sleeps and wake-ups between two stats, per request handled: each costs CPU of its own. */
export function wakeupsPer(before: ServerStats, after: ServerStats, handled: number): number | null {
  return before.wakeups === null || after.wakeups === null ? null : round((after.wakeups - before.wakeups) / Math.max(1, handled), 2);
}
