import fs from "node:fs";
import os from "node:os";
import http from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import WebSocket, { WebSocketServer } from "ws";
import request from "supertest";
import { Host, ROOT_DIR } from "../host/app";
import { SOCKET_LIMIT_SETTINGS } from "../host/bus/SocketLimits";
import { ConsoleLogger } from "../host/logger";
import { LivechatChannel } from "../module/models/LivechatChannel";
import { tempSqliteUrl } from "../test/support/testHost";
import { conversationFigures, decisionTime } from "./conversations";
import { reportFigures } from "./reports";
import { idleFigures, idleSocketCount, openFilesLimit, type IdleFigures } from "./load/idleFigures";
import { chartSvg, describeBareRefusals, describeReplies, describeSocketFloor, describeStep, loadFigures, type LoadFigures, type SqliteBaseline } from "./load/loadFigures";
import { postgresFigures, postgresSummary, type PostgresFigures } from "./load/postgresFigures";
import { transportName } from "./load/protocol";
import { postgresAvailable } from "../test/support/postgres";
import { startFigures, startSummary, type StartFigures } from "./load/startFigures";
import { widgetDownload } from "./widgetDownload";
import { describeMachine, MachineWatch, type MachineReading } from "./machine";
import { RunDurations } from "./runDurations";
import { percentile, round, withBaseline, type Figure } from "./stats";

/**
 * `npm run bench`: figures for the host on loopback, each next to a baseline measured in the same run
 * (these machines are shared and noisy, so ratios mean more than absolute times). First the host in
 * this process (one request at a time), then open-loop load against a server in its own process
 * (bench/load/). `npm run bench -- --quick` takes shorter samples and steps.
 */
const QUICK = process.argv.includes("--quick");
/** `--load`: only the open-loop load figures (and idle sockets); `--idle`: only idle sockets. */
const LOAD_ONLY = process.argv.includes("--load");
const IDLE_ONLY = process.argv.includes("--idle");
/** `--postgres`: only the PostgreSQL load figures (one instance, then two), kept beside the last run's others in results.json. */
const POSTGRES_ONLY = process.argv.includes("--postgres");
/** Idle visitor sockets measured: the goal's 50,000, or as many as a process may open files for here (fewer with --quick). */
const OPEN_FILES_LIMIT = openFilesLimit();
const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS ?? idleSocketCount(OPEN_FILES_LIMIT, QUICK));
/** `--decision`: only the assignment decision, beside bare inserts; `--starts`: only conversation starts against a server process. */
const DECISION_ONLY = process.argv.includes("--decision");
const STARTS_ONLY = process.argv.includes("--starts");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 100 : 300));

async function bareWsRoundTrip(): Promise<number[]> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => ws.on("message", (data) => ws.send(data)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((r) => ws.once("open", r));
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await new Promise<void>((resolve) => {
      ws.once("message", () => resolve());
      ws.send(JSON.stringify({ i }));
    });
    times.push(performance.now() - start);
  }
  ws.close();
  wss.close();
  server.close();
  return times;
}

async function hostFigures() {
  const host = await Host.create({
    databaseUrl: tempSqliteUrl(),
    modules: [ROOT_DIR],
    logger: new ConsoleLogger("error"),
    demo: "never",
    schedulerTickMs: null,
  });
  await host.loadDemo();
  // The benchmark is one client address sending far more than a visitor would.
  await host.settings.set("livechat.visitor_reads_per_minute", "1000000000");
  await host.settings.set("livechat.visitor_writes_per_minute", "1000000000");
  await host.settings.set(SOCKET_LIMIT_SETTINGS.address.key, "1000000");
  const url = await host.start(0, "127.0.0.1");
  try {
    const agent = request.agent(url);
    const form = await agent.get("/web/login");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] as string;
    const login = await agent.post("/web/login").type("form").send({ login: "mitchell", password: "mitchell", _csrf: csrf });
    const cookie = ([] as string[]).concat(login.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
    const user = (await host.users.findByLogin("mitchell"))!;

    const ws = new WebSocket(`${url.replace("http", "ws")}/websocket`, { headers: { Cookie: cookie } });
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify({ op: "hello", last: null }));
    await new Promise<void>((resolve) => ws.on("message", (d) => String(d).includes('"ready"') && resolve()));
    const publishToSocket: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const start = performance.now();
      await new Promise<void>((resolve) => {
        ws.once("message", () => resolve());
        void host.bus.publish(`user:${user.id}`, "bench.ping", { i });
      });
      publishToSocket.push(performance.now() - start);
    }
    ws.close();

    const bareInsert: number[] = [];
    const insertsStart = performance.now();
    for (let i = 0; i < ROUNDS * 5; i++) {
      const start = performance.now();
      await host.db.query("INSERT INTO host_setting (key, value) VALUES (?, ?)", [`bench.${i}`, "x"]);
      bareInsert.push(performance.now() - start);
    }
    const bareInsertsPerSecond = (ROUNDS * 5) / ((performance.now() - insertsStart) / 1000);

    const page: number[] = [];
    for (let i = 0; i < Math.min(ROUNDS, 200); i++) {
      const start = performance.now();
      await agent.get("/my/profile").expect(200);
      page.push(performance.now() - start);
    }
    const bare = http.createServer((_req, res) => res.end("<html></html>"));
    await new Promise<void>((r) => bare.listen(0, "127.0.0.1", () => r()));
    const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;
    const barePage: number[] = [];
    for (let i = 0; i < Math.min(ROUNDS, 200); i++) {
      const start = performance.now();
      await request(bareUrl).get("/").expect(200);
      barePage.push(performance.now() - start);
    }
    bare.close();
    const [channel] = await host.db.getRepository(LivechatChannel).find({ order: { id: "ASC" }, take: 1 });
    const widget = await widgetDownload(url, channel.id);
    const conversations = await conversationFigures(host, url, ROUNDS);
    return { publishToSocket, bareInsert, bareInsertsPerSecond, page, barePage, conversations, widget };
  } finally {
    await host.stop();
  }
}

/** The machine's speed at the start and at the end of the run (see MachineWatch). */
const machine = new MachineWatch();
let machineAtStart: MachineReading | null = null;

const durations = new RunDurations();

function machineFigures(): { start: MachineReading | null; end: MachineReading; durations: ReturnType<RunDurations["figures"]> } {
  const end = machine.read();
  process.stdout.write(`${describeMachine("Machine at the end (steal since the start)", end)}\n`);
  process.stdout.write(`${durations.describe()}\n`);
  return { start: machineAtStart, end, durations: durations.figures() };
}

async function main(): Promise<void> {
  machineAtStart = machine.read();
  process.stdout.write(`${describeMachine("Machine at the start", machineAtStart)}\n`);
  if (IDLE_ONLY) return void (await runIdle());
  if (DECISION_ONLY) return runDecision();
  if (POSTGRES_ONLY) return writePostgresResults(await runPostgres());
  if (STARTS_ONLY) return void (await runStarts());
  if (LOAD_ONLY) return writeResults([], await runLoad(), await runIdle());
  const figures = await durations.timed("in-process figures", inProcessFigures);
  const load = await runLoad();
  const idle = await runIdle();
  writeResults(figures, load, idle, (await postgresAvailable()) ? await runPostgres() : undefined, await runStarts(load.sqlite));
}

/** The figures measured inside this process, against a host it creates, each beside its baseline. */
async function inProcessFigures(): Promise<Figure[]> {
  const wsBase = await bareWsRoundTrip();
  const host = await hostFigures();
  const figures: Figure[] = [];
  const p = (sample: number[], q: number) => round(percentile([...sample], q));
  for (const q of [50, 99]) {
    figures.push(
      withBaseline({ name: `bus publish → WebSocket delivery p${q}`, unit: "ms", value: p(host.publishToSocket, q) }, `bare ws round trip p${q}`, p(wsBase, q)),
    );
    figures.push(
      withBaseline({ name: `logged-in page (My Profile) p${q}`, unit: "ms", value: p(host.page, q) }, `bare node http page p${q}`, p(host.barePage, q)),
    );
  }
  const c = host.conversations;
  for (const q of [50, 99]) {
    figures.push(
      withBaseline({ name: `conversation start (HTTP) p${q}`, unit: "ms", value: p(c.startLatency, q) }, `bare insert p${q}`, p(host.bareInsert, q)),
    );
  }
  figures.push(
    withBaseline(
      { name: "conversation starts per second (20 in flight)", unit: "/s", value: round(c.startThroughput, 1) },
      "bare inserts per second",
      round(host.bareInsertsPerSecond, 1),
    ),
  );
  for (const [concurrent, sample] of c.delivery) {
    for (const q of [50, 99]) {
      figures.push(
        withBaseline(
          { name: `visitor → operator delivery, ${concurrent} conversations, p${q}`, unit: "ms", value: p(sample, q) },
          `bare ws round trip p${q}`,
          p(wsBase, q),
        ),
      );
    }
  }
  figures.push(
    withBaseline(
      { name: "persisted messages per second (50 in flight)", unit: "/s", value: round(c.persistedPerSecond, 1) },
      "bare inserts per second",
      round(host.bareInsertsPerSecond, 1),
    ),
  );
  for (const q of [50, 99]) {
    figures.push(
      withBaseline(
        { name: `assignment decision, 1,000 operators / 10,000 open, p${q}`, unit: "ms", value: p(c.decision.decide, q) },
        `bare insert p${q}`,
        p(host.bareInsert, q),
      ),
      withBaseline(
        { name: `the process's CPU time (all threads) during the assignment decision, p${q}`, unit: "ms", value: p(c.decision.decideCpu, q) },
        `bare insert p${q}`,
        p(host.bareInsert, q),
      ),
      withBaseline(
        { name: `assignment decision with its transaction and lock, p${q}`, unit: "ms", value: p(c.decision.whole, q) },
        `bare insert p${q}`,
        p(host.bareInsert, q),
      ),
    );
  }

  figures.push(...(await reportFigures(QUICK ? 100_000 : 1_000_000, (line) => process.stdout.write(`${line}\n`))));

  // Not a speed: what every visitor of an embedding website pays before chatting (goal: under 30 KB).
  figures.push({
    name: "visitor widget download before the first message (gzip)",
    unit: "KB",
    value: round(host.widget.total / 1024, 1),
    detail: Object.fromEntries(Object.entries(host.widget.files).map(([file, bytes]) => [file, round(bytes / 1024, 1)])),
  });

  const lines = figures.map((f) =>
    f.baseline
      ? `${f.name.padEnd(58)} ${String(f.value).padStart(9)} ${f.unit}   baseline ${f.baseline.name}: ${f.baseline.value} ${f.unit}   ratio ×${round(f.baseline.ratio, 2)}`
      : `${f.name.padEnd(58)} ${String(f.value).padStart(9)} ${f.unit}${f.detail ? `   (${Object.entries(f.detail).map(([k, v]) => `${k} ${v}`).join(", ")})` : ""}`,
  );
  process.stdout.write(`Benchmark (${ROUNDS} rounds, loopback)\n${lines.join("\n")}\n\n`);
  return figures;
}

async function runPostgres(): Promise<PostgresFigures> {
  if (!(await postgresAvailable())) throw new Error("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres, database test)");
  process.stdout.write(`Open-loop load on PostgreSQL, one instance then two (${QUICK ? "quick" : "full"} run):\n`);
  const figures = await durations.timed("PostgreSQL", () => postgresFigures({ quick: QUICK, log: (line) => process.stdout.write(`  ${line}\n`) }));
  process.stdout.write(`${postgresSummary(figures).join("\n")}\n`);
  return figures;
}

/** The PostgreSQL figures in results.json, the rest of the file as the last run left it. */
function writePostgresResults(postgres: PostgresFigures): void {
  const out = path.join(ROOT_DIR, "bench/results.json");
  const previous = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, unknown>) : {};
  const postgresRun = { date: new Date().toISOString(), quick: QUICK, node: process.version, cpus: os.cpus().length, machine: machineFigures(), ...postgres };
  fs.writeFileSync(out, JSON.stringify({ ...previous, postgres: postgresRun }, null, 2) + "\n");
  process.stdout.write(`Written to ${path.relative(process.cwd(), out)} (postgres)\n`);
}

async function runDecision(): Promise<void> {
  const host = await Host.create({ databaseUrl: tempSqliteUrl(), modules: [ROOT_DIR], logger: new ConsoleLogger("error"), demo: "never", schedulerTickMs: null });
  try {
    const bareInsert: number[] = [];
    for (let i = 0; i < ROUNDS * 5; i++) {
      const start = performance.now();
      await host.db.query("INSERT INTO host_setting (key, value) VALUES (?, ?)", [`bench.${i}`, "x"]);
      bareInsert.push(performance.now() - start);
    }
    const decision = await decisionTime(host);
    const figures = [50, 99].flatMap((q) => [
      { name: `assignment decision, 1,000 operators / 10,000 open, p${q}`, sample: decision.decide, q },
      { name: `  the process's CPU time meanwhile (all threads), p${q}`, sample: decision.decideCpu, q },
      { name: `  with its transaction and lock, p${q}`, sample: decision.whole, q },
    ]);
    for (const { name, sample, q } of figures) {
      const f = withBaseline({ name, unit: "ms", value: round(percentile([...sample], q)) }, `bare insert p${q}`, round(percentile([...bareInsert], q)));
      process.stdout.write(`${f.name.padEnd(58)} ${String(f.value).padStart(9)} ${f.unit}   baseline ${f.baseline?.name}: ${f.baseline?.value} ${f.unit}   ratio ×${round(f.baseline?.ratio ?? NaN, 2)}\n`);
    }
    process.stdout.write(`load average: ${os.loadavg().map((l) => round(l, 1)).join(", ")}\n`);
  } finally {
    await host.stop();
  }
}

async function runIdle(): Promise<IdleFigures> {
  process.stdout.write(`Idle visitor sockets (${IDLE_SOCKETS}), memory each beside a bare ws server's:\n`);
  return durations.timed("idle sockets", () => idleFigures(IDLE_SOCKETS, OPEN_FILES_LIMIT, QUICK, (line) => process.stdout.write(`  ${line}\n`)));
}

async function runLoad(): Promise<LoadFigures> {
  process.stdout.write(`Open-loop load against a server process (${QUICK ? "quick" : "full"} run):\n`);
  const load = await durations.timed("load", () => loadFigures({ quick: QUICK, log: (line) => process.stdout.write(`  ${line}\n`) }));
  process.stdout.write(`${loadSummary(load).join("\n")}\n`);
  return load;
}

/** `sqlite`: the bare-SQLite baseline already measured in this run, if any. */
async function runStarts(sqlite?: SqliteBaseline): Promise<StartFigures> {
  process.stdout.write(`Conversation starts, open loop, against a server process (${QUICK ? "quick" : "full"} run):\n`);
  const starts = await durations.timed("starts", () => startFigures({ quick: QUICK, log: (line) => process.stdout.write(`  ${line}\n`), sqlite }));
  process.stdout.write(`${startSummary(starts).join("\n")}\n`);
  return starts;
}

function writeResults(figures: Figure[], load: LoadFigures, idle: IdleFigures, postgres?: PostgresFigures, starts?: StartFigures): void {
  const out = path.join(ROOT_DIR, "bench/results.json");
  const pg = postgres ? { postgres: { date: new Date().toISOString(), quick: QUICK, node: process.version, cpus: os.cpus().length, ...postgres } } : {};
  const run = { date: new Date().toISOString(), quick: QUICK, rounds: ROUNDS, node: process.version, cpus: os.cpus().length, machine: machineFigures() };
  fs.writeFileSync(out, JSON.stringify({ ...run, figures, load, idle, starts, ...pg }, null, 2) + "\n");
  const chart = path.join(ROOT_DIR, "bench/results.svg");
  fs.writeFileSync(chart, chartSvg(load));
  process.stdout.write(`Written to ${path.relative(process.cwd(), out)} and ${path.relative(process.cwd(), chart)}\n`);
}

/** The load figures beside their same-run baselines. */
function loadSummary(load: LoadFigures): string[] {
  const lines = ["", "Summary (same run):"];
  const sat = load.saturation;
  lines.push(
    sat
      ? `  highest offered rate with delivery p99 < ${load.p99LimitMs} ms, nothing refused, no errors: ${sat.offered}/s (achieved ${sat.achieved}/s, delivery p50 ${sat.delivery.p50} ms, p99 ${sat.delivery.p99} ms)`
      : `  no offered rate held delivery p99 < ${load.p99LimitMs} ms without errors`,
  );
  lines.push(`    baseline bare ws echo at ${load.echo.offered}/s: p50 ${load.echo.ack.p50} ms, p99 ${load.echo.ack.p99} ms`);
  const best = Math.max(...load.steps.map((s) => s.achieved));
  lines.push(`  most messages stored and delivered per second in any step: ${best}/s`);
  lines.push(
    `    baseline bare SQLite, each commit on the disk before the next as the server's are before they are acknowledged (synchronous=FULL): ` +
      `${load.sqlite.durable.insertsPerSecond} single-row inserts/s (ratio ×${round(best / load.sqlite.durable.insertsPerSecond, 3)}), ` +
      `${load.sqlite.durable.postTransactionsPerSecond} post-shaped transactions/s (ratio ×${round(best / load.sqlite.durable.postTransactionsPerSecond, 3)})`,
  );
  lines.push(
    `    baseline bare SQLite, commits not flushed (synchronous=NORMAL): ${load.sqlite.unflushed.insertsPerSecond} single-row inserts/s (ratio ×${round(best / load.sqlite.unflushed.insertsPerSecond, 3)}), ` +
      `${load.sqlite.unflushed.postTransactionsPerSecond} post-shaped transactions/s (ratio ×${round(best / load.sqlite.unflushed.postTransactionsPerSecond, 3)})`,
  );
  const other = load.otherTransport;
  if (sat && other) {
    const cpu = (s: typeof sat) => s.server?.cpuMsPerMessage ?? NaN;
    lines.push(`  the saturation rate over ${transportName(other.transport)} instead: ${describeStep(other)}`);
    lines.push(`    server CPU per message over ${transportName(load.transport)} ${cpu(sat)} ms, over ${transportName(other.transport)} ${cpu(other)} ms (ratio ×${round(cpu(other) / cpu(sat), 2)})`);
  }
  lines.push(describeReplies(load.replies));
  const at1000 = load.steps.findLast((s) => s.offered === 1000 || s.offered === 1100);
  if (at1000) lines.push(`  at ${at1000.offered}/s offered: ${describeStep(at1000)}`);
  if (load.overload) lines.push(`  past capacity (2× saturation): ${describeStep(load.overload)}`);
  if (load.bareRefusals) lines.push(`    baseline ${describeBareRefusals(load.bareRefusals)}`);
  if (load.socketFloor) lines.push(`    baseline ${describeSocketFloor(load.socketFloor)}`);
  const busy = load.steps.filter((s) => s.server && s.acknowledged > 0);
  const cpuPer = busy.length ? Math.min(...busy.map((s) => s.server?.cpuMsPerMessage ?? Infinity)) : NaN;
  lines.push(`  server CPU per message (lowest over the steps): ${cpuPer} ms, i.e. at most ${round(1000 / cpuPer, 0)} messages per CPU-second`);
  if (load.bareRefusals) {
    const bare = load.bareRefusals.cpuMsPerRequest;
    lines.push(
      `    baseline bare node:http answering a request: ${bare} ms, i.e. at most ${round(1000 / bare, 0)} requests per CPU-second (ratio ×${round(bare / cpuPer, 2)}; ` +
        `×${round(1000 / bare / load.sqlite.unflushed.insertsPerSecond, 3)} of bare SQLite's unflushed single-row inserts/s, with nothing behind the answer)`,
    );
  }
  lines.push(`  load average during the run (other processes share the cores): ${os.loadavg().map((l) => round(l, 1)).join(", ")}`);
  lines.push(`  server RSS with ${load.setup.visitorSockets + load.setup.operatorSockets} idle sockets: ${load.idleRssMb} MB`);
  return lines;
}

main().catch((err: unknown) => {
  process.stderr.write(`Benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
