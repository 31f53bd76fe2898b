import fs from "node:fs";

/** Messages between the bench's parent process and its children (server, load generator, baselines). */

export interface SeededConversation {
  id: number;
  token: string;
  /** Index into the logins of the operator it is assigned to. */
  operator: number;
}

/**
 * `memory`: only RSS and heap, after a full garbage collection (the process runs with --expose-gc);
 * `idleCost`: CPU time and wake-ups over `seconds` while nothing is asked of the process.
 */
export type ToServer = { type: "stats" } | { type: "memory" } | { type: "idleCost"; seconds: number } | { type: "stop" };

/** A process's memory after a full garbage collection. */
export interface MemoryStats {
  type: "memory";
  rss: number;
  heapUsed: number;
}

/** Runs a full garbage collection (when exposed) and reads the memory. */
export function settledMemory(): MemoryStats {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
  const memory = process.memoryUsage();
  return { type: "memory", rss: memory.rss, heapUsed: memory.heapUsed };
}

/** What a process costs a second while it only holds its sockets: CPU time (all threads) and wake-ups. */
export interface IdleCost {
  type: "idleCost";
  cpuMsPerSecond: number;
  /** Voluntary context switches of all its threads (each one a sleep and a wake-up); null where /proc is not there to read. */
  wakeupsPerSecond: number | null;
}

/** Voluntary context switches of all this process's threads so far, from /proc (Linux); null elsewhere. */
export function voluntarySwitches(): number | null {
  try {
    const tasks = `/proc/${process.pid}/task`;
    return fs.readdirSync(tasks).reduce((sum, task) => {
      const status = fs.readFileSync(`${tasks}/${task}/status`, "utf8");
      return sum + Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    }, 0);
  } catch {
    return null;
  }
}

/** Measures this process's idle cost over `seconds`. */
export async function idleCost(seconds: number): Promise<IdleCost> {
  const switches = voluntarySwitches();
  const cpu = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const used = process.cpuUsage(cpu);
  const after = voluntarySwitches();
  return {
    type: "idleCost",
    cpuMsPerSecond: (used.user + used.system) / 1000 / seconds,
    wakeupsPerSecond: switches === null || after === null ? null : (after - switches) / seconds,
  };
}

export type FromServer =
  | { type: "ready"; url: string; channelId: number; conversations: SeededConversation[]; logins: string[]; password: string }
  | ServerStats
  | MemoryStats
  | IdleCost;

export interface ServerStats {
  type: "stats";
  rss: number;
  heapUsed: number;
  /** User + system CPU time since the process started. */
  cpuMicros: number;
  /** Voluntary context switches of all its threads so far (see `voluntarySwitches`). */
  wakeups: number | null;
  /** Event-loop delay since the previous question. */
  lagP99Ms: number;
  lagMaxMs: number;
  /** Time from a request's arrival to its answer, in the server, since the previous question (null: none). */
  answerP99Ms: number | null;
  refusalP99Ms: number | null;
  /** Requests refused since the start, by the bound that refused them (in progress, event-loop lag, write wait). */
  refusedBy: Record<string, number>;
  /** Flushes of the SQLite log since the start (each before the commits it covers were acknowledged); 0 on PostgreSQL. */
  logFlushes: number;
}

/**
 * How visitors send their messages: over their bus socket, as the widget does while it is open, or as
 * HTTP POSTs, as API clients (and a widget whose socket is down) do.
 */
export type Transport = "socket" | "http";

/** Who sends a step's messages. */
export type Sender = "visitors" | "operators";

/** How a transport is named in the bench's lines. */
export function transportName(transport: Transport | undefined): string {
  return transport === "http" ? "HTTP" : "the sockets";
}

/** The transport of the load's climb: `BENCH_TRANSPORT=http` climbs over HTTP instead. */
export const CLIMB_TRANSPORT: Transport = process.env.BENCH_TRANSPORT === "http" ? "http" : "socket";

/** One offered rate held for a while. */
export interface StepResult {
  offered: number;
  /** How the posts were sent (message steps only). */
  transport?: Transport;
  /** Who sent them (message steps only; visitors when not said). */
  from?: Sender;
  seconds: number;
  sent: number;
  /** Posts answered 2xx within the timeout. */
  acknowledged: number;
  /** Posts answered 503 (load shed) and how long those answers took. */
  refused: number;
  /** Errors: other statuses, network failures, timeouts, acknowledged messages never delivered. */
  errors: number;
  /** The errors by kind: `status <n>` (0: no answer: network failure or timeout), `acknowledged, not delivered`. */
  errorKinds?: Record<string, number>;
  /** Acknowledged and delivered per second, over the step's sending time. */
  achieved: number;
  /** From the moment a post was due (not when it was sent: no coordinated omission) to its answer. */
  ack: Percentiles;
  /** From the moment a post was due to the operator's socket receiving the message. */
  delivery: Percentiles;
  refusedLatency: Percentiles | null;
  /**
   * How late the generator sent each post (its own event loop busy): part of every latency above, as
   * they count from the moment a post was due, and none of the server's doing (message steps only).
   */
  generatorLate?: Percentiles;
  /** HTTP connections the generator had to open during the step, all being open before it (message steps only). */
  connectionsOpened?: number;
  /** Filled by the parent: the share of this machine's CPU time the hypervisor gave elsewhere during the step. */
  stealPercent?: number | null;
  /** Filled by the parent: the server during the step. */
  server?: {
    cpuPercent: number;
    cpuMsPerMessage: number;
    /** Times a thread of the server slept and woke up, per request handled (null without /proc). */
    wakeupsPerMessage: number | null;
    rssMb: number;
    lagP99Ms: number;
    lagMaxMs: number;
    /** Answer times inside the server (accepted, refused): the rest of `ack` and `refusedLatency` was spent outside it. */
    answerP99Ms: number | null;
    refusalP99Ms: number | null;
    /** The step's refusals by the bound that refused them. */
    refusedBy?: Record<string, number>;
    /** Flushes of the SQLite log per second during the step. */
    logFlushesPerSecond?: number;
  };
  generatorCpuPercent: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

export type ToGenerator =
  /**
   * `otherUrl`: a second instance. Operators alternate between the two, and each visitor posts to and
   * listens on the instance its operator is not on, so every delivery to an operator crosses over.
   */
  | {
      type: "connect";
      url: string;
      otherUrl?: string;
      conversations: SeededConversation[];
      logins: string[];
      password: string;
      /** Opens every visitor's HTTP connection too (for posts); idle visitors need only their socket. */
      postConnections?: boolean;
    }
  /**
   * Uses every visitor's HTTP connection once, opening those that are not open (before a step, not
   * counted in it); with `url`, the visitors' connections to that server (a baseline's).
   */
  | { type: "touch"; url?: string }
  /** `from`: visitors posting to their operators (the default), or operators replying to their visitors. */
  | { type: "step"; offered: number; seconds: number; timeoutMs: number; transport: Transport; from?: Sender }
  | { type: "echo"; url: string; sockets: number; offered: number; seconds: number }
  /** Conversation starts on a channel, offered open-loop. */
  | { type: "starts"; url: string; channelId: number; offered: number; seconds: number; timeoutMs: number }
  /** Opens `count` plain WebSockets to `url` and keeps them open, idle. */
  | { type: "open"; url: string; count: number }
  | { type: "stop" };

export type FromGenerator =
  | { type: "connected"; visitorSockets: number; operatorSockets: number; seconds: number }
  | { type: "touched" }
  | { type: "step"; result: StepResult }
  | { type: "echo"; result: StepResult }
  | { type: "starts"; result: StepResult }
  | { type: "opened"; count: number; seconds: number }
  | { type: "failed"; error: string };
