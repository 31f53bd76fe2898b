import type { Request, RequestHandler } from "express";
import { doubleCsrf } from "csrf-csrf";
import { HttpError } from "../http/HttpError";
import { wantsJson } from "./HostAuth";

export const CSRF_MESSAGE = "This form has expired or did not come from this site (invalid CSRF token). Reload the page and try again.";

export interface CsrfGuard {
  /** The token for the page being rendered (also set in the CSRF cookie). */
  token(req: Request): string;
  /** Refuses state-changing requests whose token does not match the cookie's. */
  protect: RequestHandler;
}

/**
 * CSRF protection by a signed double-submit cookie: it needs no session, so an anonymous page view
 * stores nothing. A logged-in user's token is bound to the session id, so it dies with the session.
 */
export function csrfGuard(secret: string, secure: boolean): CsrfGuard {
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => (req.user ? req.sessionID : ""),
    cookieName: secure ? "__Host-host_csrf" : "host_csrf",
    // Lax like the session cookie: a strict one would be missing after a link from another site, and
    // the fresh token issued then would invalidate the forms of the user's other tabs.
    cookieOptions: { sameSite: "lax", secure, httpOnly: true, path: "/" },
    getCsrfTokenFromRequest: (req) => {
      const header = req.headers["x-csrf-token"];
      if (typeof header === "string") return header;
      const field = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof field === "string" ? field : undefined;
    },
    errorConfig: { statusCode: 403, code: "EBADCSRFTOKEN", message: CSRF_MESSAGE },
  });
  return {
    token: (req) => {
      if (!req.res) throw new Error("A CSRF token is made while answering a request");
      return generateCsrfToken(req, req.res);
    },
    // A JSON call from someone not logged in is told so (401), before the token it could not have.
    protect: (req, res, next) => {
      doubleCsrfProtection(req, res, (err?: unknown) => {
        if (err && !req.user && wantsJson(req)) return next(new HttpError(401, "You must be logged in."));
        next(err);
      });
    },
  };
}
