import { createHash } from "node:crypto";
import type { RequestHandler } from "express";
import { ipKeyGenerator, MemoryStore, rateLimit } from "express-rate-limit";
import { lt } from "../contract";
import { HttpError } from "./HttpError";

export const TOO_MANY_REQUESTS = lt("Too many requests: please wait a moment and try again.");

/** The IPv6 prefix length counted as one client, as express-rate-limit does by default. */
const IPV6_SUBNET = 56;
/** Clients whose keys are kept. */
const CLIENTS_KEPT = 10_000;

export interface AddressRateLimitOptions {
  windowMs: number;
  limit: number | (() => Promise<number>);
}

/** A request counted by `AddressRateLimit.count`: whether it is over the limit, and the headers to answer with. */
export interface RateLimitCount {
  over: boolean;
  headers: Record<string, string>;
}

/**
 * At most `limit` requests per window per client address (express-rate-limit, in memory), counted once
 * for the express routes it guards (`middleware`) and the lean routes that name it (`count`).
 */
export class AddressRateLimit {
  readonly middleware: RequestHandler;
  private readonly store = new MemoryStore();
  /** Recent clients' keys and partition keys, by address: a hash per request adds up on the busiest route. */
  private readonly clients = new Map<string, { key: string; partitionKey: string }>();

  constructor(private readonly options: AddressRateLimitOptions) {
    this.middleware = rateLimit({
      windowMs: options.windowMs,
      limit: options.limit,
      store: this.store,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      handler: (_req, _res, next) => next(new HttpError(429, TOO_MANY_REQUESTS)),
    });
  }

  /** Counts a request from `address`, with the headers the middleware would have set (draft-8, and Retry-After when over). */
  async count(address: string): Promise<RateLimitCount> {
    const { key, partitionKey } = this.client(address);
    const { totalHits, resetTime } = await this.store.increment(key);
    const limit = typeof this.options.limit === "function" ? await this.options.limit() : this.options.limit;
    const windowSeconds = Math.ceil(this.options.windowMs / 1000);
    const resetSeconds = resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : windowSeconds;
    const name = `${limit}-in-${duration(this.options.windowMs)}`;
    const headers: Record<string, string> = {
      RateLimit: `"${name}"; r=${Math.max(limit - totalHits, 0)}; t=${resetSeconds}`,
      "RateLimit-Policy": `"${name}"; q=${limit}; w=${windowSeconds}; pk=:${partitionKey}:`,
    };
    const over = totalHits > limit;
    if (over) headers["Retry-After"] = String(resetSeconds);
    return { over, headers };
  }

  /**
   * The client's key (its address, or its IPv6 subnet) and the policy's partition key: a short hash
   * of the key, never the address itself.
   */
  private client(address: string): { key: string; partitionKey: string } {
    let client = this.clients.get(address);
    if (client === undefined) {
      const key = ipKeyGenerator(address, IPV6_SUBNET);
      client = { key, partitionKey: Buffer.from(createHash("sha256").update(key).digest("hex").slice(0, 12)).toString("base64") };
      if (this.clients.size >= CLIENTS_KEPT) this.clients.delete(this.clients.keys().next().value as string);
      this.clients.set(address, client);
    }
    return client;
  }
}

/** The window as express-rate-limit names it in its policy (`1min`, `30sec`, `2hrs`). */
function duration(windowMs: number): string {
  const seconds = windowMs / 1000;
  if (seconds < 60) return `${seconds}sec`;
  if (seconds < 3600) return `${seconds / 60}min`;
  const hours = seconds / 3600;
  if (hours < 24) return `${hours}hr${hours > 1 ? "s" : ""}`;
  const days = hours / 24;
  return `${days}day${days > 1 ? "s" : ""}`;
}

