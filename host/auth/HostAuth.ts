import { randomBytes } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import passport from "passport";
import { Strategy as LocalStrategy } from "passport-local";
import { HttpError } from "../http/HttpError";
import { ForbiddenError, lt, type Auth, type HostUser } from "../contract";
import type { HostUsers } from "../users/HostUsers";
import { hashPassword, verifyPassword } from "./passwords";
import "./types";

/** True for requests that expect JSON back rather than a page (a route may say so with `res.locals.json = true`). */
export function wantsJson(req: Request): boolean {
  return (
    req.res?.locals.json === true ||
    req.path.includes("/api/") ||
    req.is("application/json") === "application/json" ||
    req.accepts(["html", "json"]) === "json"
  );
}

/**
 * Password login with passport-local. Each host gets its own Passport instance so that several hosts
 * can live in one process (tests, tools).
 */
export class HostAuth implements Auth {
  readonly passport = new passport.Passport();

  constructor(private readonly users: HostUsers) {
    this.passport.use(
      new LocalStrategy({ usernameField: "login", passwordField: "password" }, (login, password, done) => {
        this.check(login, password).then((user) => done(null, user ?? false), done);
      }),
    );
    this.passport.serializeUser((user, done) => done(null, user.id));
    this.passport.deserializeUser((id: number, done) => {
      users.get(id).then((user) => done(null, user && user.active ? user : false), done);
    });
  }

  /** The user for a login and password, or null; the same work is done for unknown logins. */
  async check(login: string, password: string): Promise<HostUser | null> {
    const user = await this.users.findByLogin(login.trim());
    // Unknown logins are verified against a throwaway hash, so timing does not reveal which logins exist.
    const ok = await verifyPassword(user?.passwordHash ?? (await unknownUserHash()), password);
    if (!user || !ok || !user.active) return null;
    const { passwordHash: _hash, ...hostUser } = user;
    return hostUser;
  }

  readonly requireUser: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (req.user) return next();
    if (wantsJson(req)) return next(new HttpError(401, lt("You must be logged in.")));
    res.redirect(`/web/login?redirect=${encodeURIComponent(req.originalUrl)}`);
  };

  requireGroup(group: string): RequestHandler {
    return (req, res, next) => {
      this.requireUser(req, res, (err?: unknown) => {
        if (err) return next(err);
        if (!req.user?.groups.includes(group)) {
          return next(new ForbiddenError(lt("This page is for other users of the helpdesk. If you need it, ask an administrator for access.")));
        }
        next();
      });
    };
  }

  currentUser(req: Request): HostUser | null {
    return req.user ?? null;
  }
}

let dummyHash: Promise<string> | null = null;
function unknownUserHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString("hex"));
  return dummyHash;
}
