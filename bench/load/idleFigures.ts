import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { round } from "../stats";
import type { FromServer, MemoryStats } from "./protocol";
import { ask, child, fromGenerator, next } from "./processes";

export interface IdleSide {
  sockets: number;
  connectSeconds: number;
  /** Heap and RSS added per open socket, in KB (each measured after a full garbage collection). */
  heapKbPerSocket: number;
  rssKbPerSocket: number;
  rssMb: number;
}

export interface IdleFigures {
  host: IdleSide;
  /** The same number of sockets on a bare `ws` server, in the same run. */
  bareWs: IdleSide;
}

const memory = (proc: Parameters<typeof ask>[0]) => ask<MemoryStats>(proc, { type: "memory" }, (m) => m.type === "memory");

function side(before: MemoryStats, after: MemoryStats, sockets: number, seconds: number): IdleSide {
  return {
    sockets,
    connectSeconds: seconds,
    heapKbPerSocket: round((after.heapUsed - before.heapUsed) / sockets / 1024, 2),
    rssKbPerSocket: round((after.rss - before.rss) / sockets / 1024, 2),
    rssMb: round(after.rss / 2 ** 20, 1),
  };
}

/**
 * Idle visitor sockets: a host process (as in the load figures, seeded with one conversation per
 * socket) and a bare `ws` server each get `count` sockets that say hello and then nothing; the memory
 * each socket adds is read after a full garbage collection, before and after.
 */
export async function idleFigures(count: number, log: (line: string) => void): Promise<IdleFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "livechat-idle-"));
  const env = { DATABASE_URL: `sqlite:${path.join(dir, "idle.sqlite")}`, LOG_LEVEL: "error", BENCH_CONVERSATIONS: String(count), BENCH_OPERATORS: "10" };
  const server = child("server.ts", [], env, ["--expose-gc"]);
  const bare = child("baselines.ts", ["idle"], {}, ["--expose-gc"]);
  const generator = child("generator.ts", []);
  try {
    const ready = await next<FromServer>(server, (m) => m.type === "ready");
    if (ready.type !== "ready") throw new Error("unexpected");
    const hostBefore = await memory(server);
    const connected = await fromGenerator(generator, { type: "connect", url: ready.url, conversations: ready.conversations, logins: [], password: ready.password }, "connected");
    if (connected.type !== "connected") throw new Error("unexpected");
    const host = side(hostBefore, await memory(server), connected.visitorSockets, connected.seconds);
    log(`${host.sockets} idle visitor sockets on the host: ${host.heapKbPerSocket} KB of heap and ${host.rssKbPerSocket} KB of RSS each (RSS ${host.rssMb} MB)`);

    const bareReady = await next<{ url: string }>(bare);
    const bareBefore = await memory(bare);
    const opened = await fromGenerator(generator, { type: "open", url: bareReady.url, count }, "opened");
    if (opened.type !== "opened") throw new Error("unexpected");
    const bareWs = side(bareBefore, await memory(bare), count, opened.seconds);
    log(`${count} idle sockets on a bare ws server: ${bareWs.heapKbPerSocket} KB of heap and ${bareWs.rssKbPerSocket} KB of RSS each (RSS ${bareWs.rssMb} MB)`);
    return { host, bareWs };
  } finally {
    generator.send({ type: "stop" });
    bare.send({ type: "stop" });
    server.send({ type: "stop" });
    await Promise.all([server, generator, bare].map((p) => (p.exitCode === null ? new Promise((r) => p.once("exit", r)) : null)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
