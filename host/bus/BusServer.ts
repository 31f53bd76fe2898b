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
/** Notification ids a socket remembers having been sent, to send none twice. */
const SENT_REMEMBERED = 4096;
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

/**
 * One socket's state. Idle sockets are the many (tens of thousands of visitors with a tab open), so
 * what only some need is made when needed: the record of what was sent, the notifications held back
 * during catch-up, the chain of messages in progress; and sockets share their event handlers.
 */
interface Connection {
  ws: WebSocket;
  identity: Identity;
  /** The client's address, counted against in the limits with the identity. */
  address: string;
  /** Usually one or two. */
  channels: string[];
  /** `new` until hello; `catching` while missed notifications are sent; then `live`. */
  state: "new" | "catching" | "live";
  /** Live notifications that arrived during catch-up, sent right after it. */
  buffered: BusNotification[] | null;
  /** What this socket was sent (catch-up and live delivery can overlap); made at the first notification. */
  sent: RecentIds | null;
  /** Highest id known when the socket became live: channels added later catch up from there. */
  baseline: number;
  alive: boolean;
  /** Messages are handled one after another so a refresh never races a catch-up; null when none is. */
  queue: Promise<void> | null;
  /** The presence writes of a user's socket (opened, then closed), in that order. */
  tab: Promise<void> | null;
}

/** Listeners of a bus channel: one connection alone (the common case, a visitor's), or a set. */
type Listeners = Connection | Set<Connection>;

/** The WebSocket endpoint of the bus: authenticates sockets, catches them up, then streams live. */
export class BusServer {
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly byChannel = new Map<string, Listeners>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeSignals: () => void;
  private readonly pingTimer: NodeJS.Timeout;
  private closed = false;
  private readonly pendingTabs = new Set<Promise<void>>();

  private readonly server: http.Server;

  constructor(private readonly options: BusServerOptions) {
    this.server = options.server;
    // This class tracks its sockets itself (connections).
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024, clientTracking: false });
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
    for (const connection of this.connections.values()) connection.ws.close(1001, "server shutting down");
    for (const connection of [...this.connections.values()]) {
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
    socket.on("error", destroySocket);
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
    const address = this.options.clientAddress(req);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, identity, channels, address));
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

  private accept(ws: WebSocket, identity: Identity, channels: string[], address: string): void {
    const over = this.options.limits.tryOpen(limitKeys(identity, address));
    if (over !== null) {
      // Accepted then closed, so the client reads why (an HTTP refusal reaches browsers as a bare 1006).
      ws.close(TOO_MANY_SOCKETS, TOO_MANY_REASONS[over]);
      return;
    }
    const connection: Connection = {
      ws,
      identity,
      address,
      channels: [],
      state: "new",
      buffered: null,
      sent: null,
      baseline: 0,
      alive: true,
      queue: null,
      tab: null,
    };
    this.connections.set(ws, connection);
    this.tabWrite(connection, (presence, userId) => presence.tabOpened(userId));
    this.setChannels(connection, channels);
    ws.on("pong", this.onPong);
    ws.on("message", this.onSocketMessage);
    ws.on("close", this.onClose);
    ws.on("error", this.onError);
    if (this.closed) ws.close(1001, "server shutting down");
  }

  // Shared by every socket (`this` is the socket), so an idle socket holds no closures of its own.
  private readonly onPong = ((server: BusServer) =>
    function (this: WebSocket): void {
      const connection = server.connections.get(this);
      if (connection) connection.alive = true;
    })(this);

  private readonly onSocketMessage = ((server: BusServer) =>
    function (this: WebSocket, data: RawData, isBinary: boolean): void {
      const connection = server.connections.get(this);
      if (!connection) return;
      connection.alive = true;
      const run = (connection.queue ?? Promise.resolve()).then(() => server.onMessage(connection, data, isBinary));
      connection.queue = run;
      // The chain is let go once nothing more waits on it.
      const settled = () => {
        if (connection.queue === run) connection.queue = null;
      };
      run.then(settled, settled);
    })(this);

  private readonly onClose = ((server: BusServer) =>
    function (this: WebSocket): void {
      const connection = server.connections.get(this);
      if (connection) server.forget(connection);
    })(this);

  private readonly onError = ((server: BusServer) =>
    function (this: WebSocket, error: Error): void {
      server.options.logger.warn("bus: WebSocket error", { error });
      this.terminate();
    })(this);

  private forget(connection: Connection): void {
    if (!this.connections.delete(connection.ws)) return;
    this.options.limits.closed(limitKeys(connection.identity, connection.address));
    this.setChannels(connection, []);
    connection.buffered = null;
    this.tabWrite(connection, (presence, userId) => presence.tabClosed(userId));
  }

  /** A user's socket is an open tab: presence counts them, so closing the last one soon makes the user offline. */
  private tabWrite(connection: Connection, write: (presence: HostPresence, userId: number) => Promise<void>): void {
    if (connection.identity.kind !== "user") return;
    const userId = connection.identity.user.id;
    const done = (connection.tab ?? Promise.resolve())
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
      for (const n of await this.options.bus.committedLate(connection.channels, last)) this.sendNotification(connection, n);
      maxSent = await this.sendSince(connection, connection.channels, last);
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
    const added = channels.filter((c) => !connection.channels.includes(c));
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
    const buffered = (connection.buffered ?? []).sort((a, b) => a.id - b.id);
    connection.buffered = null;
    let maxSent = 0;
    for (const n of buffered) {
      if (connection.channels.includes(n.channel) && this.sendNotification(connection, n)) maxSent = Math.max(maxSent, n.id);
    }
    return maxSent;
  }

  // ---- delivery -------------------------------------------------------------------------------

  private dispatch(notification: BusNotification): void {
    const listeners = this.byChannel.get(notification.channel);
    if (!listeners) return;
    if (listeners instanceof Set) for (const connection of listeners) this.deliver(connection, notification);
    else this.deliver(listeners, notification);
  }

  private deliver(connection: Connection, notification: BusNotification): void {
    if (connection.state === "live") this.sendNotification(connection, notification);
    else if (connection.state === "catching") (connection.buffered ??= []).push(notification);
  }

  /** Signals go to sockets that said hello, as they come: they have no id and are never caught up. */
  private dispatchSignal(signal: BusSignal): void {
    const listeners = this.byChannel.get(signal.channel);
    if (!listeners) return;
    for (const connection of listeners instanceof Set ? listeners : [listeners]) {
      if (connection.state !== "new") this.send(connection, { op: "signal", signal });
    }
  }

  private sendNotification(connection: Connection, notification: BusNotification): boolean {
    if (connection.sent?.has(notification.id)) return false;
    if (!this.send(connection, { op: "notification", notification })) return false;
    (connection.sent ??= new RecentIds(SENT_REMEMBERED)).add(notification.id);
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
    const next = [...new Set(channels)];
    for (const channel of connection.channels) {
      if (next.includes(channel)) continue;
      const listeners = this.byChannel.get(channel);
      if (listeners === connection) this.byChannel.delete(channel);
      else if (listeners instanceof Set) {
        listeners.delete(connection);
        if (listeners.size === 1) this.byChannel.set(channel, listeners.values().next().value as Connection);
      }
    }
    for (const channel of next) {
      const listeners = this.byChannel.get(channel);
      if (!listeners) this.byChannel.set(channel, connection);
      else if (listeners instanceof Set) listeners.add(connection);
      else if (listeners !== connection) this.byChannel.set(channel, new Set([listeners, connection]));
    }
    connection.channels = next;
  }

  private pingAll(): void {
    for (const connection of this.connections.values()) {
      if (!connection.alive) {
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
    }
  }
}

/** What a socket counts against in the limits. */
function limitKeys(identity: Identity, address: string): SocketKeys {
  return [identity.kind === "user" ? ["user", String(identity.user.id)] : ["visitorToken", identity.token], ["address", address]];
}

function destroySocket(this: Duplex): void {
  this.destroy();
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
