import type http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { z } from "zod";
import type { BusNotification, BusSignal, HostUser, Logger } from "../contract";
import type { HostPresence } from "../presence/HostPresence";
import { RecentIds, type HostBus } from "./HostBus";
import { TOO_MANY_SOCKETS, type SocketKeys, type SocketLimits } from "./SocketLimits";

export const BUS_PATH = "/websocket";

export interface BusServerOptions {
  /** The HTTP server whose upgrade requests on `/websocket` this endpoint takes. */
  server: http.Server;
  bus: HostBus;
  presence: HostPresence;
  /** The logged-in user behind an upgrade request (the host runs its session middleware on it). */
  authenticateUser: (req: http.IncomingMessage) => Promise<HostUser | null>;
  logger: Logger;
  /**
   * Which origins may open a cookie-authenticated (user) socket; the default accepts the request's
   * own host and clients that send no Origin. Visitor sockets carry a bearer token, not a cookie, so
   * the embeddable widget may connect from any website.
   */
  allowedOrigins?: (origin: string | undefined, req: http.IncomingMessage) => boolean;
  /** Ping period; a socket that has not answered the previous ping is terminated. */
  pingIntervalMs?: number;
  /** Caps sockets per visitor token, user and client address. */
  limits: SocketLimits;
  /** The client's address, as the host's HTTP side sees it (behind a trusted proxy, the forwarded one). */
  clientAddress: (req: http.IncomingMessage) => string;
}

const PAGE = 500;
/** A client this far behind is cut off; it reconnects and catches up from what it saw. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

const TOO_MANY_REASONS = {
  visitorToken: "too many sockets for this visitor",
  user: "too many sockets for this user",
  address: "too many sockets from this address",
} as const;

const clientMessage = z.discriminatedUnion("op", [
  z.object({ op: z.literal("hello"), last: z.number().int().nonnegative().nullable() }),
  z.object({ op: z.literal("presence"), input: z.boolean() }),
  z.object({ op: z.literal("refresh") }),
]);
type ClientMessage = z.infer<typeof clientMessage>;

type Identity = { kind: "user"; user: HostUser } | { kind: "visitor"; token: string };

interface Connection {
  ws: WebSocket;
  identity: Identity;
  /** What the socket counts against in the limits. */
  limitKeys: SocketKeys;
  channels: Set<string>;
  /** `new` until hello; `catching` while missed notifications are sent; then `live`. */
  state: "new" | "catching" | "live";
  /** Live notifications that arrived during catch-up, sent right after it. */
  buffered: BusNotification[];
  /** What this socket was sent; catch-up and live delivery can overlap. */
  sent: RecentIds;
  /** Highest id known when the socket became live: channels added later catch up from there. */
  baseline: number;
  alive: boolean;
  /** Messages are handled one after another so a refresh never races a catch-up. */
  queue: Promise<void>;
  /** The presence writes of a user's socket (opened, then closed), in that order. */
  tab: Promise<void>;
}

/** The WebSocket endpoint of the bus: authenticates sockets, catches them up, then streams live. */
export class BusServer {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly byChannel = new Map<string, Set<Connection>>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeSignals: () => void;
  private readonly pingTimer: NodeJS.Timeout;
  private closed = false;
  private readonly pendingTabs = new Set<Promise<void>>();

  private readonly server: http.Server;

  constructor(private readonly options: BusServerOptions) {
    this.server = options.server;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
    this.unsubscribe = options.bus.onNotification((n) => this.dispatch(n));
    this.unsubscribeSignals = options.bus.onSignal((signal) => this.dispatchSignal(signal));
    this.server.on("upgrade", this.onUpgrade);
    this.pingTimer = setInterval(() => this.pingAll(), options.pingIntervalMs ?? 30_000);
    this.pingTimer.unref();
  }

  connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    this.server.off("upgrade", this.onUpgrade);
    this.unsubscribe();
    this.unsubscribeSignals();
    for (const connection of this.connections) connection.ws.close(1001, "server shutting down");
    for (const connection of [...this.connections]) {
      // Sockets that do not finish the closing handshake promptly are cut.
      setTimeout(() => connection.ws.terminate(), 1000).unref();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  // ---- handshake ------------------------------------------------------------------------------

  private readonly onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== BUS_PATH) {
      // Another upgrade handler may own this path; with none, answer rather than leave it hanging.
      if (this.server.listenerCount("upgrade") <= 1) reject(socket, 404, "Not Found");
      return;
    }
    socket.on("error", () => socket.destroy());
    void this.handshake(req, socket, head, url).catch((error: unknown) => {
      this.options.logger.error("bus: WebSocket handshake failed", { error });
      reject(socket, 500, "Internal Server Error");
    });
  };

  private async handshake(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    if (this.closed) return reject(socket, 503, "Service Unavailable");
    const token = url.searchParams.get("token");
    let identity: Identity;
    let channels: string[];
    if (token !== null) {
      const granted = token ? await this.options.bus.channelsForVisitorToken(token) : null;
      if (!granted) return reject(socket, 401, "Unauthorized");
      identity = { kind: "visitor", token };
      channels = granted;
    } else {
      if (!this.originAllowed(req)) return reject(socket, 403, "Forbidden");
      const user = await this.options.authenticateUser(req);
      if (!user || !user.active) return reject(socket, 401, "Unauthorized");
      identity = { kind: "user", user };
      channels = await this.options.bus.channelsForUser(user);
    }
    await this.options.limits.refresh();
    if (this.closed || socket.destroyed) return reject(socket, 503, "Service Unavailable");
    const limitKeys: SocketKeys = [
      identity.kind === "user" ? ["user", String(identity.user.id)] : ["visitorToken", identity.token],
      ["address", this.options.clientAddress(req)],
    ];
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, identity, channels, limitKeys));
  }

  private originAllowed(req: http.IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (this.options.allowedOrigins) return this.options.allowedOrigins(origin, req);
    if (origin === undefined) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  private accept(ws: WebSocket, identity: Identity, channels: string[], limitKeys: SocketKeys): void {
    const over = this.options.limits.tryOpen(limitKeys);
    if (over !== null) {
      // Accepted then closed, so the client reads why (an HTTP refusal reaches browsers as a bare 1006).
      ws.close(TOO_MANY_SOCKETS, TOO_MANY_REASONS[over]);
      return;
    }
    const connection: Connection = {
      ws,
      identity,
      limitKeys,
      channels: new Set(),
      state: "new",
      buffered: [],
      sent: new RecentIds(4096),
      baseline: 0,
      alive: true,
      queue: Promise.resolve(),
      tab: Promise.resolve(),
    };
    this.connections.add(connection);
    this.tabWrite(connection, (presence, userId) => presence.tabOpened(userId));
    this.setChannels(connection, channels);
    ws.on("pong", () => {
      connection.alive = true;
    });
    ws.on("message", (data, isBinary) => {
      connection.alive = true;
      connection.queue = connection.queue.then(() => this.onMessage(connection, data, isBinary));
    });
    ws.on("close", () => this.forget(connection));
    ws.on("error", (error) => {
      this.options.logger.warn("bus: WebSocket error", { error });
      ws.terminate();
    });
    if (this.closed) ws.close(1001, "server shutting down");
  }

  private forget(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.options.limits.closed(connection.limitKeys);
    this.setChannels(connection, []);
    connection.buffered = [];
    this.tabWrite(connection, (presence, userId) => presence.tabClosed(userId));
  }

  /** A user's socket is an open tab: presence counts them, so closing the last one soon makes the user offline. */
  private tabWrite(connection: Connection, write: (presence: HostPresence, userId: number) => Promise<void>): void {
    if (connection.identity.kind !== "user") return;
    const userId = connection.identity.user.id;
    const done = connection.tab
      .then(() => write(this.options.presence, userId))
      .catch((error: unknown) => this.options.logger.warn("bus: presence write failed", { userId, error: String(error) }));
    connection.tab = done;
    this.pendingTabs.add(done);
    void done.then(() => this.pendingTabs.delete(done));
  }

  /** Resolves once the presence writes of sockets opened and closed so far are done. */
  async tabsSettled(): Promise<void> {
    while (this.pendingTabs.size) await Promise.all([...this.pendingTabs]);
  }

  // ---- protocol -------------------------------------------------------------------------------

  private async onMessage(connection: Connection, data: RawData, isBinary: boolean): Promise<void> {
    if (connection.ws.readyState !== WebSocket.OPEN) return;
    let message: ClientMessage;
    try {
      if (isBinary) throw new Error("binary frame");
      const parsed = clientMessage.safeParse(JSON.parse(rawText(data)));
      if (!parsed.success) throw new Error("invalid message");
      message = parsed.data;
    } catch {
      this.send(connection, { op: "error", message: "Expected a JSON message: hello, presence or refresh" });
      return;
    }
    try {
      switch (message.op) {
        case "hello":
          return await this.hello(connection, message.last);
        case "presence":
          return await this.presence(connection, message.input);
        case "refresh":
          return await this.refresh(connection);
      }
    } catch (error) {
      this.options.logger.error("bus: handling a socket message failed", { op: message.op, error });
      // The client reconnects and catches up from what it saw; nothing is silently skipped.
      connection.ws.close(1011, "internal error");
    }
  }

  private async hello(connection: Connection, last: number | null): Promise<void> {
    if (connection.state !== "new") {
      this.send(connection, { op: "error", message: "hello was already received" });
      return;
    }
    // Live notifications are buffered from now on, so nothing committed during catch-up is missed.
    connection.state = "catching";
    let maxSent = 0;
    if (last !== null) {
      // Stored below `last` but committed after the client saw it: sent first, they are older.
      for (const n of await this.options.bus.committedLate([...connection.channels], last)) this.sendNotification(connection, n);
      maxSent = await this.sendSince(connection, [...connection.channels], last);
    }
    const current = await this.options.bus.lastId();
    maxSent = Math.max(maxSent, this.flushBuffered(connection));
    connection.state = "live";
    connection.baseline = Math.max(current, maxSent);
    this.send(connection, { op: "ready", last: connection.baseline });
  }

  private async presence(connection: Connection, input: boolean): Promise<void> {
    if (connection.identity.kind !== "user") {
      this.send(connection, { op: "error", message: "presence is for logged-in users" });
      return;
    }
    const userId = connection.identity.user.id;
    // Activity also counts as a sign of an open tab.
    if (input) await this.options.presence.recordActivity(userId);
    else await this.options.presence.recordSeen(userId);
  }

  private async refresh(connection: Connection): Promise<void> {
    const identity = connection.identity;
    const channels =
      identity.kind === "user"
        ? await this.options.bus.channelsForUser(identity.user)
        : await this.options.bus.channelsForVisitorToken(identity.token);
    if (channels === null) {
      connection.ws.close(4401, "token no longer valid");
      return;
    }
    const added = channels.filter((c) => !connection.channels.has(c));
    const wasLive = connection.state === "live";
    if (wasLive && added.length > 0) connection.state = "catching";
    this.setChannels(connection, channels);
    if (wasLive && added.length > 0) {
      // What was published on a new channel since this socket became live would otherwise be missed.
      await this.sendSince(connection, added, connection.baseline);
      this.flushBuffered(connection);
      connection.state = "live";
    }
    this.send(connection, { op: "refreshed", channels: channels.length });
  }

  /** Sends stored notifications after `last` on `channels`, page by page; returns the highest id sent. */
  private async sendSince(connection: Connection, channels: string[], last: number): Promise<number> {
    let cursor = last;
    let maxSent = 0;
    for (;;) {
      const page = await this.options.bus.since(channels, cursor, PAGE);
      for (const n of page) {
        if (this.sendNotification(connection, n)) maxSent = Math.max(maxSent, n.id);
      }
      if (page.length < PAGE || connection.ws.readyState !== WebSocket.OPEN) return maxSent;
      cursor = page[page.length - 1].id;
    }
  }

  private flushBuffered(connection: Connection): number {
    const buffered = connection.buffered.sort((a, b) => a.id - b.id);
    connection.buffered = [];
    let maxSent = 0;
    for (const n of buffered) {
      if (connection.channels.has(n.channel) && this.sendNotification(connection, n)) maxSent = Math.max(maxSent, n.id);
    }
    return maxSent;
  }

  // ---- delivery -------------------------------------------------------------------------------

  private dispatch(notification: BusNotification): void {
    const listeners = this.byChannel.get(notification.channel);
    if (!listeners) return;
    for (const connection of listeners) {
      if (connection.state === "live") this.sendNotification(connection, notification);
      else if (connection.state === "catching") connection.buffered.push(notification);
    }
  }

  /** Signals go to sockets that said hello, as they come: they have no id and are never caught up. */
  private dispatchSignal(signal: BusSignal): void {
    for (const connection of this.byChannel.get(signal.channel) ?? []) {
      if (connection.state !== "new") this.send(connection, { op: "signal", signal });
    }
  }

  private sendNotification(connection: Connection, notification: BusNotification): boolean {
    if (connection.sent.has(notification.id)) return false;
    if (!this.send(connection, { op: "notification", notification })) return false;
    connection.sent.add(notification.id);
    return true;
  }

  private send(connection: Connection, message: unknown): boolean {
    const ws = connection.ws;
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.options.logger.warn("bus: socket too far behind; closing it so it reconnects and catches up");
      ws.terminate();
      return false;
    }
    ws.send(JSON.stringify(message));
    return true;
  }

  private setChannels(connection: Connection, channels: string[]): void {
    const next = new Set(channels);
    for (const channel of connection.channels) {
      if (next.has(channel)) continue;
      const set = this.byChannel.get(channel);
      set?.delete(connection);
      if (set?.size === 0) this.byChannel.delete(channel);
    }
    for (const channel of next) {
      let set = this.byChannel.get(channel);
      if (!set) this.byChannel.set(channel, (set = new Set()));
      set.add(connection);
    }
    connection.channels = next;
  }

  private pingAll(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
    }
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

function reject(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  const body = `${reason}\n`;
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
