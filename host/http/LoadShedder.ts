import type { RequestHandler } from "express";
import { lt } from "../contract";
import { HttpError } from "./HttpError";

/** Seconds a refused client is asked to wait before trying again. */
const RETRY_AFTER_SECONDS = 1;

/**
 * A bounded number of HTTP requests in progress on this instance. Past it a request is answered at
 * once with 503 and `Retry-After` instead of waiting in a queue that would only grow: a server past
 * capacity stays quick for the requests it accepts and tells the others to come back. Clients that
 * retry (the widget, the operator's composer) send the same client message id again, so a refused
 * message is never stored twice.
 */
export class LoadShedder {
  private inFlight = 0;
  private refusedCount = 0;

  constructor(public limit: number) {}

  /** Requests in progress now. */
  get current(): number {
    return this.inFlight;
  }

  /** Requests refused since the start. */
  get refused(): number {
    return this.refusedCount;
  }

  readonly middleware: RequestHandler = (_req, res, next) => {
    if (this.inFlight >= this.limit) {
      this.refusedCount++;
      res.setHeader("Retry-After", String(RETRY_AFTER_SECONDS));
      next(new HttpError(503, lt("The server is busy: please try again in a moment.")));
      return;
    }
    this.inFlight++;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      this.inFlight--;
    };
    res.once("finish", release);
    res.once("close", release);
    next();
  };
}
