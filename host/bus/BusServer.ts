import type http from "node:http";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData, type Server } from "ws";
import { z } from "zod";
import { busAddress, type BusNotification, type BusSignal, type HostUser, type Logger } from "../contract";
import type { HostPresence } from "../presence/HostPresence";
import { RecentIds, type HostBus } from "./HostBus";
import { BusSocket, type BusSocketEvents } from "./BusSocket";
import { notificationMessage } from "./notificationText";
import { socketOrigin } from "./socketOrigin";
import { TOO_MANY_SOCKETS, type SocketKeys, type SocketLimits } from "./SocketLimits";
import type { SocketPosts } from "../http/LeanRoutes";

export const BUS_PATH = "/websocket";

export interface BusServerOptions {
  /** The HTTP server whose upgrade requests on `/websocket` this endpoint takes. */
  server: http.Server;
  bus: HostBus;
  presence: HostPresence;
  /** The logged-in user behind an upgrade request (the host runs its session middleware on it). */
  authenticateUser: (req: http.IncomingMessage) => Promise<SignedIn | null>;
  logger: Logger;
  /**
   * Which origins may open a cookie-authenticated (user) socket; the default accepts the request's
   * own host and clients that send no Origin. Visitor sockets carry a bearer token, not a cookie, so
   * the embeddable widget may connect from any website.
   */
  allowedOrigins?: (origin: string | undefined, req: http.IncomingMessage) => boolean;
  /** Ping period; a socket that has not answered the previous ping is terminated. */
  pingIntervalMs?: number;
  /** Sockets pinged in one turn of the event loop at most (`PINGS_PER_TURN`). */
  pingsPerTurn?: number;
  /** Sessions checked in one turn at most (`SESSION_CHECKS_PER_TURN`). */
  sessionChecksPerTurn?: number;
  /** Caps sockets per visitor token, user and client address. */
  limits: SocketLimits;
  /** The client's address, as the host's HTTP side sees it (behind a trusted proxy, the forwarded one). */
  clientAddress: (req: http.IncomingMessage) => string;
  /** Takes `post` messages: lean routes called over the socket (see `LeanRoutes.socketPosts`). */
  posts?: SocketPosts;
}

/**
 * A logged-in user, and how to ask later whether they still are: a socket outlives the request that
 * opened it, so it is closed once its session ended (logged out, signed out everywhere by a password
 * change, or the user deactivated), at the next ping or refresh.
 */
export interface SignedIn {
  user: HostUser;
  /** The user as of now (name, language, groups); null once the session has ended or the user was deactivated. */
  current(): Promise<HostUser | null>;
}

/**
 * How long a user's socket relies on the user and session it last read, for its posts: changes made
 * on this instance (a logout, a user's groups) are seen at once (`userChanged`, `sessionsEnded`),
 * those of another instance within this. Reading them at every post cost about as much as the rest
 * of an operator's message.
 */
const USER_READ_MS = 1000;

/** The close code of a socket whose visitor token or user session is no longer valid: the client does not reconnect. */
const NOT_AUTHORIZED = 4401;

const PAGE = 500;
/** Every message of the endpoint is text, even when handed over as bytes. */
const TEXT = { binary: false } as const;
/** Notification ids a socket remembers having been sent, to send none twice. */
const SENT_REMEMBERED = 4096;
/** A client this far behind is cut off; it reconnects and catches up from what it saw. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** A client whose pings this many pongs wait to be written for is cut (as ws's autoPong does). */
const MAX_PENDING_PONGS = 60;
/**
 * Messages a socket may have waiting to be handled: a page sends a few at a time, so one that sends
 * many more without reading the answers is cut rather than queued without bound.
 */
const MAX_QUEUED_MESSAGES = 64;
/**
 * Sockets pinged in one turn of the event loop at most: about 2 ms of writes, where 10,000 pings at
 * once held the loop 68–128 ms here (50,000: about half a second, every period).
 */
const PINGS_PER_TURN = 200;
/**
 * Users' sockets whose session is checked in one turn at most: a check reads the session and the
 * user, and a hundred operators' checks in one turn held the loop 38–62 ms at every ping.
 */
const SESSION_CHECKS_PER_TURN = 10;

const TOO_MANY_REASONS = {
  visitorToken: "too many sockets for this visitor",
  user: "too many sockets for this user",
  address: "too many sockets from this address",
} as const;

const clientMessage = z.discriminatedUnion("op", [
  z.object({ op: z.literal("hello"), last: z.number().int().nonnegative().nullable() }),
  z.object({ op: z.literal("presence"), input: z.boolean() }),
  z.object({ op: z.literal("refresh") }),
  z.object({
    op: z.literal("post"),
    ref: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    path: z.string().max(512),
    body: z.unknown(),
    lang: z.string().max(200).optional(),
  }),
]);
type ClientMessage = z.infer<typeof clientMessage>;
type PostMessage = Extract<ClientMessage, { op: "post" }>;

/** Listeners of a bus channel: one socket alone (the common case, a visitor's), or a set. */
type Listeners = BusSocket | Set<BusSocket>;

/** The WebSocket endpoint of the bus: authenticates sockets, catches them up, then streams live. */
export class BusServer {
  private readonly wss: Server<typeof BusSocket>;
  private readonly sockets = new Set<BusSocket>();
  private readonly byChannel = new Map<string, Listeners>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeSignals: () => void;
  private readonly pingTimer: NodeJS.Timeout;
  private closed = false;
  private readonly pendingTabs = new Set<Promise<void>>();
  private allForgotten: (() => void) | null = null;

  private readonly server: http.Server;

  constructor(private readonly options: BusServerOptions) {
    this.server = options.server;
    // This class tracks its sockets itself (`sockets`).
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024, clientTracking: false, autoPong: false, WebSocket: BusSocket });
    this.unsubscribe = options.bus.onNotification((n, skip) => this.dispatch(n, skip));
    this.unsubscribeSignals = options.bus.onSignal((signal) => this.dispatchSignal(signal));
    this.server.on("upgrade", this.onUpgrade);
    this.pingTimer = setInterval(() => this.pingAll(), options.pingIntervalMs ?? 30_000);
    this.pingTimer.unref();
  }

  connectionCount(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    this.server.off("upgrade", this.onUpgrade);
    this.unsubscribe();
    this.unsubscribeSignals();
    for (const ws of [...this.sockets]) this.closeForShutdown(ws);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    // Each socket's close event writes its closed tab to presence: the host keeps its database until then.
    if (this.sockets.size > 0) await new Promise<void>((resolve) => (this.allForgotten = resolve));
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
    const requested = url.searchParams.get("token");
    let user: HostUser | null = null;
    let signedIn: SignedIn | null = null;
    let token: string | null = null;
    let channels: string[];
    if (requested !== null) {
      const granted = requested ? await this.options.bus.channelsForVisitorToken(requested) : null;
      if (!granted) return reject(socket, 401, "Unauthorized");
      // Read from the URL, the token is a slice of it: kept as is, it would keep the whole URL.
      token = ownCopy(requested);
      channels = granted;
    } else {
      if (!this.originAllowed(req)) return reject(socket, 403, "Forbidden");
      signedIn = await this.options.authenticateUser(req);
      if (!signedIn || !signedIn.user.active) return reject(socket, 401, "Unauthorized");
      user = signedIn.user;
      channels = await this.options.bus.channelsForUser(user);
    }
    await this.options.limits.refresh();
    if (this.closed || socket.destroyed) return reject(socket, 503, "Service Unavailable");
    const address = this.options.clientAddress(req);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // ws handles the socket's errors from now on.
      socket.off("error", destroySocket);
      ws.user = user;
      ws.currentUser = signedIn?.current ?? null;
      ws.userReadAt = performance.now();
      ws.token = token;
      ws.address = address;
      this.accept(ws, channels);
    });
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

  private accept(ws: BusSocket, channels: string[]): void {
    ws.events = this.socketEvents;
    const over = this.options.limits.tryOpen(limitKeys(ws));
    if (over !== null) {
      // Accepted then closed, so the client reads why (an HTTP refusal reaches browsers as a bare 1006).
      ws.close(TOO_MANY_SOCKETS, TOO_MANY_REASONS[over]);
      return;
    }
    this.sockets.add(ws);
    this.tabWrite(ws, (presence, userId) => presence.tabOpened(userId));
    this.setChannels(ws, channels);
    if (this.closed) this.closeForShutdown(ws);
  }

  private closeForShutdown(ws: BusSocket): void {
    ws.close(1001, "server shutting down");
    // A socket that does not finish the closing handshake promptly is cut: the host waits for each.
    setTimeout(() => ws.terminate(), 1000).unref();
  }

  /** One object for every socket's events, so an idle socket holds no closures of its own. */
  private readonly socketEvents: BusSocketEvents = {
    message: (ws, data, isBinary) => {
      if (!this.sockets.has(ws)) return;
      ws.alive = true;
      if (ws.queued >= MAX_QUEUED_MESSAGES) {
        ws.close(1008, "too many messages waiting");
        return;
      }
      const message = this.parse(ws, data, isBinary);
      if (message === null) return;
      // A post refused a place is answered at once, not after the socket's earlier posts.
      if (message.op === "post" && !this.admitPost(ws, message)) return;
      ws.queued++;
      const run = (ws.queue ?? Promise.resolve()).then(() => this.onMessage(ws, message));
      ws.queue = run;
      // The chain is let go once nothing more waits on it.
      const settled = () => {
        ws.queued--;
        if (ws.queue === run) ws.queue = null;
      };
      run.then(settled, settled);
    },
    // Answered here rather than by ws's autoPong, which makes every socket a callback of its own for it.
    ping: (ws, data) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.pendingPongs >= MAX_PENDING_PONGS) return ws.terminate();
      ws.pendingPongs++;
      ws.pong(data, false, () => ws.pendingPongs--);
    },
    pong: (ws) => {
      ws.alive = true;
    },
    close: (ws) => this.forget(ws),
    error: (ws, error) => {
      this.options.logger.warn("bus: WebSocket error", { error });
      ws.terminate();
    },
  };

  private forget(ws: BusSocket): void {
    if (!this.sockets.delete(ws)) return;
    this.options.limits.closed(limitKeys(ws));
    this.setChannels(ws, []);
    ws.buffered = null;
    this.tabWrite(ws, (presence, userId) => presence.tabClosed(userId));
    if (this.sockets.size === 0) this.allForgotten?.();
  }

  /** A user's socket is an open tab: presence counts them, so closing the last one soon makes the user offline. */
  private tabWrite(ws: BusSocket, write: (presence: HostPresence, userId: number) => Promise<void>): void {
    if (ws.user === null) return;
    const userId = ws.user.id;
    const done = (ws.tab ?? Promise.resolve())
      .then(() => write(this.options.presence, userId))
      .catch((error: unknown) => this.options.logger.warn("bus: presence write failed", { userId, error: String(error) }));
    ws.tab = done;
    this.pendingTabs.add(done);
    void done.then(() => this.pendingTabs.delete(done));
  }

  /** Resolves once the presence writes of sockets opened and closed so far are done. */
  async tabsSettled(): Promise<void> {
    while (this.pendingTabs.size) await Promise.all([...this.pendingTabs]);
  }

  // ---- protocol -------------------------------------------------------------------------------

  /** The client's message, or null when it is not one (the client is told). */
  private parse(ws: BusSocket, data: RawData, isBinary: boolean): ClientMessage | null {
    try {
      if (isBinary) throw new Error("binary frame");
      const parsed = clientMessage.safeParse(JSON.parse(rawText(data)));
      if (!parsed.success) throw new Error("invalid message");
      return parsed.data;
    } catch {
      this.send(ws, { op: "error", message: "Expected a JSON message: hello, presence, refresh or post" });
      return null;
    }
  }

  /** Takes a post's place in the in-flight budget as it arrives; false when it was refused (and answered so). */
  private admitPost(ws: BusSocket, message: PostMessage): boolean {
    const posts = this.options.posts;
    if (posts === undefined) {
      this.send(ws, { op: "answer", ref: message.ref, status: 404, body: { error: "This server takes no posts over the socket" } });
      return false;
    }
    if (posts.admit()) return true;
    void posts.refusal(message.lang).then((answer) => this.send(ws, { op: "answer", ref: message.ref, ...answer }));
    return false;
  }

  private async onMessage(ws: BusSocket, message: ClientMessage): Promise<void> {
    if (ws.readyState !== WebSocket.OPEN) {
      // Its place was taken as it arrived: nobody is left to answer.
      if (message.op === "post") this.options.posts?.release();
      return;
    }
    try {
      switch (message.op) {
        case "hello":
          return await this.hello(ws, message.last);
        case "presence":
          return await this.presence(ws, message.input);
        case "refresh":
          return await this.refresh(ws);
        case "post":
          return await this.post(ws, message);
      }
    } catch (error) {
      this.options.logger.error("bus: handling a socket message failed", { op: message.op, error });
      // The client reconnects and catches up from what it saw; nothing is silently skipped.
      ws.close(1011, "internal error");
    }
  }

  private async hello(ws: BusSocket, last: number | null): Promise<void> {
    if (ws.state !== "new") {
      this.send(ws, { op: "error", message: "hello was already received" });
      return;
    }
    // Live notifications are buffered from now on, so nothing committed during catch-up is missed.
    ws.state = "catching";
    let maxSent = 0;
    if (last !== null) {
      // Stored below `last` but committed after the client saw it: sent first, they are older.
      for (const n of await this.options.bus.committedLate(ws.channels, last)) this.sendNotification(ws, n);
      maxSent = await this.sendSince(ws, ws.channels, last);
    }
    const current = await this.options.bus.deliveredUpTo();
    maxSent = Math.max(maxSent, this.flushBuffered(ws));
    ws.state = "live";
    ws.baseline = Math.max(current, maxSent);
    this.send(ws, { op: "ready", last: ws.baseline });
  }

  /**
   * An admitted post: answered on the socket with the request's `ref`, as HTTP would answer. A user's
   * post reads the user again when due (`USER_READ_MS`); one whose session has ended is refused, and
   * the socket closed after.
   */
  private async post(ws: BusSocket, message: PostMessage): Promise<void> {
    const posts = this.options.posts;
    // Only a post admitted on arrival gets here, and only an endpoint that takes posts admits any.
    if (posts === undefined) return;
    const current = ws.currentUser;
    let ended = false;
    const user =
      current === null
        ? null
        : async () => {
            if (ws.user !== null && performance.now() - ws.userReadAt < USER_READ_MS) return ws.user;
            const now = await current();
            if (now === null) ended = true;
            else this.userRead(ws, now);
            return now;
          };
    const caller = { token: ws.token, user, lang: message.lang, address: ws.address };
    const answer = await socketOrigin.run(ws, () => posts.answer(message.path, message.body, caller));
    this.send(ws, { op: "answer", ref: message.ref, ...answer });
    if (ended) ws.close(NOT_AUTHORIZED, "session ended");
  }

  private async presence(ws: BusSocket, input: boolean): Promise<void> {
    if (ws.user === null) {
      this.send(ws, { op: "error", message: "presence is for logged-in users" });
      return;
    }
    const userId = ws.user.id;
    // Activity also counts as a sign of an open tab.
    if (input) await this.options.presence.recordActivity(userId);
    else await this.options.presence.recordSeen(userId);
  }

  private async refresh(ws: BusSocket): Promise<void> {
    if (!(await this.checkSignedIn(ws))) return;
    const channels = ws.user
      ? await this.options.bus.channelsForUser(ws.user)
      : await this.options.bus.channelsForVisitorToken(ws.token ?? "");
    if (channels === null) {
      ws.close(NOT_AUTHORIZED, "token no longer valid");
      return;
    }
    const added = channels.filter((c) => !ws.listens(c));
    const wasLive = ws.state === "live";
    if (wasLive && added.length > 0) ws.state = "catching";
    this.setChannels(ws, channels);
    if (wasLive && added.length > 0) {
      // What was published on a new channel since this socket became live would otherwise be missed.
      await this.sendSince(ws, added, ws.baseline);
      this.flushBuffered(ws);
      ws.state = "live";
    }
    this.send(ws, { op: "refreshed", channels: channels.length });
  }

  /** Sends stored notifications after `last` on `channels`, page by page; returns the highest id sent. */
  private async sendSince(ws: BusSocket, channels: string[], last: number): Promise<number> {
    let cursor = last;
    let maxSent = 0;
    for (;;) {
      const page = await this.options.bus.since(channels, cursor, PAGE);
      for (const n of page) {
        if (this.sendNotification(ws, n)) maxSent = Math.max(maxSent, n.id);
      }
      if (page.length < PAGE || ws.readyState !== WebSocket.OPEN) return maxSent;
      cursor = page[page.length - 1].id;
    }
  }

  private flushBuffered(ws: BusSocket): number {
    const buffered = (ws.buffered ?? []).sort((a, b) => a.id - b.id);
    ws.buffered = null;
    let maxSent = 0;
    for (const n of buffered) {
      if (ws.listens(n.channel) && this.sendNotification(ws, n)) maxSent = Math.max(maxSent, n.id);
    }
    return maxSent;
  }

  // ---- delivery -------------------------------------------------------------------------------

  /** `skip`: the socket that read what the notification carries in its answer. */
  private dispatch(notification: BusNotification, skip: object | undefined): void {
    const listeners = this.byChannel.get(notification.channel);
    if (!listeners) return;
    if (!(listeners instanceof Set)) {
      if (listeners !== skip) this.deliver(listeners, notification, null);
      return;
    }
    // Made once for all the channel's sockets (a user's tabs).
    let message: Buffer | null = null;
    for (const ws of listeners) if (ws !== skip) message = this.deliver(ws, notification, message);
  }

  /** Returns the socket message, once made, for the next socket of the same notification. */
  private deliver(ws: BusSocket, notification: BusNotification, message: Buffer | null): Buffer | null {
    if (ws.state === "live") {
      message ??= Buffer.from(notificationMessage(notification));
      this.sendNotification(ws, notification, message);
    } else if (ws.state === "catching") (ws.buffered ??= []).push(notification);
    return message;
  }

  /** Signals go to sockets that said hello, as they come: they have no id and are never caught up. */
  private dispatchSignal(signal: BusSignal): void {
    const listeners = this.byChannel.get(signal.channel);
    if (!listeners) return;
    for (const ws of listeners instanceof Set ? listeners : [listeners]) {
      if (ws.state !== "new") this.send(ws, { op: "signal", signal });
    }
  }

  private sendNotification(ws: BusSocket, notification: BusNotification, message: Buffer | null = null): boolean {
    if (ws.sent?.has(notification.id)) return false;
    if (!this.sendText(ws, message ?? notificationMessage(notification))) return false;
    (ws.sent ??= new RecentIds(SENT_REMEMBERED)).add(notification.id);
    return true;
  }

  private send(ws: BusSocket, message: unknown): boolean {
    return this.sendText(ws, JSON.stringify(message));
  }

  /** A text message, given as its UTF-8 bytes when several sockets share it. */
  private sendText(ws: BusSocket, text: string | Buffer): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.options.logger.warn("bus: socket too far behind; closing it so it reconnects and catches up");
      ws.terminate();
      return false;
    }
    ws.send(text, TEXT);
    return true;
  }

  private setChannels(ws: BusSocket, channels: string[]): void {
    const next = [...new Set(channels)];
    for (const channel of ws.channels) {
      if (next.includes(channel)) continue;
      const listeners = this.byChannel.get(channel);
      if (listeners === ws) this.byChannel.delete(channel);
      else if (listeners instanceof Set) {
        listeners.delete(ws);
        if (listeners.size === 1) this.byChannel.set(channel, listeners.values().next().value as BusSocket);
      }
    }
    for (const channel of next) {
      const listeners = this.byChannel.get(channel);
      if (!listeners) this.byChannel.set(channel, ws);
      else if (listeners instanceof Set) listeners.add(ws);
      else if (listeners !== ws) this.byChannel.set(channel, new Set([listeners, ws]));
    }
    ws.channels = next;
  }

  /**
   * Every socket once a period, a turn's worth at a time: a write per socket, and a session check per
   * user's socket, for all of them in one turn would hold every request up for as long.
   */
  private pingAll(): void {
    const sockets = [...this.sockets];
    const perTurn = this.options.pingsPerTurn ?? PINGS_PER_TURN;
    const checksPerTurn = this.options.sessionChecksPerTurn ?? SESSION_CHECKS_PER_TURN;
    const slice = (from: number) => {
      let i = from;
      let checks = 0;
      while (i < sockets.length && i - from < perTurn) {
        if (this.ping(sockets[i++]) && ++checks === checksPerTurn) break;
      }
      if (i < sockets.length && !this.closed) setImmediate(slice, i);
    };
    slice(0);
  }

  /** Pings `ws`, or cuts it when it never answered the last ping; true when it also checks the socket's session. */
  private ping(ws: BusSocket): boolean {
    // Closed since the round began.
    if (!this.sockets.has(ws)) return false;
    if (!ws.alive) {
      ws.terminate();
      return false;
    }
    ws.alive = false;
    ws.ping();
    if (ws.currentUser === null) return false;
    void this.checkSignedIn(ws);
    return true;
  }

  /** False, and the socket closed, when its user's session ended; a check that fails leaves it open (the next one asks again). */
  private async checkSignedIn(ws: BusSocket): Promise<boolean> {
    const current = ws.currentUser;
    if (current === null) return true;
    const user = await current().catch(() => undefined);
    if (user === null) ws.close(NOT_AUTHORIZED, "session ended");
    else if (user !== undefined) this.userRead(ws, user);
    return user !== null;
  }

  private userRead(ws: BusSocket, user: HostUser): void {
    ws.user = user;
    ws.userReadAt = performance.now();
  }

  /** A user changed on this instance (groups, language, archived): their sockets read them again at their next post. */
  userChanged(userId: number): void {
    const listeners = this.byChannel.get(busAddress.user(userId));
    if (listeners instanceof Set) for (const ws of listeners) ws.userReadAt = 0;
    else if (listeners) listeners.userReadAt = 0;
  }

  /** Sessions ended on this instance (a logout): every user's socket reads its session again at its next post. */
  sessionsEnded(): void {
    for (const ws of this.sockets) if (ws.user !== null) ws.userReadAt = 0;
  }
}

/** What a socket counts against in the limits. */
function limitKeys(ws: BusSocket): SocketKeys {
  return [ws.user ? ["user", String(ws.user.id)] : ["visitorToken", ws.token ?? ""], ["address", ws.address]];
}

/** A copy of `text` of its own (a slice of a string keeps all of it); UTF-16 round-trips any string exactly. */
function ownCopy(text: string): string {
  return Buffer.from(text, "utf16le").toString("utf16le");
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
