import { performance } from "node:perf_hooks";
import { jsonRoundTrips } from "../machine";
import { round } from "../stats";

/**
 * The machine's own price of sleeping, in this separate process: the same fixed piece of work, done
 * in bursts paced by a timer, costs more CPU per burst when the process sleeps longer between bursts
 * (caches and predictors gone cold, a virtual CPU to wake). A server whose every message cost the
 * same work would pay it too: this is the part of a server's dearer messages at low rates that its
 * code cannot remove. Arguments: the work's CPU time back to back (ms), the two rates (bursts a
 * second) and the seconds each rate is run (twice, alternately, against the machine's drift).
 */
export interface SleepingCost {
  type: "sleepingCost";
  burstMs: number;
  /** CPU time per burst at each rate (ms), the mean of its two runs. */
  perBurstMs: Record<string, number>;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** How many round trips take `burstMs` of CPU back to back. */
function size(burstMs: number): number {
  jsonRoundTrips(20_000);
  const start = cpuMs();
  jsonRoundTrips(20_000);
  const perRoundTrip = (cpuMs() - start) / 20_000;
  return Math.max(1, Math.round(burstMs / perRoundTrip));
}

/** CPU time per burst (ms) with `perSecond` bursts a second, each on time or at once when late. */
async function bursts(n: number, perSecond: number, seconds: number): Promise<number> {
  const interval = 1000 / perSecond;
  const t0 = performance.now();
  const start = cpuMs();
  let done = 0;
  let due = t0;
  while (performance.now() - t0 < seconds * 1000) {
    jsonRoundTrips(n);
    done++;
    due += interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return (cpuMs() - start) / done;
}

async function main(): Promise<void> {
  const [burstMs, seconds, ...rates] = process.argv.slice(2).map(Number);
  const n = size(burstMs);
  await bursts(n, rates[0], Math.min(0.5, seconds));
  const runs: Record<string, number[]> = {};
  for (let pass = 0; pass < 2; pass++) {
    for (const rate of pass === 0 ? rates : [...rates].reverse()) (runs[rate] ??= []).push(await bursts(n, rate, seconds));
  }
  const perBurstMs = Object.fromEntries(Object.entries(runs).map(([rate, ms]) => [rate, round(ms.reduce((a, b) => a + b, 0) / ms.length, 4)]));
  process.send?.({ type: "sleepingCost", burstMs, perBurstMs } satisfies SleepingCost);
  process.exit(0);
}

void main();
