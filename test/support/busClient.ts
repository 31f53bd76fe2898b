import WebSocket from "ws";
import type { BusNotification, BusSignal } from "../../host/contract";

const WAIT_MS = 5000;

/** Who opens the socket: a session cookie, a visitor token, or other request headers. */
export interface BusAuth {
  cookie?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** A message the server sends on the bus socket. */
export interface BusFrame {
  op: string;
  last?: number;
  notification?: BusNotification;
  signal?: BusSignal;
  message?: string;
  /** An answer to a `post` (see `TestBusClient.post`). */
  ref?: number;
  status?: number;
  body?: { error?: string; message?: { id: number; body: string } };
  retryAfter?: number;
}

function socketUrl(url: string, auth: BusAuth): string {
  const query = auth.token === undefined ? "" : `?token=${encodeURIComponent(auth.token)}`;
  return `${url.replace(/^http/, "ws")}/websocket${query}`;
}

function socketHeaders(auth: BusAuth): Record<string, string> {
  return { ...auth.headers, ...(auth.cookie ? { Cookie: auth.cookie } : {}) };
}

/** A bus client as a browser tab would be: it says hello, then collects what the server sends. */
export class TestBusClient {
  readonly frames: BusFrame[] = [];
  private readonly waiters: { from: number; match: (f: BusFrame) => boolean; resolve: (f: BusFrame) => void }[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as BusFrame;
      this.frames.push(frame);
      const index = this.frames.length - 1;
      for (const waiter of this.waiters.filter((w) => index >= w.from && w.match(frame))) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    });
  }

  /** Opens `/websocket` on the server at `url` (http://...); nothing is said yet. */
  static open(url: string, auth: BusAuth = {}): Promise<TestBusClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(socketUrl(url, auth), { headers: socketHeaders(auth) });
      const client = new TestBusClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => {
        res.resume();
        reject(new Error(`WebSocket refused with ${res.statusCode}`));
      });
      ws.once("error", reject);
    });
  }

  /** Every notification received so far, in order. */
  get notifications(): BusNotification[] {
    return this.frames.filter((f) => f.op === "notification" && f.notification).map((f) => f.notification as BusNotification);
  }

  /** Every signal received so far (never stored, so never caught up), in order. */
  get signals(): BusSignal[] {
    return this.frames.filter((f) => f.op === "signal" && f.signal).map((f) => f.signal as BusSignal);
  }

  /** Resolves with the first signal (already received or future) matching `predicate`. */
  async nextSignal(predicate: (s: BusSignal) => boolean, timeoutMs = WAIT_MS): Promise<BusSignal> {
    const frame = await this.frame((f) => f.op === "signal" && !!f.signal && predicate(f.signal), "a matching signal", 0, timeoutMs);
    return frame.signal as BusSignal;
  }

  /** Says hello (catching up after `last`) and resolves with the last id the server's `ready` reports. */
  async hello(last: number | null): Promise<number> {
    const from = this.frames.length;
    this.send({ op: "hello", last });
    return (await this.frame((f) => f.op === "ready", "ready", from)).last as number;
  }

  /** Resolves with the first notification (already received or future) matching `predicate`. */
  async next(predicate: (n: BusNotification) => boolean, timeoutMs = WAIT_MS): Promise<BusNotification> {
    const frame = await this.frame((f) => f.op === "notification" && !!f.notification && predicate(f.notification), "a matching notification", 0, timeoutMs);
    return frame.notification as BusNotification;
  }

  /** Resolves with the first frame from index `from` on (already received or future) that matches. */
  frame(match: (f: BusFrame) => boolean, what: string, from = 0, timeoutMs = WAIT_MS): Promise<BusFrame> {
    const found = this.frames.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No ${what} arrived`)), timeoutMs);
      this.waiters.push({ from, match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  private refs = 0;

  /** Calls a lean route over the socket, as the widget sends a message; resolves with the answer. */
  async post(path: string, body: unknown, lang?: string): Promise<BusFrame> {
    const ref = ++this.refs;
    this.send({ op: "post", ref, path, body, ...(lang ? { lang } : {}) });
    return this.frame((f) => f.op === "answer" && f.ref === ref, `an answer to post ${ref}`);
  }

  /** Resolves with the close code once the server closes the socket. */
  closed(): Promise<number> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
    return new Promise((resolve) => this.ws.once("close", (code) => resolve(code)));
  }

  send(message: unknown): void {
    this.sendRaw(JSON.stringify(message));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Closes the socket; resolves once it is closed. */
  /** Stops reading what the server sends, as a frozen tab would: its closing handshake goes unanswered. */
  pause(): void {
    this.ws.pause();
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.ws.resume();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}

/** Opens `/websocket` and says hello (after `last`, when given), as the host's bus.js does. */
export async function connectBus(url: string, auth: BusAuth & { last?: number | null }): Promise<TestBusClient> {
  const client = await TestBusClient.open(url, auth);
  try {
    await client.hello(auth.last ?? null);
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

/** The HTTP status the server refuses a socket upgrade with; fails if the upgrade is accepted. */
export function busRefusal(url: string, auth: BusAuth = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(socketUrl(url, auth), { headers: socketHeaders(auth) });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once("open", () => {
      ws.close();
      reject(new Error("The upgrade was accepted"));
    });
    ws.once("error", () => undefined);
  });
}
