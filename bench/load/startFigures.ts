import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { round } from "../stats";
import { measureSqliteBaseline, passes, type SqliteBaseline } from "./loadFigures";
import type { FromServer, ServerStats, StepResult } from "./protocol";
import { ask, child, fromGenerator, next } from "./processes";
import { serverDuringStep } from "./serverDuringStep";
import { offeredRates } from "./offeredRates";

export interface StartFigures {
  operators: number;
  steps: StepResult[];
  /** Highest offered rate answered with p99 under the limit, nothing refused and no errors. */
  sustained: StepResult | null;
  sqlite: SqliteBaseline;
  p99LimitMs: number;
  loadAverage: number[];
}

const P99_LIMIT_MS = 100;

/**
 * Visitors starting conversations, measured from outside: the server (`npm start`'s host on a fresh
 * SQLite file, 100 operators online in one channel, no limit) and the load generator each in their
 * own process, starts offered open-loop at rising rates until p99 or errors break; beside what bare
 * SQLite does on this disk in the same run.
 */
export async function startFigures(options: { quick: boolean; log: (line: string) => void; sqlite?: SqliteBaseline }): Promise<StartFigures> {
  const seconds = options.quick ? 3 : 6;
  const timeoutMs = options.quick ? 5000 : 10_000;
  const rates = offeredRates("BENCH_START_RATES", options.quick, [500, 1000, 2000], [100, 200, 300, 500, 700, 1000, 1250, 1500, 2000, 3000]);
  // Measured once a run: the message load's baseline serves here too, minutes apart on the same disk.
  const sqlite = options.sqlite ?? (await measureSqliteBaseline(options.quick));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "livechat-starts-"));
  const server = child("server.ts", [], { DATABASE_URL: `sqlite:${path.join(dir, "starts.sqlite")}`, LOG_LEVEL: "error", BENCH_CONVERSATIONS: "100" });
  const generator = child("generator.ts", []);
  try {
    const ready = await next<FromServer>(server, (m) => m.type === "ready");
    if (ready.type !== "ready") throw new Error("unexpected");
    const stats = () => ask<ServerStats>(server, { type: "stats" }, (m) => m.type === "stats");
    // Untimed: the first starts load the roster and warm the code up.
    await fromGenerator(generator, { type: "starts", url: ready.url, channelId: ready.channelId, offered: 50, seconds: 2, timeoutMs }, "starts");
    const steps: StepResult[] = [];
    let sustained: StepResult | null = null;
    for (const offered of rates) {
      const before = await stats();
      const t0 = performance.now();
      const answer = await fromGenerator(generator, { type: "starts", url: ready.url, channelId: ready.channelId, offered, seconds, timeoutMs }, "starts");
      if (answer.type !== "starts") throw new Error("unexpected");
      const after = await stats();
      const result = answer.result;
      const server = serverDuringStep(before, after, performance.now() - t0, result.acknowledged + result.refused);
      result.server = server;
      steps.push(result);
      // Which bound refused them, when any did.
      const by = Object.entries(server.refusedBy ?? {})
        .filter(([, n]) => n > 0)
        .map(([bound, n]) => `${bound} ${n}`);
      options.log(
        `starts offered ${String(offered).padStart(5)}/s: achieved ${result.achieved}/s, answer p50 ${result.ack.p50} p99 ${result.ack.p99} ms, ` +
          `errors ${result.errors}, refused ${result.refused}${by.length ? ` (${by.join(", ")})` : ""}; server CPU ${server.cpuPercent}% (${server.cpuMsPerMessage} ms/start) lag p99 ${server.lagP99Ms} ms`,
      );
      if (!passes(result, P99_LIMIT_MS)) break;
      sustained = result;
      await new Promise((r) => setTimeout(r, 500));
    }
    return { operators: ready.logins.length, steps, sustained, sqlite, p99LimitMs: P99_LIMIT_MS, loadAverage: os.loadavg().map((l) => round(l, 1)) };
  } finally {
    generator.send({ type: "stop" });
    server.send({ type: "stop" });
    await Promise.all([server, generator].map((p) => (p.exitCode === null ? new Promise((r) => p.once("exit", r)) : null)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The figure beside its same-run baseline. */
export function startSummary(figures: StartFigures): string[] {
  const best = figures.sustained;
  const cpu = figures.steps.filter((s) => s.server && s.acknowledged > 0).map((s) => s.server?.cpuMsPerMessage ?? Infinity);
  return [
    best
      ? `  conversation starts sustained (answer p99 < ${figures.p99LimitMs} ms, no errors, ${figures.operators} operators): ${best.offered}/s offered, ${best.achieved}/s achieved, p99 ${best.ack.p99} ms`
      : `  no offered rate of starts held answer p99 < ${figures.p99LimitMs} ms without errors`,
    `    baseline bare SQLite, each commit flushed: ${figures.sqlite.durable.insertsPerSecond} single-row inserts/s` +
      (best ? ` (ratio ×${round(best.achieved / figures.sqlite.durable.insertsPerSecond, 3)})` : "") +
      `; not flushed: ${figures.sqlite.unflushed.insertsPerSecond}/s` +
      (best ? ` (ratio ×${round(best.achieved / figures.sqlite.unflushed.insertsPerSecond, 3)})` : ""),
    `  server CPU per start (lowest over the steps): ${cpu.length ? Math.min(...cpu) : NaN} ms, i.e. at most ${cpu.length ? round(1000 / Math.min(...cpu), 0) : NaN} starts per CPU-second`,
    `  load average during the run: ${figures.loadAverage.join(", ")}`,
  ];
}
