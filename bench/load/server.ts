import "reflect-metadata";
import fs from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { Host, ROOT_DIR } from "../../host/app";
import { cheapPasswordHash } from "../cheapPasswordHash";
import { SOCKET_LIMIT_SETTINGS } from "../../host/bus/SocketLimits";
import { sqliteTransactionsOf } from "../../host/sqliteTransactions";
import { ConsoleLogger } from "../../host/logger";
import { User } from "../../host/models/User";
import { UserGroup } from "../../host/models/UserGroup";
import { ChannelMember } from "../../module/models/ChannelMember";
import { Conversation } from "../../module/models/Conversation";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { hashVisitorToken, newVisitorToken } from "../../module/services/conversations/visitorToken";
import { idleCost, settledMemory, voluntarySwitches, type FromServer, type SeededConversation, type ToServer } from "./protocol";

/**
 * The server under load, in its own process as `npm start` runs it: a host on a fresh SQLite file
 * (DATABASE_URL), seeded with open conversations already assigned to operators (or, with BENCH_JOIN=1,
 * one more instance on a PostgreSQL database another one seeded). It answers the
 * parent's questions about its memory, CPU time and event-loop lag over IPC.
 */
const OPERATORS = Number(process.env.BENCH_OPERATORS ?? 100);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1000);
export const OPERATOR_PASSWORD = "bench-password";

function send(message: FromServer): void {
  process.send?.(message);
}

async function seed(host: Host): Promise<{ channelId: number; conversations: SeededConversation[]; logins: string[] }> {
  const passwordHash = await cheapPasswordHash(OPERATOR_PASSWORD);
  const now = host.clock.now();
  const logins = Array.from({ length: OPERATORS }, (_, i) => `load${i}`);
  const userIds: number[] = [];
  const conversations: SeededConversation[] = [];
  const channelId = await host.db.transaction(async (m) => {
    for (let i = 0; i < logins.length; i += 200) {
      const batch = logins.slice(i, i + 200).map((login) => ({ login, name: `Operator ${login}`, passwordHash, langCode: "en_US", active: true, createdAt: now }));
      const inserted = await m.getRepository(User).insert(batch);
      userIds.push(...inserted.identifiers.map((x) => Number(x.id)));
    }
    await m.getRepository(UserGroup).insert(userIds.map((userId) => ({ userId, groupId: "livechat.user" })));
    const channel = await m.getRepository(LivechatChannel).save({ name: "Load", welcomeMessage: "", buttonText: "Chat", maxSessions: null, createdAt: now });
    for (let i = 0; i < userIds.length; i += 300) {
      await m.getRepository(ChannelMember).insert(userIds.slice(i, i + 300).map((userId) => ({ channelId: channel.id, userId, joinedAt: now })));
    }
    const tokens = Array.from({ length: CONVERSATIONS }, () => newVisitorToken());
    const rows = tokens.map((token, i) => ({
      channelId: channel.id,
      visitorKey: `load${i}`,
      visitorName: `Visitor ${i}`,
      visitorLang: null,
      visitorTokenHash: hashVisitorToken(token),
      operatorId: userIds[i % userIds.length],
      state: "open" as const,
      assignmentTier: "anyone",
      createdAt: now,
      assignedAt: now,
      closedAt: null,
      closedReason: null,
      lastActivityAt: now,
      lastVisitorSeenAt: now,
    }));
    for (let i = 0; i < rows.length; i += 300) {
      const inserted = await m.getRepository(Conversation).insert(rows.slice(i, i + 300));
      inserted.identifiers.forEach((x, j) => conversations.push({ id: Number(x.id), token: tokens[i + j], operator: (i + j) % userIds.length }));
    }
    return channel.id;
  });
  for (const id of userIds) await host.presence.recordActivity(id);
  return { channelId, conversations, logins };
}

/**
 * BENCH_PROFILE=<dir>: a V8 CPU profile of the server under load (once every socket is open, until
 * it stops: start-up, seeding and connecting stay out of it), written to <dir> as a .cpuprofile (open
 * it in Chrome's DevTools).
 */
async function startProfile(): Promise<(() => Promise<void>) | null> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return null;
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(profile));
  };
}

function p99(sample: number[]): number | null {
  return sample.length ? sample.sort((a, b) => a - b)[Math.min(sample.length - 1, Math.floor(sample.length * 0.99))] : null;
}

async function main(): Promise<void> {
  const host = await Host.create({ modules: [ROOT_DIR], logger: new ConsoleLogger("error"), demo: "never" });
  // One client address (the load generator) speaks for all visitors and operators.
  await host.settings.set("livechat.visitor_reads_per_minute", "1000000000");
  await host.settings.set("livechat.visitor_writes_per_minute", "1000000000");
  await host.settings.set(SOCKET_LIMIT_SETTINGS.address.key, "1000000");
  // BENCH_JOIN=1: another instance on a database the first one seeded.
  const { channelId, conversations, logins } = process.env.BENCH_JOIN === "1" ? { channelId: 0, conversations: [], logins: [] } : await seed(host);
  const url = await host.start(0, "127.0.0.1");
  const durability = host.target.kind === "sqlite" ? sqliteTransactionsOf(host.db).durability : null;
  let profiler: Promise<(() => Promise<void>) | null> | null = null;
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  // How long the server takes to answer, from the request event to the last byte handed to the kernel:
  // what the load generator measures on top of it was spent outside (its own loop, the network, the kernel's queues).
  const answers = { accepted: [] as number[], refused: [] as number[] };
  host.server.prependListener("request", (_req, res) => {
    const start = performance.now();
    res.once("finish", () => (res.statusCode === 503 ? answers.refused : answers.accepted).push(performance.now() - start));
  });
  process.on("message", (raw: ToServer) => {
    if (raw.type === "stats") {
      // The first question comes once every socket is open: the profile covers the load alone.
      profiler ??= startProfile();
      const cpu = process.cpuUsage();
      send({
        type: "stats",
        rss: process.memoryUsage().rss,
        heapUsed: process.memoryUsage().heapUsed,
        cpuMicros: cpu.user + cpu.system,
        wakeups: voluntarySwitches(),
        lagP99Ms: lag.percentile(99) / 1e6,
        lagMaxMs: lag.max / 1e6,
        answerP99Ms: p99(answers.accepted),
        refusalP99Ms: p99(answers.refused),
        refusedBy: { ...host.load.refusedBy },
        logFlushes: durability?.flushes ?? 0,
      });
      lag.reset();
      answers.accepted = [];
      answers.refused = [];
    } else if (raw.type === "memory") {
      send(settledMemory());
    } else if (raw.type === "idleCost") {
      // This process's own lag monitor would wake it every 5 ms: off while the host's cost is measured.
      lag.disable();
      void idleCost(raw.seconds).then((cost) => {
        lag.enable();
        send(cost);
      });
    } else if (raw.type === "stop") {
      Promise.all([profiler?.then((stop) => stop?.()), host.stop()]).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    }
  });
  send({ type: "ready", url, channelId, conversations, logins, password: OPERATOR_PASSWORD });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
