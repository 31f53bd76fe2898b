import type { RequestHandler } from "express";
import { lt } from "../contract";
import { HttpError } from "./HttpError";

/** Seconds a refused client is asked to wait before trying again. */
export const RETRY_AFTER_SECONDS = 1;

export const BUSY = lt("The server is busy: please try again in a moment.");

/**
 * Requests in progress at once from which a lagging event loop or a long wait for writes refuses
 * more: fewer than this cannot be what makes the loop lag or the writes queue (the machine or the
 * database is slow for a moment), and refusing them would not help.
 */
const MIN_IN_FLIGHT_TO_SHED = 16;

/** What refuses a request: the requests in progress, the event loop's lag, or the wait a grouped write can expect. */
export type Bound = "inFlight" | "lag" | "writeWait";

/**
 * A bounded number of HTTP requests in progress on this instance, a bounded event-loop lag and a
 * bounded wait of grouped writes. Past any of them, a request is answered at once with 503 and `Retry-After` instead of waiting in a queue that
 * would only grow: a server past capacity stays quick for the requests it accepts and tells the others
 * to come back. Clients that retry (the widget, the operator's composer) send the same client message
 * id again, so a refused message is never stored twice.
 */
export class LoadShedder {
  private inFlight = 0;
  private refusedCount = 0;
  private readonly refusals: Record<Bound, number> = { inFlight: 0, lag: 0, writeWait: 0 };

  /**
   * `limit`: requests in progress at most; `maxLagMs`: the event loop's median lag (see EventLoopLag)
   * past which requests are refused too, once `MIN_IN_FLIGHT_TO_SHED` are in progress; `maxWriteWaitMs`:
   * how long a grouped write arriving now may expect to wait for its turn (`writeWait`) before
   * requests are refused (once as many are in progress too). The last bounds what an accepted message
   * waits whatever the machine's speed: a fixed number of requests in progress means a longer wait on
   * a slower (or busier) machine.
   */
  constructor(
    public limit: number,
    public maxLagMs: number,
    /** `busy`, if there, is told of every request, so that the lag is measured only while requests come. */
    public lag: { readonly ms: number; busy?(): void },
    public maxWriteWaitMs: number,
    public writeWait: { readonly ms: number },
  ) {}

  /** Requests in progress now. */
  get current(): number {
    return this.inFlight;
  }

  /** Requests refused since the start. */
  get refused(): number {
    return this.refusedCount;
  }

  /** Requests refused since the start, by the bound that refused them. */
  get refusedBy(): Readonly<Record<Bound, number>> {
    return this.refusals;
  }

  /** The bound the instance is past, if any. */
  private overloaded(): Bound | null {
    if (this.inFlight >= this.limit) return "inFlight";
    if (this.inFlight < MIN_IN_FLIGHT_TO_SHED) return null;
    if (this.writeWait.ms > this.maxWriteWaitMs) return "writeWait";
    if (this.lag.ms > this.maxLagMs) return "lag";
    return null;
  }

  /** Takes a place for a request; false (and counted as refused) when there is none to take. */
  admit(): boolean {
    this.lag.busy?.();
    const past = this.overloaded();
    if (past) {
      this.refusedCount++;
      this.refusals[past]++;
      return false;
    }
    this.inFlight++;
    return true;
  }

  /** Gives back the place of a request `admit` let in, once it is answered. */
  release(): void {
    this.inFlight--;
  }

  readonly middleware: RequestHandler = (req, res, next) => {
    // A preflight costs nothing, and a refused one would fail the visitor's request as a network error.
    if (req.method === "OPTIONS") return next();
    if (!this.admit()) {
      res.setHeader("Retry-After", String(RETRY_AFTER_SECONDS));
      // Refused before any route's own CORS headers: a page on another site (the widget) must still
      // read the 503 and its Retry-After, which tell nothing but that the server is busy.
      if (req.headers.origin !== undefined) {
        res.setHeader("Access-Control-Allow-Origin", "*");
        res.setHeader("Access-Control-Expose-Headers", "Retry-After");
      }
      next(new HttpError(503, BUSY));
      return;
    }
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      this.release();
    };
    res.once("finish", release);
    res.once("close", release);
    next();
  };
}
