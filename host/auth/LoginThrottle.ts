import { createHmac, timingSafeEqual } from "node:crypto";
import type { Request, Response } from "express";
import { RateLimiterPostgres, RateLimiterSQLite, type RateLimiterStoreAbstract } from "rate-limiter-flexible";
import type { DataSource } from "typeorm";
import type { DatabaseTarget } from "../database";
import { normalizeLogin } from "../users/login";

export const LOGIN_THROTTLE_TABLE = "host_login_throttle";

/**
 * Failed logins allowed in a window before more attempts are refused until it ends. Windows are fixed:
 * a refusal never lasts longer than the window, however long an attacker keeps trying.
 */
export const LOGIN_LIMITS = {
  /** One login from one client address: a person mistyping, or a guesser. */
  loginAddress: { points: 5, duration: 15 * 60 },
  /** One client address, whatever the login: one machine trying many accounts. */
  address: { points: 100, duration: 60 * 60 },
  /** One login from anywhere: guessers spread over many addresses. Browsers that logged in as it before are exempt. */
  login: { points: 30, duration: 60 * 60 },
} as const;

type LimitName = keyof typeof LOGIN_LIMITS;

const KNOWN_DEVICE_COOKIE = "host_known_device";
const KNOWN_DEVICE_MAX_AGE_MS = 180 * 24 * 3600_000;

/** One login attempt, as the throttle keys it. */
export interface LoginAttempt {
  login: string;
  address: string;
  /** The browser logged in as this login before (a signed cookie says so). */
  knownDevice: boolean;
}

/**
 * Throttles password guessing per login and client address, with counters in the database so that
 * every instance shares them. Only failures count; a success clears the login's counter for that
 * address. A browser that has logged in as a login before keeps being let in while strangers
 * exhaust that login's global allowance, so guessing cannot lock its owner out.
 */
export class LoginThrottle {
  private readonly limiters: Record<LimitName, RateLimiterStoreAbstract>;

  constructor(
    private readonly db: DataSource,
    private readonly target: DatabaseTarget,
    private readonly secret: string,
  ) {
    const make = (name: LimitName) => {
      const common = { ...LOGIN_LIMITS[name], keyPrefix: `login_${name}`, tableName: LOGIN_THROTTLE_TABLE, tableCreated: true, clearExpiredByTimeout: false };
      return target.kind === "postgres"
        ? new RateLimiterPostgres({ ...common, storeClient: (db.driver as unknown as { master: unknown }).master, storeType: "pool", schemaName: target.schema })
        : new RateLimiterSQLite({ ...common, storeClient: (db.driver as unknown as { databaseConnection: unknown }).databaseConnection, storeType: "better-sqlite3" });
    };
    this.limiters = { loginAddress: make("loginAddress"), address: make("address"), login: make("login") };
  }

  attempt(req: Request, login: unknown): LoginAttempt {
    const normalized = typeof login === "string" ? normalizeLogin(login).slice(0, 64) : "";
    const cookie: unknown = req.cookies?.[KNOWN_DEVICE_COOKIE];
    return { login: normalized, address: req.ip ?? "unknown", knownDevice: typeof cookie === "string" && this.signatureMatches(cookie, normalized) };
  }

  /** Seconds the attempt must wait before its password is even checked; 0 when it may go ahead. */
  async waitSeconds(attempt: LoginAttempt): Promise<number> {
    let waitMs = 0;
    for (const [name, key] of this.keys(attempt)) {
      const res = await this.limiters[name].get(key);
      if (res && res.consumedPoints >= LOGIN_LIMITS[name].points) waitMs = Math.max(waitMs, res.msBeforeNext);
    }
    return Math.ceil(waitMs / 1000);
  }

  /** Counts a wrong password; returns the seconds to wait when that used up an allowance, else 0. */
  async failed(attempt: LoginAttempt): Promise<number> {
    let waitMs = 0;
    for (const name of Object.keys(LOGIN_LIMITS) as LimitName[]) {
      const key = this.key(name, attempt);
      const res = await this.write(() => this.limiters[name].penalty(key, 1));
      const exempt = name === "login" && attempt.knownDevice;
      if (!exempt && res.consumedPoints >= LOGIN_LIMITS[name].points) waitMs = Math.max(waitMs, res.msBeforeNext);
    }
    return Math.ceil(waitMs / 1000);
  }

  /** A right password: the login's failures from this address are forgiven, and the browser is remembered. */
  async succeeded(attempt: LoginAttempt, res: Response, secure: boolean): Promise<void> {
    await this.write(() => this.limiters.loginAddress.delete(this.key("loginAddress", attempt)));
    res.cookie(KNOWN_DEVICE_COOKIE, this.sign(attempt.login), { httpOnly: true, sameSite: "lax", secure, maxAge: KNOWN_DEVICE_MAX_AGE_MS });
  }

  /** Deletes counters whose window ended; the host schedules it. */
  async prune(): Promise<void> {
    await this.db.query(`DELETE FROM ${LOGIN_THROTTLE_TABLE} WHERE expire < ${this.target.kind === "postgres" ? "$1" : "?"}`, [Date.now()]);
  }

  /**
   * On SQLite the counters live on the host's one connection, written by the store's own statements:
   * in a turn of the host's transactions, or they would join whichever transaction is open there and
   * be rolled back with it. The turn also waits for the write to be on the disk.
   */
  private write<T>(work: () => Promise<T>): Promise<T> {
    return this.target.kind === "sqlite" ? this.db.transaction(work) : work();
  }

  private keys(attempt: LoginAttempt): [LimitName, string][] {
    const names: LimitName[] = attempt.knownDevice ? ["loginAddress", "address"] : ["loginAddress", "address", "login"];
    return names.map((name) => [name, this.key(name, attempt)]);
  }

  private key(name: LimitName, attempt: LoginAttempt): string {
    if (name === "address") return attempt.address;
    if (name === "login") return attempt.login;
    return `${attempt.login}|${attempt.address}`;
  }

  private sign(login: string): string {
    return createHmac("sha256", this.secret).update(`known-device:${login}`).digest("base64url");
  }

  private signatureMatches(value: string, login: string): boolean {
    const expected = Buffer.from(this.sign(login));
    const given = Buffer.from(value);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
