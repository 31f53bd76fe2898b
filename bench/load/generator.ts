import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { pool } from "../pool";
import { percentile, round } from "../stats";
import { Connections } from "./connections";
import type { FromGenerator, Percentiles, SeededConversation, Sender, StepResult, ToGenerator, Transport } from "./protocol";

/**
 * The load generator, in its own process: visitors and operators on WebSockets, visitor posts sent
 * open-loop (each at the moment it is due, whatever the server's pace), every latency counted from
 * that moment so a slow server cannot slow the clock that measures it.
 */
/**
 * Visitors' HTTP connections, one per visitor on each server (`Connections`): a post never waits here
 * for another's connection, so its time is the server's, refusals included. All are opened, or used
 * again, before each step so none has idled long enough to be closed: a busy server accepts one new
 * connection per event-loop turn, so the connections a step still had to open are counted.
 */
const VISITOR_CONNECTIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1000);
const connections = new Map<string, Connections>();
/** Operators' HTTP connections, one per operator on each server (each browser has its own). */
const operatorConnections = new Map<string, Connections>();

function operatorConnectionsTo(base: string): Connections {
  let set = operatorConnections.get(base);
  if (!set) {
    set = new Connections(base, operators.filter((o) => o.base === base).length);
    operatorConnections.set(base, set);
  }
  return set;
}

function connectionsTo(base: string, count = VISITOR_CONNECTIONS): Connections {
  let set = connections.get(base);
  if (!set) {
    set = new Connections(base, count);
    connections.set(base, set);
  }
  return set;
}

function send(message: FromGenerator): void {
  process.send?.(message);
}

export function percentiles(sample: number[]): Percentiles {
  const s = [...sample];
  return {
    p50: round(percentile(s, 50), 2),
    p95: round(percentile(s, 95), 2),
    p99: round(percentile(s, 99), 2),
    max: round(s.length ? s[s.length - 1] : NaN, 2),
    count: s.length,
  };
}

interface Pending {
  dueAt: number;
  ackAt: number | null;
  deliveredAt: number | null;
  status: number;
}

let conversations: SeededConversation[] = [];
let url = "";
/** Where each conversation's visitor posts and listens (its operator is on the other instance, if any). */
const visitorUrl = new Map<number, string>();
const pending = new Map<string, Pending>();
const sockets: WebSocket[] = [];

const visitorSockets = new Map<number, WebSocket>();
/** Each operator's socket, cookie and CSRF token, and where they are logged in, by index into the logins. */
const operators: { socket: WebSocket; cookie: string; csrf: string; base: string }[] = [];
/** Who a step's messages are delivered to: operators (visitors post) or visitors (operators reply). */
let deliveredTo: "operators" | "visitors" = "operators";
/** Posts sent over a socket and not yet answered, by `ref`. */
const unanswered = new Map<number, { sentAt: number; answer: (status: number) => void }>();
let nextRef = 0;

/** A post over a socket; resolves with the answer's status, 0 when none came within `timeoutMs`. */
function postOverSocket(ws: WebSocket | undefined, path: string, body: unknown): Promise<number> {
  if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve(0);
  const ref = ++nextRef;
  return new Promise((resolve) => {
    unanswered.set(ref, { sentAt: performance.now(), answer: resolve });
    ws.send(JSON.stringify({ op: "post", ref, path, body }));
  });
}

/**
 * Answers a post over a visitor's socket (`{"op":"answer",...}`); while operators reply, their
 * messages arriving too. Other messages to a visitor are not read.
 */
function onVisitorMessage(raw: WebSocket.RawData): void {
  const text = String(raw);
  if (text.startsWith('{"op":"answer"')) return answered(JSON.parse(text) as { ref: number; status: number });
  if (deliveredTo === "visitors" && text.startsWith('{"op":"notification"')) {
    const { notification } = JSON.parse(text) as { notification: { type: string; payload: unknown } };
    onDelivery(notification.type, notification.payload);
  }
}

function answered(answer: { ref: number; status: number }): void {
  const waiting = unanswered.get(answer.ref);
  if (!waiting) return;
  unanswered.delete(answer.ref);
  waiting.answer(answer.status);
}

/** Gives up on posts over sockets unanswered for `timeoutMs` (status 0), checked every 100 ms until the returned stop is called. */
function expireUnanswered(timeoutMs: number): () => void {
  const timer = setInterval(() => {
    const before = performance.now() - timeoutMs;
    for (const [ref, waiting] of unanswered) {
      if (waiting.sentAt > before) break;
      unanswered.delete(ref);
      waiting.answer(0);
    }
  }, 100);
  return () => clearInterval(timer);
}

function post(base: string, path: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  return connectionsTo(base).request("POST", path, { "content-type": "application/json", ...headers }, body, timeoutMs);
}

async function login(base: string, login: string, password: string): Promise<string> {
  const page = await fetch(`${base}/web/login`);
  const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const res = await fetch(`${base}/web/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie.join("; ") },
    body: new URLSearchParams({ login, password, _csrf: csrf }).toString(),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(";")[0]);
  if (!session.some((c) => c.startsWith("host_sid="))) throw new Error(`login of ${login} failed (${res.status})`);
  return [...cookie, ...session].join("; ");
}

/** The CSRF token of a logged-in session, as its pages carry it, and the cookies with the one it sets beside it. */
async function csrfToken(base: string, cookie: string): Promise<{ csrf: string; cookie: string }> {
  const page = await fetch(`${base}/web`, { headers: { Cookie: cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error(`no CSRF token on ${base}/web (${page.status})`);
  const cookies = new Map(cookie.split("; ").map((c) => [c.split("=")[0], c]));
  for (const set of page.headers.getSetCookie()) {
    const c = set.split(";")[0];
    cookies.set(c.split("=")[0], c);
  }
  return { csrf, cookie: [...cookies.values()].join("; ") };
}

function openSocket(base: string, path: string, headers: Record<string, string>, onNotification?: (type: string, payload: unknown) => void): Promise<WebSocket> {
  const ws = new WebSocket(`${base.replace("http", "ws")}${path}`, { headers, perMessageDeflate: false });
  let ready = false;
  return new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.on("message", (raw) => {
      // A visitor's socket only reads the answers to its posts once ready.
      if (ready && !onNotification) return onVisitorMessage(raw);
      const data = JSON.parse(String(raw)) as { op: string; ref?: number; status?: number; notification?: { type: string; payload: unknown } };
      if (data.op === "answer") return answered({ ref: data.ref ?? 0, status: data.status ?? 0 });
      if (data.op === "ready") {
        ready = true;
        resolve(ws);
      }
      if (data.notification && onNotification) onNotification(data.notification.type, data.notification.payload);
    });
    ws.once("open", () => ws.send(JSON.stringify({ op: "hello", last: null })));
  });
}

function onOperatorNotification(type: string, payload: unknown): void {
  if (deliveredTo === "operators") onDelivery(type, payload);
}

/** A message arriving where the step delivers: its delivery time, the first time. */
function onDelivery(type: string, payload: unknown): void {
  if (type !== "livechat.message") return;
  const body = (payload as { message?: { body?: string } }).message?.body;
  const entry = body ? pending.get(body) : undefined;
  if (entry && entry.deliveredAt === null) entry.deliveredAt = performance.now();
}

/** Every visitor's HTTP connection, opened or used again while the server is idle. */
async function touchPostConnections(): Promise<void> {
  const visitorsPerBase = new Map<string, number>();
  for (const c of conversations) {
    const base = visitorUrl.get(c.id) ?? url;
    visitorsPerBase.set(base, (visitorsPerBase.get(base) ?? 0) + 1);
  }
  await Promise.all([...visitorsPerBase].map(([base, n]) => connectionsTo(base, n).touch("/healthz")));
  await Promise.all([...new Set(operators.map((o) => o.base))].map((base) => operatorConnectionsTo(base).touch("/healthz")));
}

async function connect(message: Extract<ToGenerator, { type: "connect" }>): Promise<void> {
  const t0 = performance.now();
  url = message.url;
  const other = message.otherUrl ?? message.url;
  const operatorUrl = (i: number) => (i % 2 === 0 ? other : url);
  conversations = message.conversations;
  for (const c of conversations) visitorUrl.set(c.id, c.operator % 2 === 0 ? url : other);
  const cookies = await pool(message.logins, 4, (l, i) => login(operatorUrl(i), l, message.password));
  await pool(cookies, 20, async (cookie, i) => {
    const socket = await openSocket(operatorUrl(i), "/websocket", { Cookie: cookie }, onOperatorNotification);
    operators[i] = { socket, ...(await csrfToken(operatorUrl(i), cookie)), base: operatorUrl(i) };
    sockets.push(socket);
  });
  const operatorSockets = sockets.length;
  await pool(conversations, 20, async (c) => {
    const ws = await openSocket(visitorUrl.get(c.id) ?? url, `/websocket?token=${c.token}`, {});
    visitorSockets.set(c.id, ws);
    sockets.push(ws);
  });
  if (message.postConnections) await touchPostConnections();
  send({ type: "connected", visitorSockets: sockets.length - operatorSockets, operatorSockets, seconds: round((performance.now() - t0) / 1000, 1) });
}

/** Calls `fire(i, dueAt)` for i = 0..total-1 at `rate` per second, on a 1 ms timer (catching up in bursts when late). */
function openLoop(rate: number, seconds: number, fire: (i: number, dueAt: number) => void): Promise<number> {
  const total = Math.round(rate * seconds);
  const start = performance.now();
  let i = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && start + (i * 1000) / rate <= now) {
        fire(i, start + (i * 1000) / rate);
        i++;
      }
      if (i < total) setTimeout(tick, 1);
      else resolve(performance.now() - start);
    };
    tick();
  });
}

let stepNumber = 0;

function errorKinds(entries: Pending[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const e of entries) {
    const ok = e.status >= 200 && e.status < 300;
    const kind = ok ? (e.deliveredAt === null ? "acknowledged, not delivered" : null) : e.status === 503 ? null : `status ${e.status}`;
    if (kind) kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

async function step(offered: number, seconds: number, timeoutMs: number, transport: Transport, from: Sender): Promise<StepResult> {
  stepNumber++;
  pending.clear();
  deliveredTo = from === "visitors" ? "operators" : "visitors";
  for (const set of connections.values()) set.opened = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const answers: Promise<void>[] = [];
  const refusedLatency: number[] = [];
  const late: number[] = [];
  const stopExpiring = expireUnanswered(timeoutMs);
  const sendingMs = await openLoop(offered, seconds, (i, dueAt) => {
    late.push(performance.now() - dueAt);
    const c = conversations[Math.floor(Math.random() * conversations.length)];
    const body = `s${stepNumber}m${i}`;
    const entry: Pending = { dueAt, ackAt: null, deliveredAt: null, status: 0 };
    pending.set(body, entry);
    const fields = { body, clientMessageId: body };
    let sent: Promise<number>;
    if (from === "visitors") {
      const path = `/livechat/conversations/${c.id}/messages`;
      sent =
        transport === "socket"
          ? postOverSocket(visitorSockets.get(c.id), path, fields)
          : post(visitorUrl.get(c.id) ?? url, path, { authorization: `Bearer ${c.token}` }, JSON.stringify(fields), timeoutMs);
    } else {
      // The conversation's own operator answers, as a chat window sends it.
      const operator = operators[c.operator];
      const path = `/livechat/api/conversations/${c.id}/messages`;
      sent =
        transport === "socket"
          ? postOverSocket(operator.socket, path, fields)
          : operatorConnectionsTo(operator.base).request("POST", path, { "content-type": "application/json", cookie: operator.cookie, "x-csrf-token": operator.csrf }, JSON.stringify(fields), timeoutMs);
    }
    answers.push(
      sent.then((status) => {
        entry.status = status;
        entry.ackAt = performance.now();
        if (status === 503) refusedLatency.push(entry.ackAt - dueAt);
      }),
    );
  });
  await Promise.all(answers);
  stopExpiring();
  // Deliveries of acknowledged messages: wait until all arrived or the timeout passed.
  const waitUntil = performance.now() + timeoutMs;
  const entries = [...pending.values()];
  while (performance.now() < waitUntil && entries.some((e) => e.status >= 200 && e.status < 300 && e.deliveredAt === null)) {
    await new Promise((r) => setTimeout(r, 20));
  }
  deliveredTo = "operators";
  const cpu = process.cpuUsage(cpu0);
  const elapsed = performance.now() - t0;
  const ok = entries.filter((e) => e.status >= 200 && e.status < 300);
  const delivered = ok.filter((e) => e.deliveredAt !== null);
  const refused = entries.filter((e) => e.status === 503).length;
  return {
    offered,
    transport,
    from,
    seconds,
    sent: entries.length,
    acknowledged: ok.length,
    refused,
    errors: entries.length - ok.length - refused + (ok.length - delivered.length),
    errorKinds: errorKinds(entries),
    achieved: round(delivered.filter((e) => (e.deliveredAt ?? Infinity) - t0 <= sendingMs + 1000).length / (sendingMs / 1000), 1),
    ack: percentiles(ok.map((e) => (e.ackAt ?? 0) - e.dueAt)),
    delivery: percentiles(delivered.map((e) => (e.deliveredAt ?? 0) - e.dueAt)),
    refusedLatency: refused ? percentiles(refusedLatency) : null,
    connectionsOpened: [...connections.values()].reduce((n, set) => n + set.opened, 0),
    generatorLate: percentiles(late),
    generatorCpuPercent: round(((cpu.user + cpu.system) / 1000 / elapsed) * 100, 1),
  };
}

/**
 * Visitors starting conversations on `channelId`, open-loop at `offered` per second; a start counts
 * once answered 201, its latency from the moment it was due.
 */
async function starts(message: Extract<ToGenerator, { type: "starts" }>): Promise<StepResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const entries: { dueAt: number; ackAt: number; status: number }[] = [];
  const answers: Promise<void>[] = [];
  const late: number[] = [];
  const sendingMs = await openLoop(message.offered, message.seconds, (_i, dueAt) => {
    late.push(performance.now() - dueAt);
    answers.push(
      // As a browser's widget sends it: the visitor's languages.
      post(message.url, `/livechat/channels/${message.channelId}/conversations`, { "accept-language": "en-US,en;q=0.9" }, "{}", message.timeoutMs).then((status) => {
        entries.push({ dueAt, ackAt: performance.now(), status });
      }),
    );
  });
  await Promise.all(answers);
  const cpu = process.cpuUsage(cpu0);
  const ok = entries.filter((e) => e.status === 201);
  const refused = entries.filter((e) => e.status === 503);
  const ack = percentiles(ok.map((e) => e.ackAt - e.dueAt));
  return {
    offered: message.offered,
    seconds: message.seconds,
    sent: entries.length,
    acknowledged: ok.length,
    refused: refused.length,
    errors: entries.length - ok.length - refused.length,
    achieved: round(ok.filter((e) => e.ackAt - t0 <= sendingMs + 1000).length / (sendingMs / 1000), 1),
    ack,
    delivery: ack,
    refusedLatency: refused.length ? percentiles(refused.map((e) => e.ackAt - e.dueAt)) : null,
    generatorLate: percentiles(late),
    generatorCpuPercent: round(((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100, 1),
  };
}

/** The baseline: a bare `ws` echo server, messages offered open-loop over `count` sockets. */
async function echo(message: Extract<ToGenerator, { type: "echo" }>): Promise<StepResult> {
  const open: WebSocket[] = [];
  const due = new Map<number, number>();
  const arrived: number[] = [];
  for (let i = 0; i < message.sockets; i++) {
    const ws = new WebSocket(message.url, { perMessageDeflate: false });
    ws.on("message", (raw) => {
      const id = Number(String(raw));
      const at = due.get(id);
      if (at !== undefined) arrived.push(performance.now() - at);
      due.delete(id);
    });
    await new Promise((r) => ws.once("open", r));
    open.push(ws);
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sendingMs = await openLoop(message.offered, message.seconds, (i, dueAt) => {
    due.set(i, dueAt);
    open[i % open.length].send(String(i));
  });
  const waitUntil = performance.now() + 2000;
  while (due.size > 0 && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 10));
  const cpu = process.cpuUsage(cpu0);
  for (const ws of open) ws.terminate();
  const sent = Math.round(message.offered * message.seconds);
  return {
    offered: message.offered,
    seconds: message.seconds,
    sent,
    acknowledged: arrived.length,
    refused: 0,
    errors: sent - arrived.length,
    achieved: round(arrived.length / (sendingMs / 1000), 1),
    ack: percentiles(arrived),
    delivery: percentiles(arrived),
    refusedLatency: null,
    generatorCpuPercent: round(((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100, 1),
  };
}

/** Plain idle sockets (for the bare `ws` server's memory per connection). */
async function openIdle(target: string, count: number): Promise<FromGenerator> {
  const t0 = performance.now();
  await pool(
    Array.from({ length: count }, (_, i) => i),
    50,
    async () => {
      const ws = new WebSocket(target, { perMessageDeflate: false });
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      sockets.push(ws);
    },
  );
  return { type: "opened", count, seconds: round((performance.now() - t0) / 1000, 1) };
}

process.on("message", (message: ToGenerator) => {
  const run = async () => {
    if (message.type === "connect") await connect(message);
    else if (message.type === "touch") {
      await (message.url ? connectionsTo(message.url).touch("/") : touchPostConnections());
      send({ type: "touched" });
    } else if (message.type === "step") send({ type: "step", result: await step(message.offered, message.seconds, message.timeoutMs, message.transport, message.from ?? "visitors") });
    else if (message.type === "echo") send({ type: "echo", result: await echo(message) });
    else if (message.type === "starts") send({ type: "starts", result: await starts(message) });
    else if (message.type === "open") send(await openIdle(message.url, message.count));
    else if (message.type === "stop") {
      for (const ws of sockets) ws.terminate();
      await Promise.all([...connections.values()].map((set) => set.close()));
      process.exit(0);
    }
  };
  run().catch((err: unknown) => send({ type: "failed", error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
