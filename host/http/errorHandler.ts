import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import { ConflictError, DomainError, ForbiddenError, InvalidInputError, NotFoundError, lt, type Logger, type TranslationVars } from "../contract";
import { wantsJson } from "../auth/HostAuth";
import { HttpError } from "./HttpError";
import type { HostI18n } from "../i18n/HostI18n";
import type { ViewRegistry } from "../views/ViewRegistry";

/** The HTTP status of each domain error: the one place where a refusal becomes an answer. */
export function domainErrorStatus(err: DomainError): number {
  if (err instanceof InvalidInputError) return 400;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  return 400;
}

export interface DescribedError {
  status: number;
  /** English text, translated when answered; its `{name}` placeholders are filled from `vars`. */
  message: string;
  details?: Record<string, string>;
  vars?: TranslationVars;
}

/** Status and message for anything thrown by a route: domain errors and HttpError as they say, body-parser and CSRF errors by status. */
export function describeError(err: unknown): DescribedError {
  if (err instanceof DomainError) {
    return { status: domainErrorStatus(err), message: err.key, ...(err.details ? { details: err.details } : {}), ...(err.vars ? { vars: err.vars } : {}) };
  }
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  const e = err as { status?: number; statusCode?: number; type?: string; code?: string; message?: string };
  const status = e.status ?? e.statusCode;
  if (e.code === "EBADCSRFTOKEN" || e.message === "invalid csrf token") {
    return { status: 403, message: lt("This form has expired or did not come from this site (invalid CSRF token). Reload the page and try again.") };
  }
  if (e.type === "entity.parse.failed") return { status: 400, message: lt("The request body is not valid JSON.") };
  if (e.type === "entity.too.large") return { status: 413, message: lt("The request body is too large.") };
  if (status && status >= 400 && status < 500) return { status, message: e.message ?? lt("Bad request") };
  return { status: 500, message: lt("Something went wrong on our side. The error was logged.") };
}

/**
 * Answers errors as JSON or as an error page, in the reader's language: a message written with `lt()`
 * (by the host or a module) is translated here, where the language is known.
 */
export function errorHandler(views: ViewRegistry, i18n: HostI18n, logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, details, message: key, vars } = describeError(err);
    // A 503 of the load shedder is the server working as meant, not a failure to log.
    if (status >= 500 && !(err instanceof HttpError)) logger.error("request failed", { method: req.method, path: req.path, error: (err as Error)?.stack ?? String(err) });
    i18n
      .requestLang(req)
      .catch(() => "en_US")
      .then(async (lang) => {
        const message = i18n.translateAny(lang, key, vars);
        if (wantsJson(req) || !req.accepts("html")) {
          res.status(status).json({ error: message, ...(details ? { details } : {}) });
          return;
        }
        const title = i18n.translateAny(lang, errorTitle(status));
        await views
          .render(req, "host/error", { title, status, message })
          .then((html) => res.status(status).type("html").send(html))
          .catch(() => res.status(status).type("text").send(message));
      })
      .catch(next);
  };
}

/** The heading of an error page, in plain words: what happened, not how. */
function errorTitle(status: number): string {
  if (status === 404) return lt("Page not found");
  if (status === 403) return lt("You cannot open this page");
  if (status >= 500) return lt("Something went wrong");
  return lt("This did not work");
}

export const notFound: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError(lt("This page does not exist. The link may be wrong, or the page was moved or deleted.")));
};

/** Wraps an async route so its rejection reaches the error handler. */
export function route(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}
