import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { round } from "../stats";
import type { FromGenerator, FromServer, IdleCost, MemoryStats } from "./protocol";
import { ask, child, fromGenerator, next } from "./processes";

export interface IdleSide {
  sockets: number;
  connectSeconds: number;
  /** Heap and RSS added per open socket, in KB (each measured after a full garbage collection). */
  heapKbPerSocket: number;
  rssKbPerSocket: number;
  rssMb: number;
  /** The process's RSS with `IDLE_GOAL_SOCKETS` sockets, extrapolated from the sockets measured. */
  goalRssMb: number;
  /** What the process costs a second while it holds the sockets and nothing happens. */
  idle: { cpuMsPerSecond: number; wakeupsPerSecond: number | null; seconds: number };
}

export interface IdleFigures {
  /** Open files a process may have here (each socket is one): the most sockets one process can hold. */
  openFilesLimit: number | null;
  goalSockets: number;
  host: IdleSide;
  /** The same number of sockets on a bare `ws` server, in the same run. */
  bareWs: IdleSide;
}

/** The goal: this many idle visitor sockets on one process. */
export const IDLE_GOAL_SOCKETS = 50_000;

/** The open-files limit of processes started from here (`ulimit -n`), or null when unknown. */
export function openFilesLimit(): number | null {
  const answer = spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" });
  const limit = Number(answer.stdout.trim());
  return Number.isFinite(limit) && limit > 0 ? limit : null;
}

/**
 * As many sockets as the goal, or as fit under the open-files limit with room for the process's other
 * files; a quick run stops at 10,000 (what each socket costs then includes a little more of the
 * process's fixed costs).
 */
export function idleSocketCount(limit: number | null, quick: boolean): number {
  const fits = limit === null ? IDLE_GOAL_SOCKETS : Math.max(1000, Math.min(IDLE_GOAL_SOCKETS, Math.floor((limit - 1000) / 1000) * 1000));
  return quick ? Math.min(fits, 10_000) : fits;
}

/**
 * How long each side's idle cost is measured (a quick run's, then a full run's). Sockets are pinged
 * every 30 s, so a window may or may not hold a round of pings (on the host, 200 sockets a turn).
 */
const IDLE_COST_SECONDS = { quick: 3, full: 5 } as const;

/** A server's first message (the bare ws server's has only the url, all the bare side reads). */
type ServerReady = Extract<FromServer, { type: "ready" }>;

const memory = (proc: ChildProcess) => ask<MemoryStats>(proc, { type: "memory" }, (m) => m.type === "memory");

function side(before: MemoryStats, after: MemoryStats, sockets: number, seconds: number, idle: IdleCost, idleSeconds: number): IdleSide {
  const rssPerSocket = (after.rss - before.rss) / sockets;
  return {
    sockets,
    connectSeconds: seconds,
    heapKbPerSocket: round((after.heapUsed - before.heapUsed) / sockets / 1024, 2),
    rssKbPerSocket: round(rssPerSocket / 1024, 2),
    rssMb: round(after.rss / 2 ** 20, 1),
    goalRssMb: round((before.rss + rssPerSocket * IDLE_GOAL_SOCKETS) / 2 ** 20, 0),
    idle: { cpuMsPerSecond: round(idle.cpuMsPerSecond, 1), wakeupsPerSecond: idle.wakeupsPerSecond === null ? null : round(idle.wakeupsPerSecond, 0), seconds: idleSeconds },
  };
}

/** A server holding its idle sockets, with its load generator, and its memory before and after they opened. */
interface Opened {
  server: ChildProcess;
  generator: ChildProcess;
  before: MemoryStats;
  after: MemoryStats;
  sockets: number;
  seconds: number;
}

/** Starts `server` and a load generator of its own (each side's sockets alone fill a process's open files), and opens the sockets. */
async function open(server: ChildProcess, count: number, connect: (generator: ChildProcess, ready: ServerReady) => Promise<FromGenerator>): Promise<Opened> {
  const generator = child("generator.ts", []);
  try {
    const ready = await next<ServerReady>(server, (m) => m.type === "ready");
    const before = await memory(server);
    const opened = await connect(generator, ready);
    if (opened.type !== "connected" && opened.type !== "opened") throw new Error("unexpected");
    const after = await memory(server);
    return { server, generator, before, after, sockets: opened.type === "connected" ? opened.visitorSockets : count, seconds: opened.seconds };
  } catch (error) {
    await close({ server, generator });
    throw error;
  }
}

/**
 * Ended rather than stopped (closing thousands of sockets one by one takes a while), the server
 * first: the side that closes first keeps each connection a minute in TIME_WAIT, which on the
 * generator's side would hold thousands of the loopback ports the next connections need.
 */
async function close(processes: { server: ChildProcess; generator: ChildProcess }): Promise<void> {
  await end(processes.server);
  await end(processes.generator);
}

function end(proc: ChildProcess): Promise<unknown> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  proc.kill();
  return exited;
}

/**
 * Idle visitor sockets: a host process (as in the load figures, seeded with one conversation per
 * socket) and a bare `ws` server each get `count` sockets that say hello and then nothing; the
 * memory each socket adds is read after a full garbage collection, before and after.
 */
export async function idleFigures(count: number, limit: number | null, quick: boolean, log: (line: string) => void): Promise<IdleFigures> {
  const idleSeconds = quick ? IDLE_COST_SECONDS.quick : IDLE_COST_SECONDS.full;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "livechat-idle-"));
  try {
    const env = { DATABASE_URL: `sqlite:${path.join(dir, "idle.sqlite")}`, LOG_LEVEL: "error", BENCH_CONVERSATIONS: String(count), BENCH_OPERATORS: "10" };
    // Both sides open their sockets at once (what they hold does not depend on what the other does),
    // then both sit idle at once, so neither's idle cost meets the other's work.
    const sides = await Promise.allSettled([
      open(child("server.ts", [], env, ["--expose-gc"]), count, (generator, ready) =>
        fromGenerator(generator, { type: "connect", url: ready.url, conversations: ready.conversations, logins: [], password: ready.password }, "connected"),
      ),
      open(child("baselines.ts", ["idle"], {}, ["--expose-gc"]), count, (generator, ready) => fromGenerator(generator, { type: "open", url: ready.url, count }, "opened")),
    ]);
    const opened = sides.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    let host: IdleSide;
    let bareWs: IdleSide;
    try {
      const failed = sides.find((s) => s.status === "rejected");
      if (failed) throw failed.reason;
      const [h, b] = opened;
      const [hostIdle, bareIdle] = await Promise.all([h, b].map((o) => ask<IdleCost>(o.server, { type: "idleCost", seconds: idleSeconds }, (m) => m.type === "idleCost")));
      host = side(h.before, h.after, h.sockets, h.seconds, hostIdle, idleSeconds);
      bareWs = side(b.before, b.after, b.sockets, b.seconds, bareIdle, idleSeconds);
    } finally {
      await Promise.all(opened.map(close));
    }
    log(`${host.sockets} idle visitor sockets on the host: ${host.heapKbPerSocket} KB of heap and ${host.rssKbPerSocket} KB of RSS each (RSS ${host.rssMb} MB)${idleCostText(host)}`);
    log(`${bareWs.sockets} idle sockets on a bare ws server: ${bareWs.heapKbPerSocket} KB of heap and ${bareWs.rssKbPerSocket} KB of RSS each (RSS ${bareWs.rssMb} MB)${idleCostText(bareWs)}`);
    const why = limit === null ? "" : ` (measured ${count}: a process may open ${limit} files here)`;
    log(`${IDLE_GOAL_SOCKETS} sockets, extrapolated${why}: host RSS ${host.goalRssMb} MB, bare ws RSS ${bareWs.goalRssMb} MB`);
    return { openFilesLimit: limit, goalSockets: IDLE_GOAL_SOCKETS, host, bareWs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function idleCostText(side: IdleSide): string {
  const wakeups = side.idle.wakeupsPerSecond === null ? "" : ` and ${side.idle.wakeupsPerSecond} wake-ups`;
  return `; while idle, ${side.idle.cpuMsPerSecond} ms of CPU${wakeups} a second (over ${side.idle.seconds} s)`;
}
