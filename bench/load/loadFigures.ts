import fs from "node:fs";
import os from "node:os";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { round } from "../stats";
import { CLIMB_TRANSPORT, transportName, type FromServer, type Sender, type ServerStats, type StepResult, type ToGenerator, type Transport } from "./protocol";
import { ask, child, fromGenerator, next } from "./processes";
import { serverDuringStep } from "./serverDuringStep";
import { stealMeter } from "../machine";
import { offeredRates } from "./offeredRates";

export interface LoadOptions {
  quick: boolean;
  log: (line: string) => void;
}

/** Bare SQLite, each commit on its own: single-row inserts and transactions shaped like a post, per second. */
export interface SqliteRates {
  insertsPerSecond: number;
  postTransactionsPerSecond: number;
}

export interface SqliteBaseline {
  /** Each commit flushed to the disk before the next (synchronous = FULL): what the server promises of an acknowledged write. */
  durable: SqliteRates;
  /** Commits left to the checkpoint's flush (synchronous = NORMAL, without the server's flush before acknowledging). */
  unflushed: SqliteRates;
  pragmas: string[];
}

export interface LoadFigures {
  setup: { conversations: number; operators: number; visitorSockets: number; operatorSockets: number; connectSeconds: number };
  /** Server memory with every socket open and nothing posted yet. */
  idleRssMb: number;
  steps: StepResult[];
  /** Highest offered rate with delivery p99 under the limit, nothing refused and no errors. */
  saturation: StepResult | null;
  /** The step at twice the saturation rate (how the server behaves past capacity). */
  overload: StepResult | null;
  /** The climb's transport (see `Transport`). */
  transport: Transport;
  /**
   * The saturation rate offered once more with the other transport (HTTP posts when the climb went
   * over the sockets), to compare the two at the same load; not one of `steps`.
   */
  otherTransport: StepResult | null;
  /** Operators replying at `REPLY_RATE` over their sockets and over HTTP, each delivered to the visitor's socket; not among `steps`. */
  replies: { socket: StepResult; http: StepResult };
  /** A bare `node:http` server refusing every post at the overload's rate: the floor under the host's refusals. */
  bareRefusals: BareRefusals | null;
  /** When the climb went over the sockets: a bare `ws` server answering every frame at the overload's rate, on as many sockets. */
  socketFloor: StepResult | null;
  echo: StepResult;
  sqlite: SqliteBaseline;
  p99LimitMs: number;
}

export interface BareRefusals {
  offered: number;
  refusedLatency: StepResult["refusedLatency"];
  errors: number;
  cpuPercent: number;
  cpuMsPerRequest: number;
  generatorLate: StepResult["generatorLate"];
}

const P99_LIMIT_MS = 100;
/** Operators' replies per second in the comparison of their two transports: well under what either carries here. */
const REPLY_RATE = 500;
/** How long each transport's replies are offered, in a full run as in a quick one: the full run stays under ten minutes. */
const REPLY_SECONDS = 3;

/** Bare SQLite on this disk, in its own process: over 1 s a variant in a quick run, 3 s in a full one. */
export function measureSqliteBaseline(quick: boolean): Promise<SqliteBaseline> {
  return next<SqliteBaseline>(child("baselines.ts", ["sqlite", quick ? "1" : "3"]));
}

export function passes(step: StepResult, limitMs = P99_LIMIT_MS): boolean {
  return step.errors === 0 && step.refused === 0 && step.delivery.p99 < limitMs && step.achieved >= step.offered * 0.9;
}

/**
 * Open-loop load against a real server process: the server, the load generator and the baselines
 * each in their own process. Offered rates step up until delivery p99 or errors break, then twice the
 * highest rate that held is offered to see how the server behaves past capacity.
 */
export async function loadFigures(options: LoadOptions): Promise<LoadFigures> {
  const log = options.log;
  const seconds = options.quick ? 3 : 8;
  const timeoutMs = options.quick ? 5000 : 10_000;
  const rates = offeredRates("BENCH_RATES", options.quick, [1000, 2000, 4000], [100, 200, 300, 500, 700, 1000, 1500, 2000, 3000, 4000, 6000]);

  const sqlite = await measureSqliteBaseline(options.quick);
  log(
    `bare SQLite (${sqlite.pragmas.join(", ")}), each commit flushed (synchronous=FULL): ${sqlite.durable.insertsPerSecond} single-row inserts/s, ${sqlite.durable.postTransactionsPerSecond} post-shaped transactions/s; ` +
      `unflushed (synchronous=NORMAL): ${sqlite.unflushed.insertsPerSecond}/s, ${sqlite.unflushed.postTransactionsPerSecond}/s`,
  );

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "livechat-load-"));
  const server = child("server.ts", [], { DATABASE_URL: `sqlite:${path.join(dir, "load.sqlite")}`, LOG_LEVEL: "error" });
  const generator = child("generator.ts", []);
  const echoServer = child("baselines.ts", ["echo"]);
  try {
    const ready = await next<FromServer>(server, (m) => m.type === "ready");
    if (ready.type !== "ready") throw new Error("unexpected");
    const connected = await fromGenerator(generator, { type: "connect", url: ready.url, conversations: ready.conversations, logins: ready.logins, password: ready.password, postConnections: true }, "connected");
    if (connected.type !== "connected") throw new Error("unexpected");
    log(`connected ${connected.operatorSockets} operators and ${connected.visitorSockets} visitors on WebSockets in ${connected.seconds} s`);
    const stats = () => ask<ServerStats>(server, { type: "stats" }, (m) => m.type === "stats");
    const idle = await stats();

    const echoReady = await next<{ url: string }>(echoServer);
    const echoResult = await fromGenerator(generator, { type: "echo", url: echoReady.url, sockets: 100, offered: 3000, seconds }, "echo");
    if (echoResult.type !== "echo") throw new Error("unexpected");
    const echo = echoResult.result;
    log(`bare ws echo at ${echo.offered}/s: p50 ${echo.ack.p50} ms, p99 ${echo.ack.p99} ms, errors ${echo.errors}`);

    log(CLIMB_TRANSPORT === "socket" ? "visitors send their messages over their sockets, as the widget does (BENCH_TRANSPORT=http: as HTTP POSTs)" : "visitors send their messages as HTTP POSTs");
    const steps: StepResult[] = [];
    const runStep = async (offered: number, transport: Transport = CLIMB_TRANSPORT, counted = true, from: Sender = "visitors", stepSeconds = seconds) => {
      await fromGenerator(generator, { type: "touch" }, "touched");
      const before = await stats();
      const t0 = performance.now();
      const steal = stealMeter();
      const answer = await fromGenerator(generator, { type: "step", offered, seconds: stepSeconds, timeoutMs, transport, from }, "step");
      if (answer.type !== "step") throw new Error("unexpected");
      const after = await stats();
      const result = answer.result;
      result.stealPercent = steal();
      result.server = serverDuringStep(before, after, performance.now() - t0, result.acknowledged + result.refused);
      if (counted) steps.push(result);
      log(describeStep(result));
      // Let the server finish whatever the step left behind before the next one.
      await new Promise((r) => setTimeout(r, 500));
      return result;
    };
    // Uncounted: most visitors post once (the server then knows their token) and the code warms up, so
    // the first step counted is not the one that pays for a cold start.
    await fromGenerator(generator, { type: "step", offered: 500, seconds: 3, timeoutMs, transport: CLIMB_TRANSPORT }, "step");
    await new Promise((r) => setTimeout(r, 500));
    // A rate that breaks is offered once more before the climb ends there: one moment of a shared
    // machine's noise (a stalled core, a neighbour's burst) can break a step on its own.
    const tryRate = async (rate: number) => {
      const first = await runStep(rate);
      if (passes(first) || process.env.BENCH_RATES) return first;
      log(`  (${rate}/s broke: offered once more)`);
      return runStep(rate);
    };
    let saturation: StepResult | null = null;
    let broke: number | null = null;
    for (const rate of rates) {
      const result = await tryRate(rate);
      if (passes(result) && broke === null) saturation = result;
      else broke ??= rate;
      // Rates given with BENCH_RATES are all offered; otherwise the first that breaks ends the climb.
      if (broke !== null && !process.env.BENCH_RATES) break;
    }
    // Narrow down between the last rate that held and the first that broke.
    for (let i = 0; i < (options.quick ? 1 : 2) && broke !== null && !process.env.BENCH_RATES; i++) {
      const low = saturation?.offered ?? 0;
      const mid = Math.round((low + broke) / 2 / 10) * 10;
      if (mid <= low || mid >= broke) break;
      const result = await tryRate(mid);
      if (passes(result)) saturation = result;
      else broke = mid;
    }
    let overload: StepResult | null = null;
    if (saturation) {
      const target = saturation.offered * 2;
      overload = steps.findLast((s) => s.offered === target) ?? (await runStep(target));
    }
    const other: Transport = CLIMB_TRANSPORT === "socket" ? "http" : "socket";
    if (saturation) log(`  the saturation rate again, over ${transportName(other)}:`);
    const otherTransport = saturation ? await runStep(saturation.offered, other, false) : null;
    log(`operators reply, each in a conversation of theirs, at ${REPLY_RATE}/s: over their pages' sockets, then over HTTP with the CSRF token`);
    const replies = {
      socket: await runStep(REPLY_RATE, "socket", false, "operators", REPLY_SECONDS),
      http: await runStep(REPLY_RATE, "http", false, "operators", REPLY_SECONDS),
    };
    log(describeReplies(replies));
    // A quick run measures only the floor of the climb's own transport.
    const bareRefusals = overload && (CLIMB_TRANSPORT === "http" || !options.quick) ? await refusalFloor(generator, overload.offered, seconds, timeoutMs) : null;
    if (bareRefusals) log(describeBareRefusals(bareRefusals));
    // Over the sockets, the floor is a bare ws server answering every frame at once, on as many sockets.
    let socketFloor: StepResult | null = null;
    if (overload && CLIMB_TRANSPORT === "socket") {
      const floor = await fromGenerator(generator, { type: "echo", url: echoReady.url, sockets: ready.conversations.length, offered: overload.offered, seconds }, "echo");
      if (floor.type !== "echo") throw new Error("unexpected");
      socketFloor = floor.result;
      log(describeSocketFloor(socketFloor));
    }
    return {
      setup: {
        conversations: ready.conversations.length,
        operators: ready.logins.length,
        visitorSockets: connected.visitorSockets,
        operatorSockets: connected.operatorSockets,
        connectSeconds: connected.seconds,
      },
      idleRssMb: round(idle.rss / 2 ** 20, 1),
      steps,
      saturation,
      overload,
      transport: CLIMB_TRANSPORT,
      otherTransport,
      replies,
      bareRefusals,
      socketFloor,
      echo,
      sqlite: { durable: sqlite.durable, unflushed: sqlite.unflushed, pragmas: sqlite.pragmas },
      p99LimitMs: P99_LIMIT_MS,
    };
  } finally {
    generator.send({ type: "stop" } satisfies ToGenerator);
    echoServer.send({ type: "stop" });
    server.send({ type: "stop" });
    await Promise.all([server, generator, echoServer].map((p) => (p.exitCode === null ? new Promise((r) => p.once("exit", r)) : null)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same open-loop posts, on as many connections, against a bare `node:http` server that refuses
 * every one: what answering that many requests costs here before the host does anything of its own.
 */
async function refusalFloor(generator: ChildProcess, offered: number, seconds: number, timeoutMs: number): Promise<BareRefusals> {
  const proc = child("baselines.ts", ["refuse"]);
  try {
    const { url } = await next<{ url: string }>(proc);
    await fromGenerator(generator, { type: "touch", url }, "touched");
    const cpu = async () => (await ask<{ cpuMicros: number }>(proc, { type: "stats" })).cpuMicros;
    const before = await cpu();
    const t0 = performance.now();
    const answer = await fromGenerator(generator, { type: "starts", url, channelId: 0, offered, seconds, timeoutMs }, "starts");
    if (answer.type !== "starts") throw new Error("unexpected");
    const cpuMs = ((await cpu()) - before) / 1000;
    const r = answer.result;
    return {
      offered,
      refusedLatency: r.refusedLatency,
      errors: r.sent - r.refused,
      cpuPercent: round((cpuMs / (performance.now() - t0)) * 100, 1),
      cpuMsPerRequest: round(cpuMs / Math.max(1, r.sent), 3),
      generatorLate: r.generatorLate,
    };
  } finally {
    proc.send({ type: "stop" });
    if (proc.exitCode === null) await new Promise((r) => proc.once("exit", r));
  }
}

/** Operators' replies over their sockets against over HTTP, at the same rate. */
export function describeReplies(r: LoadFigures["replies"]): string {
  const ratio = r.socket.server && r.http.server ? round(r.http.server.cpuMsPerMessage / r.socket.server.cpuMsPerMessage, 2) : "n/a";
  return (
    `  operators' replies at ${r.socket.offered}/s, over the sockets against HTTP: server CPU per reply ${r.socket.server?.cpuMsPerMessage ?? "n/a"} against ${r.http.server?.cpuMsPerMessage ?? "n/a"} ms (HTTP ×${ratio}), ` +
    `delivery to the visitor p50 ${r.socket.delivery.p50} against ${r.http.delivery.p50} ms, p99 ${r.socket.delivery.p99} against ${r.http.delivery.p99} ms, errors ${r.socket.errors} and ${r.http.errors}`
  );
}

export function describeBareRefusals(b: BareRefusals): string {
  const q = b.refusedLatency;
  return (
    `bare node:http refusing every post at ${b.offered}/s: refusal p50 ${q?.p50 ?? "-"} p99 ${q?.p99 ?? "-"} max ${q?.max ?? "-"} ms, not refused ${b.errors}; ` +
    `its CPU ${b.cpuPercent}% (${b.cpuMsPerRequest} ms/request)${b.generatorLate ? `; generator late p99 ${b.generatorLate.p99} ms` : ""}`
  );
}

export function describeSocketFloor(f: StepResult): string {
  return `bare ws answering every frame at ${f.offered}/s on as many sockets: p50 ${f.ack.p50} p99 ${f.ack.p99} max ${f.ack.max} ms, unanswered ${f.errors}; generator CPU ${f.generatorCpuPercent}%`;
}

/** Refusals by bound, those that refused any. */
function refusedBy(counts: Record<string, number> | undefined): string {
  const parts = Object.entries(counts ?? {}).filter(([, n]) => n > 0);
  return parts.length ? ` (refused by ${parts.map(([bound, n]) => `${bound} ${n}`).join(", ")})` : "";
}

/** Connections the generator had to open mid-step, if any: a busy server accepts one per event-loop turn. */
export function connectionsOpened(s: StepResult): string {
  return s.connectionsOpened ? `, ${s.connectionsOpened} connections opened mid-step` : "";
}

/** How often the SQLite log was flushed, and how many acknowledged messages each flush served. */
function logFlushes(s: StepResult): string {
  const perSecond = s.server?.logFlushesPerSecond;
  if (!perSecond) return "";
  return `; log flushes ${perSecond}/s (${round(s.achieved / perSecond, 1)} messages each)`;
}

export function describeStep(s: StepResult): string {
  // Timed inside the server for HTTP requests only: a post over a socket is not a request.
  const timed = s.server && (s.server.answerP99Ms !== null || s.server.refusalP99Ms !== null);
  const inside =
    s.server && timed ? `, in the server: answer p99 ${s.server.answerP99Ms ?? "-"} ms${s.server.refusalP99Ms === null ? "" : `, refusal p99 ${s.server.refusalP99Ms} ms`}` : "";
  const server = s.server
    ? `server CPU ${s.server.cpuPercent}% (${s.server.cpuMsPerMessage} ms/message${s.server.wakeupsPerMessage === null ? "" : `, ${s.server.wakeupsPerMessage} wake-ups`}) RSS ${s.server.rssMb} MB lag p99 ${s.server.lagP99Ms} ms${inside}${refusedBy(s.server.refusedBy)}${logFlushes(s)}`
    : "";
  const refused = s.refusedLatency ? ` refused ${s.refused} (p99 ${s.refusedLatency.p99} ms)` : "";
  return (
    `${s.from === "operators" ? "replies " : ""}offered ${String(s.offered).padStart(5)}/s${s.transport === "http" ? " over HTTP" : ""}: achieved ${String(s.achieved).padStart(7)}/s, delivery p50 ${s.delivery.p50} p95 ${s.delivery.p95} p99 ${s.delivery.p99} max ${s.delivery.max} ms, ` +
    `ack p99 ${s.ack.p99} ms, errors ${s.errors}${s.errors && s.errorKinds ? ` (${Object.entries(s.errorKinds).map(([kind, n]) => `${kind}: ${n}`).join(", ")})` : ""}${refused}${connectionsOpened(s)}; ` +
    `${server}; generator CPU ${s.generatorCpuPercent}%${s.generatorLate ? `, late p99 ${s.generatorLate.p99} ms` : ""}${stolen(s)}`
  );
}

/** The machine's CPU time the hypervisor gave elsewhere during a step, when known. */
export function stolen(s: StepResult): string {
  return s.stealPercent == null ? "" : `; steal ${s.stealPercent}%`;
}

/** Latency against offered rate, log-log, hand-drawn SVG. */
export function chartSvg(load: LoadFigures): string {
  const W = 640, H = 400, L = 60, R = 150, T = 30, B = 50;
  // A rate offered twice (it broke once) is drawn from its last step.
  const last = new Map(load.steps.map((s) => [s.offered, s]));
  const steps = [...last.values()].filter((s) => s.delivery.count > 0).sort((a, b) => a.offered - b.offered);
  const xs = steps.map((s) => s.offered);
  const ys = steps.flatMap((s) => [s.delivery.p50, s.delivery.p99, s.ack.p99]).concat([load.p99LimitMs, load.echo.ack.p99]);
  const x0 = Math.log10(Math.min(...xs, 100)), x1 = Math.log10(Math.max(...xs, 1000));
  const y0 = Math.floor(Math.log10(Math.max(0.1, Math.min(...ys)))), y1 = Math.ceil(Math.log10(Math.max(...ys, 1000)));
  const px = (v: number) => L + ((Math.log10(v) - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (v: number) => T + (1 - (Math.log10(Math.max(v, 10 ** y0)) - y0) / (y1 - y0 || 1)) * (H - T - B);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${L - 6}" y="${y + 4}" text-anchor="end">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(1)} ms</text>`);
  }
  // Every rate has its grid line; a label too close to the one before it is left out, so none overlap.
  let labelledUpTo = -Infinity;
  for (const v of [...new Set(xs)].sort((a, b) => a - b)) {
    const x = px(v);
    const half = String(v).length * 3.5;
    const label = x - half >= labelledUpTo + 4 ? `<text x="${x}" y="${H - B + 16}" text-anchor="middle">${v}</text>` : "";
    if (label) labelledUpTo = x + half;
    parts.push(`<line x1="${x}" x2="${x}" y1="${T}" y2="${H - B}" stroke="#eee"/>${label}`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">offered visitor messages per second (open loop)</text>`);
  parts.push(`<text x="${L}" y="${T - 12}">Latency against offered rate (${load.setup.conversations} conversations, ${load.setup.operators} operators, SQLite)</text>`);
  const series: [string, string, (s: StepResult) => number, string][] = [
    ["delivery p50", "#1f77b4", (s) => s.delivery.p50, ""],
    ["delivery p99", "#d62728", (s) => s.delivery.p99, ""],
    ["POST answer p99", "#ff7f0e", (s) => s.ack.p99, "4 3"],
  ];
  series.forEach(([name, color, value, dash], i) => {
    const points = steps.map((s) => `${px(s.offered).toFixed(1)},${py(value(s)).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/>`);
    for (const s of steps) parts.push(`<circle cx="${px(s.offered).toFixed(1)}" cy="${py(value(s)).toFixed(1)}" r="2.5" fill="${color}"/>`);
    parts.push(`<line x1="${W - R + 10}" x2="${W - R + 30}" y1="${T + 10 + i * 18}" y2="${T + 10 + i * 18}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/><text x="${W - R + 35}" y="${T + 14 + i * 18}">${name}</text>`);
  });
  const limitY = py(load.p99LimitMs);
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${limitY}" y2="${limitY}" stroke="#999" stroke-dasharray="2 2"/><text x="${W - R + 10}" y="${limitY + 4}">p99 limit</text>`);
  const echoY = py(load.echo.ack.p99);
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${echoY}" y2="${echoY}" stroke="#2ca02c" stroke-dasharray="6 3"/><text x="${W - R + 10}" y="${echoY + 4}">bare ws p99 @${load.echo.offered}/s</text>`);
  if (load.saturation) {
    const x = px(load.saturation.offered);
    parts.push(`<line x1="${x}" x2="${x}" y1="${T}" y2="${H - B}" stroke="#555" stroke-dasharray="1 3"/><text x="${x + 4}" y="${H - B - 6}">saturation</text>`);
  }
  parts.push(`<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#000"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#000"/>`);
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
