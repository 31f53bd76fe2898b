import fs from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { round } from "./stats";

/**
 * How fast this machine ran while the bench did: these machines are virtual and shared, and a busy
 * host slows them two or three times over from one minute to the next. Load average shows other
 * processes here; the CPU time the hypervisor gave to other machines (steal) and a fixed piece of
 * work timed at the start and at the end show what load average cannot.
 */
export interface MachineReading {
  /** A fixed piece of CPU work (JSON round trips of one object), in milliseconds: lower is faster. */
  calibrationMs: number;
  /** Share of CPU time stolen by the hypervisor since the previous reading (Linux; null elsewhere). */
  stealPercent: number | null;
  loadAverage: number[];
}

interface CpuTimes {
  steal: number;
  total: number;
}

function cpuTimes(): CpuTimes | null {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0];
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return null;
    return { steal: fields[7], total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

const SAMPLE = { id: 1, conversationId: 42, body: "Hello, I cannot log in to my account since this morning.", createdAt: new Date(0).toISOString(), author: { kind: "visitor", name: "Visitor 42" } };

/** `n` message-sized objects through JSON and back: fixed work that allocates, as a server's does. */
export function jsonRoundTrips(n: number): number {
  let length = 0;
  for (let i = 0; i < n; i++) {
    SAMPLE.id = i;
    length += (JSON.parse(JSON.stringify(SAMPLE)) as { body: string }).body.length;
  }
  return length;
}

/** The same work every run: a message-sized object through JSON and back, many times. */
function calibrate(): number {
  const start = performance.now();
  if (jsonRoundTrips(200_000) === 0) throw new Error("unreachable");
  return round(performance.now() - start, 0);
}

/** Steal's share (%) of the CPU time between two readings; null when either is unknown. */
function stealBetween(before: CpuTimes | null, now: CpuTimes | null): number | null {
  return now && before && now.total > before.total ? round(((now.steal - before.steal) / (now.total - before.total)) * 100, 1) : null;
}

/** Starts counting steal; the function returned gives its share of CPU time since (null off Linux). */
export function stealMeter(): () => number | null {
  const before = cpuTimes();
  return () => stealBetween(before, cpuTimes());
}

export class MachineWatch {
  private last = cpuTimes();

  /** Times the fixed work, then reads the steal since the previous reading (the first: during that work). */
  read(): MachineReading {
    const calibrationMs = calibrate();
    const now = cpuTimes();
    const stealPercent = stealBetween(this.last, now);
    this.last = now;
    return { calibrationMs, stealPercent, loadAverage: os.loadavg().map((l) => round(l, 2)) };
  }
}

export function describeMachine(label: string, r: MachineReading): string {
  return `${label}: fixed CPU work took ${r.calibrationMs} ms; steal ${r.stealPercent ?? "n/a"}% of CPU time; load average ${r.loadAverage.join(", ")}`;
}
