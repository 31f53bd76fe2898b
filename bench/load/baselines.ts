import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { WebSocketServer } from "ws";
import { SQLITE_PRAGMAS } from "../../host/database";
import { round } from "../stats";
import { settledMemory, type ToServer } from "./protocol";

/**
 * Same-run baselines, each in this separate process: `echo` serves a bare `ws` echo server (the load
 * generator offers it messages as it offers posts to the host); `sqlite` measures what SQLite alone
 * does on this disk with the host's settings: single-row inserts, each its own transaction, and a
 * transaction shaped like a visitor's post (read the conversation, insert the message and its two bus
 * notifications).
 */
const mode = process.argv[2];

if (mode === "echo") {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on("connection", (ws) => ws.on("message", (data, binary) => ws.send(data, { binary })));
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as { port: number }).port;
    process.send?.({ type: "ready", url: `ws://127.0.0.1:${port}` });
  });
  process.on("message", () => process.exit(0));
} else if (mode === "idle") {
  // A bare `ws` server holding idle sockets: what a connection costs without the host's bus.
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on("connection", (ws) => ws.on("message", (data, binary) => ws.send(data, { binary })));
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as { port: number }).port;
    process.send?.({ type: "ready", url: `ws://127.0.0.1:${port}` });
  });
  process.on("message", (m: ToServer) => {
    if (m.type === "memory") process.send?.(settledMemory());
    else process.exit(0);
  });
} else if (mode === "sqlite") {
  const seconds = Number(process.argv[3] ?? 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "livechat-bench-"));
  const db = new Database(path.join(dir, "bare.sqlite"));
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
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
  const synchronous = db.pragma("synchronous", { simple: true });
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.send?.({ type: "sqlite", insertsPerSecond: round(inserts, 0), postTransactionsPerSecond: round(posts, 0), synchronous, pragmas: SQLITE_PRAGMAS });
  process.exit(0);
}
