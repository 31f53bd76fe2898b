import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { Client } from "pg";
import { WebSocketServer } from "ws";
import { SQLITE_PRAGMAS } from "../../host/database";
import { percentile, round } from "../stats";
import { idleCost, settledMemory, type ToServer } from "./protocol";

/**
 * Same-run baselines, each in this separate process: `echo` serves a bare `ws` echo server (the load
 * generator offers it messages as it offers posts to the host); `sqlite` measures what SQLite alone
 * does on this disk with the host's settings: single-row inserts, each its own transaction, and a
 * transaction shaped like a visitor's post (read the conversation, insert the message and its two bus
 * notifications); `postgres <url> <seconds>` does the same post-shaped transaction with a bare `pg`
 * client, one at a time, in the schema the URL names (the host's own tables are not touched);
 * `refuse` serves a bare `node:http` server answering every POST with a 503 as the host's load
 * shedder does (Retry-After, a short JSON body, the connection kept open) and tells its CPU time:
 * what refusing alone costs this machine at a given rate.
 */
const mode = process.argv[2];

/** A bare `ws` server echoing what it is sent, announced to the parent once it listens. */
function bareWsServer(): void {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on("connection", (ws) => ws.on("message", (data, binary) => ws.send(data, { binary })));
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as { port: number }).port;
    process.send?.({ type: "ready", url: `ws://127.0.0.1:${port}` });
  });
}

if (mode === "echo") {
  bareWsServer();
  process.on("message", () => process.exit(0));
} else if (mode === "idle") {
  // Holding idle sockets: what a connection costs without the host's bus.
  bareWsServer();
  process.on("message", (m: ToServer) => {
    if (m.type === "memory") process.send?.(settledMemory());
    else if (m.type === "idleCost") void idleCost(m.seconds).then((cost) => process.send?.(cost));
    else process.exit(0);
  });
} else if (mode === "refuse") {
  const body = Buffer.from(JSON.stringify({ error: "busy" }));
  const server = http.createServer((req, res) => {
    if (req.method !== "POST") {
      res.writeHead(200, { "Content-Length": "0" });
      res.end();
      return;
    }
    res.writeHead(503, { "Retry-After": "1", "Content-Type": "application/json; charset=utf-8", "Content-Length": String(body.length) });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as { port: number }).port;
    process.send?.({ type: "ready", url: `http://127.0.0.1:${port}` });
  });
  process.on("message", (m: { type: string }) => {
    if (m.type !== "stats") process.exit(0);
    const cpu = process.cpuUsage();
    process.send?.({ type: "stats", cpuMicros: cpu.user + cpu.system });
  });
} else if (mode === "sqlite") {
  const seconds = Number(process.argv[3] ?? 2);
  // What the server promises of an acknowledged write: on the disk before it is acknowledged, as
  // every commit is with synchronous = FULL. The server gets there by flushing once for many commits.
  const durable = bareSqliteRates(seconds, "FULL");
  const unflushed = bareSqliteRates(seconds, "NORMAL");
  process.send?.({ type: "sqlite", durable, unflushed, pragmas: SQLITE_PRAGMAS });
  process.exit(0);
} else if (mode === "postgres") {
  void postgresBaseline(process.argv[3], Number(process.argv[4] ?? 2)).then(
    (figures) => {
      process.send?.({ type: "postgres", ...figures });
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`postgres baseline failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}

/** A visitor post's writes on a bare client: BEGIN, read the conversation, insert the message, touch the conversation, store and announce two notifications, COMMIT. */
async function postgresBaseline(url: string, seconds: number): Promise<{ postTransactionsPerSecond: number; p50Ms: number; p99Ms: number }> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? "public";
  parsed.searchParams.delete("schema");
  const client = new Client({ connectionString: parsed.toString(), application_name: "bench_bare_pg" });
  await client.connect();
  try {
    await client.query(`SET search_path = ${schema}`);
    await client.query(`
      CREATE TABLE bare_conversation (id INTEGER PRIMARY KEY, state TEXT NOT NULL, operator_id INTEGER, last_activity_at TIMESTAMP NOT NULL);
      CREATE TABLE bare_message (id SERIAL PRIMARY KEY, conversation_id INTEGER NOT NULL, author_kind TEXT NOT NULL, author_user_id INTEGER,
        body TEXT NOT NULL, client_message_id TEXT, created_at TIMESTAMP NOT NULL);
      CREATE UNIQUE INDEX bare_message_client ON bare_message (conversation_id, client_message_id);
      CREATE TABLE bare_bus (id SERIAL PRIMARY KEY, channel TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, created_at TIMESTAMP NOT NULL);
      CREATE INDEX bare_bus_channel ON bare_bus (channel, id);
      INSERT INTO bare_conversation SELECT i, 'open', i % 100, now() FROM generate_series(1, 1000) i;
    `);
    const times: number[] = [];
    const t0 = performance.now();
    let i = 0;
    while (performance.now() - t0 < seconds * 1000) {
      const start = performance.now();
      const id = 1 + (i % 1000);
      const now = new Date();
      await client.query("BEGIN");
      const conversation = (await client.query("SELECT state, operator_id FROM bare_conversation WHERE id = $1", [id])).rows[0] as { operator_id: number };
      const message = await client.query(
        "INSERT INTO bare_message (conversation_id, author_kind, author_user_id, body, client_message_id, created_at) VALUES ($1, 'visitor', NULL, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
        [id, `message ${i}`, `c${i}`, now],
      );
      await client.query("UPDATE bare_conversation SET last_activity_at = $1 WHERE id = $2", [now, id]);
      const payload = JSON.stringify({ message: { id: message.rows[0]?.id, conversationId: id, body: `message ${i}`, createdAt: now.toISOString() } });
      const bus = await client.query("INSERT INTO bare_bus (channel, type, payload, created_at) VALUES ($1, 'livechat.message', $3, $4), ($2, 'livechat.message', $3, $4) RETURNING id", [
        `livechat.conversation:${id}`,
        `user:${conversation.operator_id}`,
        payload,
        now,
      ]);
      const ids = bus.rows.map((r: { id: number }) => String(r.id));
      await client.query("SELECT pg_notify('bench_bare', $1), pg_notify('bench_bare', $2)", ids);
      await client.query("COMMIT");
      times.push(performance.now() - start);
      i++;
    }
    const elapsed = performance.now() - t0;
    return { postTransactionsPerSecond: round(i / (elapsed / 1000), 0), p50Ms: round(percentile(times, 50), 2), p99Ms: round(percentile(times, 99), 2) };
  } finally {
    await client.end();
  }
}

/**
 * Single-row inserts and post-shaped transactions per second on a new SQLite file opened as the host
 * opens its own, each committed on its own with `synchronous` as given. Each setting gets a file of
 * its own: the log is never checkpointed here, and a log grown by one measure would slow the next.
 */
function bareSqliteRates(seconds: number, synchronous: "FULL" | "NORMAL"): { insertsPerSecond: number; postTransactionsPerSecond: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "livechat-bench-"));
  const db = new Database(path.join(dir, "bare.sqlite"));
  try {
    for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
    db.pragma(`synchronous = ${synchronous}`);
    db.exec(`
      CREATE TABLE conversation (id INTEGER PRIMARY KEY, state TEXT NOT NULL, operator_id INTEGER, last_visitor_seen_at TEXT NOT NULL);
      CREATE TABLE message (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL, author_kind TEXT NOT NULL, author_user_id INTEGER,
        body TEXT NOT NULL, client_message_id TEXT, created_at TEXT NOT NULL);
      CREATE UNIQUE INDEX message_client ON message (conversation_id, client_message_id);
      CREATE TABLE bus (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL);
      CREATE INDEX bus_channel ON bus (channel, id);
      CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    const seed = db.prepare("INSERT INTO conversation (id, state, operator_id, last_visitor_seen_at) VALUES (?, 'open', ?, ?)");
    db.transaction(() => {
      for (let i = 1; i <= 1000; i++) seed.run(i, i % 100, new Date().toISOString());
    })();

    const timed = (work: (i: number) => void): number => {
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < seconds * 1000) work(n++);
      return n / ((performance.now() - t0) / 1000);
    };
    const insert = db.prepare("INSERT INTO kv (key, value) VALUES (?, ?)");
    const inserts = timed((i) => insert.run(`k${i}`, "x"));

    const read = db.prepare("SELECT * FROM conversation WHERE id = ?");
    const message = db.prepare("INSERT INTO message (conversation_id, author_kind, author_user_id, body, client_message_id, created_at) VALUES (?, 'visitor', NULL, ?, ?, ?)");
    const bus = db.prepare("INSERT INTO bus (channel, type, payload, created_at) VALUES (?, 'livechat.message', ?, ?)");
    const postShaped = db.transaction((i: number) => {
      const conversation = read.get(1 + (i % 1000)) as { id: number; operator_id: number };
      const now = new Date().toISOString();
      const id = message.run(conversation.id, `message ${i}`, `c${i}`, now).lastInsertRowid;
      const payload = JSON.stringify({ message: { id: Number(id), conversationId: conversation.id, body: `message ${i}`, createdAt: now } });
      bus.run(`livechat.conversation:${conversation.id}`, payload, now);
      bus.run(`user:${conversation.operator_id}`, payload, now);
    });
    const posts = timed((i) => postShaped.immediate(i));
    return { insertsPerSecond: round(inserts, 0), postTransactionsPerSecond: round(posts, 0) };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
