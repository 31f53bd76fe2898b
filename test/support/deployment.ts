import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import WebSocket from "ws";
import type { BusNotification } from "../../host/contract";
import { ROOT_DIR } from "../../host/app";

/** One run of the probe job, as the instance that ran it reported it. */
export interface ProbeRun {
  instance: string;
  runCount: number;
  lastRunAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many times an instance that exits before serving is started. */
const START_ATTEMPTS = 3;

class ExitedBeforeServing extends Error {}

/** An instance of the host in a child process, which a test can kill with SIGKILL and start again on its port. */
export class InstanceProcess {
  url = "";
  alive = false;
  starts = 0;
  readonly probes: ProbeRun[] = [];
  private port = 0;
  private child: ChildProcess | null = null;

  constructor(
    readonly name: string,
    private readonly databaseUrl: string,
    private readonly probeMs: number,
  ) {}

  /**
   * Starts the process (on the port it had before, after a restart) and resolves once it serves. One
   * that fails before serving (its database connections cut while it starts) is started again, as a
   * supervisor would, a few times.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.launch();
      } catch (error) {
        if (!(error instanceof ExitedBeforeServing) || attempt >= START_ATTEMPTS) throw error;
      }
    }
  }

  private launch(): Promise<void> {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT_DIR, "test/support/instanceProcess.ts")], {
      cwd: ROOT_DIR,
      env: { ...process.env, DATABASE_URL: this.databaseUrl, PORT: String(this.port), INSTANCE: this.name, PROBE_JOB_MS: String(this.probeMs) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.starts += 1;
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = readline.createInterface({ input: child.stdout! });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not start in time: ${stderr}`)), 90_000);
      lines.on("line", (line) => {
        if (line.startsWith("READY ")) {
          this.url = line.slice("READY ".length);
          this.port = Number(new URL(this.url).port);
          this.alive = true;
          clearTimeout(timer);
          resolve();
        } else if (line.startsWith("PROBE ")) {
          this.probes.push(JSON.parse(line.slice("PROBE ".length)) as ProbeRun);
        }
      });
      child.once("exit", (code, signal) => {
        if (this.child === child) this.alive = false;
        clearTimeout(timer);
        const message = `${this.name} exited (${code ?? signal}) before it served: ${stderr}`;
        // Killed by a signal, it was stopped on purpose: not started again.
        reject(code === null ? new Error(message) : new ExitedBeforeServing(message));
      });
    });
  }

  /** SIGKILL: no shutdown, no closing of sockets or database connections. */
  kill(): void {
    this.alive = false;
    this.child?.kill("SIGKILL");
  }

  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  async stop(): Promise<void> {
    const child = this.child;
    this.alive = false;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** What a load balancer in front of the instances gives clients: a live instance, round-robin. */
export class Balancer {
  retries = 0;
  private turn = 0;

  constructor(private readonly instances: InstanceProcess[]) {}

  pick(): InstanceProcess | null {
    const alive = this.instances.filter((i) => i.alive);
    if (alive.length === 0) return null;
    this.turn = (this.turn + 1) % alive.length;
    return alive[this.turn];
  }

  /**
   * Sends a JSON request, as a client that must get an answer would: a refused connection, a 5xx or
   * a 429 is tried again (on whichever instance is up), a 4xx is the answer. Writes that may be tried
   * again must be idempotent (messages carry their clientMessageId).
   */
  async request(method: string, target: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    for (let attempt = 0; attempt < 600; attempt++) {
      const instance = this.pick();
      if (instance) {
        try {
          const res = await fetch(instance.url + target, {
            method,
            headers: { "content-type": "application/json", accept: "application/json", ...headers },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(5000),
          });
          if (res.status < 500 && res.status !== 429) return { status: res.status, body: await res.json() };
          await res.arrayBuffer();
        } catch {
          // Refused, reset or timed out: the request may or may not have been handled; ask again.
        }
      }
      this.retries += 1;
      await sleep(50 + Math.random() * 50);
    }
    throw new Error(`${method} ${target} got no answer from any instance`);
  }
}

/**
 * A bus client as a browser tab keeps it: connected to some live instance, reconnecting when the
 * socket drops, saying hello with the last id it saw so the server catches it up.
 */
export class ResilientSocket {
  /** Notification ids received (a notification sent twice is counted once). */
  readonly seen = new Set<number>();
  /** Ids of the messages these notifications carried. */
  readonly messageIds = new Set<number>();
  connects = 0;
  drops = 0;
  private last: number | null = null;
  private ws: WebSocket | null = null;
  private closed = false;
  private readyResolve: (() => void) | null = null;

  constructor(
    private readonly balancer: Balancer,
    private readonly auth: { cookie?: string; token?: string },
  ) {}

  /** Connects; resolves once the first `ready` has arrived. */
  open(): Promise<void> {
    const ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
    this.connect();
    return ready;
  }

  /** Cuts the connection abruptly, as a network failure would; the client reconnects. */
  drop(): void {
    if (!this.ws) return;
    this.drops += 1;
    this.ws.terminate();
  }

  close(): void {
    this.closed = true;
    this.ws?.terminate();
  }

  private connect(): void {
    if (this.closed) return;
    const instance = this.balancer.pick();
    if (!instance) {
      setTimeout(() => this.connect(), 100);
      return;
    }
    const query = this.auth.token ? `?token=${encodeURIComponent(this.auth.token)}` : "";
    const ws = new WebSocket(`${instance.url.replace(/^http/, "ws")}/websocket${query}`, { headers: this.auth.cookie ? { Cookie: this.auth.cookie } : {} });
    this.ws = ws;
    this.connects += 1;
    let lost = false;
    const reconnect = () => {
      if (lost) return;
      lost = true;
      if (this.ws === ws) this.ws = null;
      setTimeout(() => this.connect(), 50 + Math.random() * 100);
    };
    ws.on("open", () => {
      ws.send(JSON.stringify({ op: "hello", last: this.last }));
      if (this.auth.cookie) ws.send(JSON.stringify({ op: "presence", input: true }));
    });
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { op: string; last?: number; notification?: BusNotification };
      if (frame.op === "ready") {
        this.last = Math.max(this.last ?? 0, frame.last ?? 0);
        this.readyResolve?.();
        this.readyResolve = null;
      } else if (frame.op === "notification" && frame.notification) {
        const n = frame.notification;
        this.seen.add(n.id);
        this.last = Math.max(this.last ?? 0, n.id);
        if (n.type === "livechat.message") this.messageIds.add((n.payload as { message: { id: number } }).message.id);
      }
    });
    ws.on("unexpected-response", (_req, res) => {
      res.resume();
      ws.terminate();
      reconnect();
    });
    ws.on("error", reconnect);
    ws.on("close", reconnect);
  }
}
