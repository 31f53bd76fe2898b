import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import request from "supertest";
import type { Host } from "../host/app";
import { cheapPasswordHash } from "./cheapPasswordHash";
import { pool } from "./pool";
import { User } from "../host/models/User";
import { UserGroup } from "../host/models/UserGroup";
import { ChannelMember } from "../module/models/ChannelMember";
import { Conversation } from "../module/models/Conversation";
import { LivechatChannel } from "../module/models/LivechatChannel";
import { AssignmentService } from "../module/services/assignment/AssignmentService";
import { OperatorProfiles } from "../module/services/OperatorProfiles";

interface Started {
  id: number;
  token: string;
}

export interface ConversationFigures {
  startLatency: number[];
  startThroughput: number;
  delivery: Map<number, number[]>;
  persistedPerSecond: number;
  decision: DecisionTimes;
}

/** One sample per decision, in ms: the decision itself, and all of it with the transaction and the lock around it. */
export interface DecisionTimes {
  /** Roster choice and the chosen operator's confirmation from the database (`decide`). */
  decide: number[];
  /**
   * The process's CPU time during `decide` (user and system, microsecond resolution): unlike the
   * elapsed time, it does not count the time the process waited for a core on a busy machine, but it
   * counts every thread's (the garbage collector's helpers, the compiler's, SQLite's checkpoints).
   */
  decideCpu: number[];
  /** Waiting for the instance's queue, BEGIN, the assignment lock, `decide` and COMMIT. */
  whole: number[];
}

/** Creates operators directly in the database (one shared password hash) and a channel with them. */
async function seedOperators(host: Host, count: number, prefix: string): Promise<{ channelId: number; userIds: number[] }> {
  const passwordHash = await cheapPasswordHash(`${prefix}-password`);
  const now = host.clock.now();
  const userIds: number[] = [];
  await host.db.transaction(async (m) => {
    for (let i = 0; i < count; i += 200) {
      const batch = Array.from({ length: Math.min(200, count - i) }, (_, j) => ({
        login: `${prefix}${i + j}`,
        name: `Operator ${prefix}${i + j}`,
        passwordHash,
        langCode: "en_US",
        active: true,
        createdAt: now,
      }));
      const inserted = await m.getRepository(User).insert(batch);
      userIds.push(...inserted.identifiers.map((x) => Number(x.id)));
    }
    await m.getRepository(UserGroup).insert(userIds.map((userId) => ({ userId, groupId: "livechat.user" })));
  });
  const channel = await host.db.getRepository(LivechatChannel).save({
    name: `Bench ${prefix}`,
    welcomeMessage: "",
    buttonText: "Chat",
    maxSessions: null,
    createdAt: now,
  });
  for (let i = 0; i < userIds.length; i += 300) {
    await host.db.getRepository(ChannelMember).insert(userIds.slice(i, i + 300).map((userId) => ({ channelId: channel.id, userId, joinedAt: now })));
  }
  for (const id of userIds) await host.presence.recordActivity(id);
  return { channelId: channel.id, userIds };
}

async function loginCookie(url: string, login: string, password: string): Promise<string> {
  const agent = request.agent(url);
  const form = await agent.get("/web/login");
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] as string;
  const res = await agent.post("/web/login").type("form").send({ login, password, _csrf: csrf });
  return ([] as string[]).concat(res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
}

function openSocket(url: string, auth: { cookie?: string; token?: string }, onMessage: (data: { op: string; notification?: { type: string; payload: unknown } }) => void): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace("http", "ws")}/websocket${auth.token ? `?token=${auth.token}` : ""}`, {
    headers: auth.cookie ? { Cookie: auth.cookie } : {},
  });
  return new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.on("message", (raw) => {
      const data = JSON.parse(String(raw)) as { op: string; notification?: { type: string; payload: unknown } };
      if (data.op === "ready") resolve(ws);
      onMessage(data);
    });
    ws.once("open", () => ws.send(JSON.stringify({ op: "hello", last: null })));
  });
}

/** Conversation figures against a running host: starts, delivery, persistence, decision time. */
export async function conversationFigures(host: Host, url: string, rounds: number): Promise<ConversationFigures> {
  const operators = await seedOperators(host, 20, "bench");
  const start = () =>
    request(url)
      .post(`/livechat/channels/${operators.channelId}/conversations`)
      .send({})
      .then((r) => ({ id: r.body.conversation.id as number, token: r.body.token as string }));

  // Start latency, one at a time; then throughput with 20 starts in flight.
  const startLatency: number[] = [];
  const started: Started[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    started.push(await start());
    startLatency.push(performance.now() - t0);
  }
  const burst = 400;
  const t0 = performance.now();
  started.push(...(await pool(Array.from({ length: burst }), 20, () => start())));
  const startThroughput = burst / ((performance.now() - t0) / 1000);

  // Operators listen on their sockets; each visitor message is timed until an operator socket has it.
  const waiting = new Map<string, (at: number) => void>();
  // Set-up, not timed: logins, the starts each step needs beyond those above, and sockets, several at once.
  const operatorSockets = await pool(operators.userIds, 4, async (_, i) => {
    const cookie = await loginCookie(url, `bench${i}`, "bench-password");
    return openSocket(url, { cookie }, (data) => {
      if (data.notification?.type !== "livechat.message") return;
      const body = (data.notification.payload as { message: { body: string } }).message.body;
      waiting.get(body)?.(performance.now());
    });
  });
  const delivery = new Map<number, number[]>();
  const visitorSockets: WebSocket[] = [];
  for (const concurrent of [100, 1000]) {
    started.push(...(await pool(Array.from({ length: Math.max(0, concurrent - started.length) }), 20, () => start())));
    visitorSockets.push(
      ...(await pool(started.slice(visitorSockets.length, concurrent), 20, (conversation) => openSocket(url, { token: conversation.token }, () => undefined))),
    );
    const sample: number[] = [];
    let n = 0;
    await pool(Array.from({ length: rounds }), 10, async () => {
      const conversation = started[Math.floor(Math.random() * concurrent)];
      const body = `bench ${concurrent} ${n++}`;
      const arrived = new Promise<number>((resolve) => waiting.set(body, resolve));
      const sentAt = performance.now();
      await request(url).post(`/livechat/conversations/${conversation.id}/messages`).set("Authorization", `Bearer ${conversation.token}`).send({ body });
      sample.push((await arrived) - sentAt);
      waiting.delete(body);
    });
    delivery.set(concurrent, sample);
  }
  for (const ws of [...operatorSockets, ...visitorSockets]) ws.terminate();

  // Persisted messages per second: many visitors posting at once.
  const posts = rounds * 5;
  const p0 = performance.now();
  await pool(Array.from({ length: posts }, (_, i) => i), 50, (i) => {
    const conversation = started[i % started.length];
    return request(url).post(`/livechat/conversations/${conversation.id}/messages`).set("Authorization", `Bearer ${conversation.token}`).send({ body: `load ${i}` });
  });
  const persistedPerSecond = posts / ((performance.now() - p0) / 1000);

  return { startLatency, startThroughput, delivery, persistedPerSecond, decision: await decisionTime(host) };
}

/** Decisions made before those timed. */
const WARM_DECISIONS = 200;

/**
 * The assignment decision as a visitor's start takes it, with 1,000 operators and 10,000 open
 * conversations: in a transaction holding the assignment lock, the roster warm (`WARM_DECISIONS`
 * first, untimed), the chosen operator confirmed from the database under the channel's limit (50). Timed
 * twice: the decision alone, and with the transaction and lock around it.
 */
export async function decisionTime(host: Host): Promise<DecisionTimes> {
  const big = await seedOperators(host, 1000, "many");
  const now = host.clock.now();
  const rows = Array.from({ length: 10_000 }, (_, i) => ({
    channelId: big.channelId,
    visitorKey: `seed${i}`,
    visitorName: `Visitor ${i}`,
    visitorLang: null,
    visitorTokenHash: `seed-${i}`,
    operatorId: big.userIds[i % big.userIds.length],
    state: "open" as const,
    assignmentTier: "anyone",
    createdAt: now,
    assignedAt: new Date(now.getTime() - i * 1000),
    closedAt: null,
    closedReason: null,
    lastActivityAt: now,
    lastVisitorSeenAt: now,
  }));
  await host.db.transaction(async (m) => {
    for (let i = 0; i < rows.length; i += 500) await m.getRepository(Conversation).insert(rows.slice(i, i + 500));
  });
  const pending = await host.db.getRepository(Conversation).save({ ...rows[0], visitorKey: "probe", visitorTokenHash: "probe", operatorId: null, state: "waiting" as const });
  // Seeding may outlast the offline threshold on a busy machine: every operator shows a sign again.
  for (const id of big.userIds) await host.presence.recordActivity(id);
  const service = new AssignmentService(host.contract, new OperatorProfiles(host.contract));
  const times: DecisionTimes = { decide: [], decideCpu: [], whole: [] };
  const decide = () =>
    service.serialize(() =>
      host.db.transaction(async (m) => {
        await service.lock(m);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const choice = await service.decide(m, pending, 50);
        times.decide.push(performance.now() - t0);
        const cpu = process.cpuUsage(cpu0);
        times.decideCpu.push((cpu.user + cpu.system) / 1000);
        return choice;
      }),
    );
  // Untimed: the first loads the roster, the next ones let the code reach its optimized form.
  for (let i = 0; i < WARM_DECISIONS; i++) await decide();
  // The seeding's garbage is collected now (when the bench runs with --expose-gc), not during the timed decisions.
  (globalThis as { gc?: () => void }).gc?.();
  times.decide.length = 0;
  times.decideCpu.length = 0;
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now();
    if (!(await decide())) throw new Error("the bench decision found nobody");
    times.whole.push(performance.now() - t0);
  }
  return times;
}
