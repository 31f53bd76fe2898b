import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import { ConflictError, DomainError, ForbiddenError, InvalidInputError, NotFoundError, type Logger } from "../contract";
import { wantsJson } from "../auth/HostAuth";
import { HttpError } from "./HttpError";
import type { ViewRegistry } from "../views/ViewRegistry";

/** The HTTP status of each domain error: the one place where a refusal becomes an answer. */
export function domainErrorStatus(err: DomainError): number {
  if (err instanceof InvalidInputError) return 400;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  return 400;
}

/** Status and message for anything thrown by a route: domain errors and HttpError as they say, body-parser and CSRF errors by status. */
export function describeError(err: unknown): { status: number; message: string } {
  if (err instanceof DomainError) return { status: domainErrorStatus(err), message: err.message };
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  const e = err as { status?: number; statusCode?: number; type?: string; code?: string; message?: string };
  const status = e.status ?? e.statusCode;
  if (e.code === "EBADCSRFTOKEN" || e.message === "invalid csrf token") {
    return { status: 403, message: "This form has expired or did not come from this site (invalid CSRF token). Reload the page and try again." };
  }
  if (e.type === "entity.parse.failed") return { status: 400, message: "The request body is not valid JSON." };
  if (e.type === "entity.too.large") return { status: 413, message: "The request body is too large." };
  if (status && status >= 400 && status < 500) return { status, message: e.message ?? "Bad request" };
  return { status: 500, message: "Something went wrong on our side. The error was logged." };
}

export function errorHandler(views: ViewRegistry, logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, message } = describeError(err);
    if (status >= 500) logger.error("request failed", { method: req.method, path: req.path, error: (err as Error)?.stack ?? String(err) });
    if (wantsJson(req) || !req.accepts("html")) {
      res.status(status).json({ error: message });
      return;
    }
    views
      .render(req, "host/error", { title: status === 404 ? "Not found" : "Error", status, message })
      .then((html) => res.status(status).type("html").send(html))
      .catch(() => res.status(status).type("text").send(message));
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`Nothing here: ${req.method} ${req.path}`));
};

/** Wraps an async route so its rejection reaches the error handler. */
export function route(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}
