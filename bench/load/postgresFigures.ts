import os from "node:os";
import { performance } from "node:perf_hooks";
import type { ChildProcess } from "node:child_process";
import { freshPostgresUrl } from "../../test/support/postgres";
import { round } from "../stats";
import { CLIMB_TRANSPORT, type FromServer, type ServerStats, type StepResult, type ToGenerator } from "./protocol";
import { ask, child, fromGenerator, next } from "./processes";
import { connectionsOpened, passes, stolen } from "./loadFigures";
import { stealMeter } from "../machine";
import { wakeupsPer } from "./serverDuringStep";
import type { SleepingCost } from "./sleepingCost";
import { offeredRates } from "./offeredRates";

export interface PostgresBaseline {
  postTransactionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** One step against one or two instances: the generator's figures, and each instance's CPU during it. */
export interface PostgresStep extends StepResult {
  /** Each instance: its CPU, its event-loop lag, and its own answer time for the posts it took (from the request event). */
  instances: { name: string; cpuPercent: number; cpuMsPerMessage: number; wakeupsPerMessage: number | null; lagP99Ms: number; answerP99Ms: number | null }[];
  /** Messages delivered per CPU-second of all instances together, and of the busiest instance alone. */
  messagesPerCpuSecond: number;
  messagesPerBusiestCpuSecond: number;
}

export interface PostgresDeployment {
  instances: number;
  steps: PostgresStep[];
  /** Highest offered rate with delivery p99 under the limit, nothing refused and no errors. */
  saturation: PostgresStep | null;
}

export interface PostgresFigures {
  baseline: PostgresBaseline;
  p99LimitMs: number;
  one: PostgresDeployment;
  two: PostgresDeployment;
  /** Two instances against one: messages at saturation, and per CPU-second (same offered rate). */
  scaling: {
    rate: number | null;
    rawThroughputRatio: number | null;
    perCpuSecondRatio: number | null;
    perBusiestInstanceCpuSecondRatio: number | null;
    /**
     * The busiest of the two instances at `rate` against one instance alone at half of it (the share
     * each takes): what sharing the work adds, each instance hearing every notification. 1 means nothing.
     */
    busiestAgainstHalfRate: number | null;
    /**
     * One instance's CPU per message at half of `rate` against at `rate`: how much dearer a message
     * is on an instance half as busy (fewer messages per wake-up, per round trip, per cache warm-up).
     */
    halfRateCostRatio: number | null;
    /**
     * Two instances at `rate` against one instance at half of it, each instance then taking the same
     * share of posts: messages per CPU-second of the busiest instance. The figure at the same total
     * rate compares a busier single instance, which is cheaper per message, with two idler ones.
     */
    perBusiestCpuSecondAtEqualShare: number | null;
    /**
     * The machine's own part of `halfRateCostRatio` (see sleepingCost.ts): a fixed piece of work as
     * long as one instance's CPU per message at `rate`, in bursts at half of `rate` against at `rate`;
     * and the ratio per CPU-second of the busiest that a server paying only that would show.
     */
    machine: { burstMs: number; halfRateCostRatio: number; perBusiestInstanceCpuSecondRatio: number } | null;
    limit: string;
  };
  loadAverage: number[];
}

const P99_LIMIT_MS = 50;

/**
 * Open-loop load on PostgreSQL (127.0.0.1, user postgres, database test), each deployment on a fresh
 * schema dropped afterwards: first one instance, then two sharing the database, each visitor posting
 * to and listening on one and its operator on the other (half the operators on each), so every
 * delivery to an operator crosses LISTEN/NOTIFY and both instances carry half the load. Beside them,
 * a bare `pg` client doing a post's writes one at a time, in the same run.
 */
export async function postgresFigures(options: { quick: boolean; log: (line: string) => void }): Promise<PostgresFigures> {
  const log = options.log;
  const seconds = options.quick ? 3 : 8;
  const rates = offeredRates("BENCH_RATES", options.quick, [200, 400], [50, 100, 150, 200, 300, 400, 500, 600, 800, 1000]);

  const bare = await freshPostgresUrl("bench_bare");
  let baseline: PostgresBaseline;
  try {
    const proc = child("baselines.ts", ["postgres", bare.url, options.quick ? "1.5" : "3"]);
    baseline = await next<PostgresBaseline>(proc);
    log(`bare pg client, a post's writes one transaction at a time: ${baseline.postTransactionsPerSecond} tx/s, p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms`);
  } finally {
    await bare.drop();
  }

  const one = await deployment(1, rates, seconds, log);
  const two = await deployment(2, rates, seconds, log);

  // CPU per message compares at the highest rate both deployments kept up with (its latency aside).
  const keptUp = (s: StepResult) => s.errors === 0 && s.achieved >= s.offered * 0.9;
  const common = one.steps
    .filter(keptUp)
    .map((s) => s.offered)
    .filter((rate) => two.steps.some((t) => t.offered === rate && keptUp(t)));
  const rate = common.length ? Math.max(...common) : null;
  // A rate offered twice (it broke once) counts as its last step.
  const at = (d: PostgresDeployment) => d.steps.findLast((s) => s.offered === rate);
  const a = at(one);
  const b = at(two);
  const half = rate === null ? undefined : one.steps.findLast((s) => s.offered === rate / 2);
  const rawThroughputRatio = one.saturation && two.saturation ? round(two.saturation.achieved / one.saturation.achieved, 2) : null;
  const scaling = {
    rate,
    rawThroughputRatio,
    perCpuSecondRatio: a && b ? round(b.messagesPerCpuSecond / a.messagesPerCpuSecond, 2) : null,
    perBusiestInstanceCpuSecondRatio: a && b ? round(b.messagesPerBusiestCpuSecond / a.messagesPerBusiestCpuSecond, 2) : null,
    busiestAgainstHalfRate: b && half ? round(Math.max(...b.instances.map((i) => i.cpuPercent)) / half.instances[0].cpuPercent, 2) : null,
    halfRateCostRatio: a && half ? round(half.instances[0].cpuMsPerMessage / a.instances[0].cpuMsPerMessage, 2) : null,
    perBusiestCpuSecondAtEqualShare: b && half ? round(b.messagesPerBusiestCpuSecond / half.messagesPerBusiestCpuSecond, 2) : null,
    machine: rate !== null && a ? await machineSleepingCost(a.instances[0].cpuMsPerMessage, rate, options.quick) : null,
    limit: "",
  };
  scaling.limit = limitHit(one, two);
  return { baseline, p99LimitMs: P99_LIMIT_MS, one, two, scaling, loadAverage: os.loadavg().map((l) => round(l, 2)) };
}

/** The fixed work's CPU per burst at half of `rate` against at `rate`, in a process of its own. */
async function machineSleepingCost(burstMs: number, rate: number, quick: boolean): Promise<PostgresFigures["scaling"]["machine"]> {
  const cost = await next<SleepingCost>(child("sleepingCost.ts", [String(burstMs), quick ? "0.5" : "2", String(rate), String(rate / 2)]));
  const ratio = cost.perBurstMs[rate / 2] / cost.perBurstMs[rate];
  return { burstMs, halfRateCostRatio: round(ratio, 2), perBusiestInstanceCpuSecondRatio: round(2 / ratio, 2) };
}

/** What stopped the two-instance deployment: its own delivery p99, or the cores it shares with PostgreSQL and the generator. */
function limitHit(one: PostgresDeployment, two: PostgresDeployment): string {
  // The rate that ended the climb: one that broke and never held (a rate offered again may have held).
  const broke = two.steps.find((s) => !passes(s, P99_LIMIT_MS) && !two.steps.some((t) => t.offered === s.offered && passes(t, P99_LIMIT_MS)));
  if (!broke) return "none: every offered rate held";
  const serverCpu = broke.instances.reduce((sum, i) => sum + i.cpuPercent, 0);
  const busiest = Math.max(...broke.instances.map((i) => i.cpuPercent));
  const machine = os.cpus().length * 100;
  const cores =
    `at ${broke.offered}/s the instances used ${round(serverCpu, 0)}% CPU (busiest ${round(busiest, 0)}%), the generator ${broke.generatorCpuPercent}%, ` +
    `of ${machine}% on ${os.cpus().length} cores shared with PostgreSQL`;
  const oneAt = one.steps.findLast((s) => s.offered === broke.offered);
  return busiest >= 90 ? `one instance's core: ${cores}` : `the machine's cores${oneAt && !passes(oneAt, P99_LIMIT_MS) ? " (one instance broke there too)" : ""}: ${cores}`;
}

async function deployment(count: 1 | 2, rates: number[], seconds: number, log: (line: string) => void): Promise<PostgresDeployment> {
  const timeoutMs = 5000;
  const pg = await freshPostgresUrl("bench_load");
  const servers: ChildProcess[] = [];
  const generator = child("generator.ts", []);
  try {
    const start = (name: string, join: boolean) => {
      const server = child("server.ts", [], { DATABASE_URL: `${pg.url}&application_name=bench_${name}`, LOG_LEVEL: "error", BENCH_JOIN: join ? "1" : "0" });
      servers.push(server);
      return next<FromServer>(server, (m) => m.type === "ready");
    };
    const ready = await start("a", false);
    if (ready.type !== "ready") throw new Error("unexpected");
    const second = count === 2 ? await start("b", true) : null;
    const otherUrl = second?.type === "ready" ? second.url : undefined;
    const connected = await fromGenerator(
      generator,
      { type: "connect", url: ready.url, otherUrl, conversations: ready.conversations, logins: ready.logins, password: ready.password, postConnections: true },
      "connected",
    );
    if (connected.type !== "connected") throw new Error("unexpected");
    const title = count === 1 ? "one instance" : "two instances (each visitor on one, its operator on the other)";
    log(`PostgreSQL, ${title}: ${connected.operatorSockets} operators and ${connected.visitorSockets} visitors connected in ${connected.seconds} s`);
    const stats = () => Promise.all(servers.map((s) => ask<ServerStats>(s, { type: "stats" }, (m) => m.type === "stats")));
    await stats();
    // Not counted: the first posts meet cold code, statements not yet prepared and connections not yet open.
    await fromGenerator(generator, { type: "step", offered: rates[0], seconds: 2, timeoutMs, transport: CLIMB_TRANSPORT }, "step");
    const steps: PostgresStep[] = [];
    let saturation: PostgresStep | null = null;
    const offer = async (offered: number): Promise<PostgresStep> => {
      await fromGenerator(generator, { type: "touch" }, "touched");
      const before = await stats();
      const t0 = performance.now();
      const steal = stealMeter();
      const answer = await fromGenerator(generator, { type: "step", offered, seconds, timeoutMs, transport: CLIMB_TRANSPORT }, "step");
      if (answer.type !== "step") throw new Error("unexpected");
      const after = await stats();
      const elapsedMs = performance.now() - t0;
      const result = answer.result;
      result.stealPercent = steal();
      const handled = Math.max(1, result.acknowledged + result.refused);
      const cpuMs = after.map((a, i) => (a.cpuMicros - before[i].cpuMicros) / 1000);
      const instances = cpuMs.map((ms, i) => ({
        name: String.fromCharCode(65 + i),
        cpuPercent: round((ms / elapsedMs) * 100, 1),
        cpuMsPerMessage: round(ms / handled, 3),
        wakeupsPerMessage: wakeupsPer(before[i], after[i], handled),
        lagP99Ms: round(after[i].lagP99Ms, 1),
        answerP99Ms: after[i].answerP99Ms === null ? null : round(after[i].answerP99Ms, 1),
      }));
      const delivered = result.delivery.count;
      const step: PostgresStep = {
        ...result,
        instances,
        messagesPerCpuSecond: round(delivered / (cpuMs.reduce((a, b) => a + b, 0) / 1000), 0),
        messagesPerBusiestCpuSecond: round(delivered / (Math.max(...cpuMs) / 1000), 0),
      };
      steps.push(step);
      log(describePostgresStep(step));
      await new Promise((r) => setTimeout(r, 500));
      return step;
    };
    for (const offered of rates) {
      let step = await offer(offered);
      // Rates given with BENCH_RATES are all offered once; otherwise a rate that breaks is offered once
      // more (one moment of a shared machine's noise can break a step), and if it breaks again the climb ends.
      if (!passes(step, P99_LIMIT_MS) && !process.env.BENCH_RATES) {
        log(`  (${offered}/s broke: offered once more)`);
        step = await offer(offered);
      }
      if (passes(step, P99_LIMIT_MS) && (!saturation || saturation.offered < step.offered)) saturation = step;
      if (!passes(step, P99_LIMIT_MS) && !process.env.BENCH_RATES) break;
    }
    return { instances: count, steps, saturation };
  } finally {
    generator.send({ type: "stop" } satisfies ToGenerator);
    for (const server of servers) server.send({ type: "stop" });
    await Promise.all([...servers, generator].map((p) => (p.exitCode === null ? new Promise((r) => p.once("exit", r)) : null)));
    await pg.drop();
  }
}

export function describePostgresStep(s: PostgresStep): string {
  const cpu = s.instances.map((i) => `${i.name} ${i.cpuPercent}% (${i.cpuMsPerMessage} ms/msg${i.wakeupsPerMessage === null ? "" : `, ${i.wakeupsPerMessage} wake-ups/msg`}, lag p99 ${i.lagP99Ms} ms${i.answerP99Ms === null ? "" : `, answer p99 ${i.answerP99Ms} ms`})`).join(", ");
  return (
    `offered ${String(s.offered).padStart(4)}/s: achieved ${s.achieved}/s, delivery p50 ${s.delivery.p50} p95 ${s.delivery.p95} p99 ${s.delivery.p99} max ${s.delivery.max} ms, ` +
    `ack p99 ${s.ack.p99} ms, errors ${s.errors}, refused ${s.refused}${connectionsOpened(s)}; server CPU ${cpu}; ${s.messagesPerCpuSecond} msgs per server CPU-second ` +
    `(${s.messagesPerBusiestCpuSecond} per CPU-second of the busiest); generator CPU ${s.generatorCpuPercent}%${stolen(s)}`
  );
}

/** The PostgreSQL figures beside their same-run baseline. */
export function postgresSummary(pg: PostgresFigures): string[] {
  const lines = ["", `PostgreSQL summary (same run, delivery p99 limit ${pg.p99LimitMs} ms):`];
  lines.push(`  baseline bare pg client, a post's writes one at a time: ${pg.baseline.postTransactionsPerSecond} tx/s, p99 ${pg.baseline.p99Ms} ms`);
  for (const d of [pg.one, pg.two]) {
    const name = d.instances === 1 ? "one instance" : "two instances";
    const s = d.saturation;
    const at200 = d.steps.findLast((x) => x.offered === 200);
    lines.push(
      s
        ? `  ${name}: highest rate held ${s.offered}/s (achieved ${s.achieved}/s, delivery p50 ${s.delivery.p50} p99 ${s.delivery.p99} ms; ratio to bare pg tx/s ×${round(s.achieved / pg.baseline.postTransactionsPerSecond, 2)})`
        : `  ${name}: no offered rate held delivery p99 < ${pg.p99LimitMs} ms`,
    );
    if (at200) lines.push(`    at 200/s: delivery p99 ${at200.delivery.p99} ms (${at200.delivery.p99 <= pg.p99LimitMs ? "within" : "over"} ${pg.p99LimitMs} ms), ${at200.messagesPerCpuSecond} msgs per server CPU-second`);
  }
  const sc = pg.scaling;
  lines.push(`  two against one: raw throughput ×${sc.rawThroughputRatio ?? "n/a"} (bound by this machine's ${os.cpus().length} cores)`);
  lines.push(
    `    at ${sc.rate ?? "n/a"}/s: messages per CPU-second of all instances ×${sc.perCpuSecondRatio ?? "n/a"}, per CPU-second of the busiest instance ×${sc.perBusiestInstanceCpuSecondRatio ?? "n/a"} ` +
      `(the throughput two instances would reach with a core each)`,
  );
  if (sc.rate !== null) {
    lines.push(
      `    the busiest of two at ${sc.rate}/s against one alone at ${sc.rate / 2}/s (its share): CPU ×${sc.busiestAgainstHalfRate ?? "n/a"}; ` +
        `one instance's CPU per message at ${sc.rate / 2}/s against at ${sc.rate}/s: ×${sc.halfRateCostRatio ?? "n/a"}`,
    );
    if (sc.machine)
      lines.push(
        `    the machine's own: the same work in bursts (${sc.machine.burstMs} ms, one instance's CPU per message at ${sc.rate}/s) costs ×${sc.machine.halfRateCostRatio} as much CPU ` +
          `at ${sc.rate / 2} bursts a second as at ${sc.rate}; a server paying only that would show ×${sc.machine.perBusiestInstanceCpuSecondRatio} per CPU-second of the busiest`,
      );
    lines.push(
      `    two at ${sc.rate}/s against one at ${sc.rate / 2}/s (the same share of posts per instance): messages per CPU-second of the busiest instance ×${sc.perBusiestCpuSecondAtEqualShare ?? "n/a"}`,
    );
  }
  lines.push(`    limit hit: ${sc.limit}`);
  lines.push(`  load average: ${pg.loadAverage.join(", ")}`);
  return lines;
}
