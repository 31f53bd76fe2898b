import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { Host, ROOT_DIR, type HostOptions } from "../../host/app";
import { TestClock } from "../../host/clock";
import { ConsoleLogger } from "../../host/logger";
import type { Browser } from "playwright-core";
import { closeContexts, sharedBrowser } from "./browser";
import { freshPostgresUrl, skipUnlessPostgres } from "./postgres";

export type Agent = ReturnType<typeof request.agent>;

/** A logged-in (or anonymous) browser-like client: cookies kept, CSRF token at hand. */
export interface TestSession {
  agent: Agent;
  csrf: string;
  /** The session and CSRF cookies (`host_sid=...; host_csrf=...`), for raw requests and WebSocket upgrades. */
  cookie: string;
  /** Posts an HTML form (urlencoded) with the CSRF token. */
  postForm(url: string, body: Record<string, string | string[]>): request.Test;
  /** Posts JSON with the CSRF token header. */
  postJson(url: string, body: unknown): request.Test;
}

export interface TestHost {
  host: Host;
  url: string;
  clock: TestClock;
  databaseUrl: string;
  /** Logs in through the login form (password defaults to the login, as for demo users). */
  login(login: string, password?: string): Promise<TestSession>;
  anonymous(): TestSession;
  /** The run's Chromium (started on first use); the contexts tests open in it are closed by `stop()`. */
  browser(): Promise<Browser>;
  stop(): Promise<void>;
}

export interface TestHostOptions {
  /** `sqlite` (a fresh file, default), `postgres` (a fresh schema), or an explicit URL to reuse. */
  database?: "sqlite" | "postgres";
  databaseUrl?: string;
  /** Extra module directories besides the livechat module. */
  extraModules?: string[];
  /** Load the demo data (default true). */
  demo?: boolean;
  clock?: TestClock;
  /** See `HostOptions.groupWindowMs`. */
  groupWindowMs?: number;
}

export const FIXTURES_DIR = path.join(ROOT_DIR, "test/fixtures");

/** A fresh SQLite file URL in the temp directory. */
export function tempSqliteUrl(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "livechat-test-"));
  return `sqlite:${path.join(dir, `host-${randomBytes(3).toString("hex")}.sqlite`)}`;
}

/**
 * A host on `database` for the enclosing suite: started before its tests (which are skipped where
 * PostgreSQL is not available), handed to `started` for the suite's own set-up, stopped after them.
 */
export function hostForSuite(database: "sqlite" | "postgres", started: (t: TestHost) => void | Promise<void>): void {
  let host: TestHost | undefined;
  before(async function () {
    if (database === "postgres") await skipUnlessPostgres(this);
    host = await startTestHost({ database });
    await started(host);
  });
  after(async () => {
    await host?.stop();
  });
}

/**
 * Starts a real host on an ephemeral loopback port, with a test clock and the scheduler left to
 * explicit `host.scheduler.tick()` calls.
 */
export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  let dropSchema: (() => Promise<void>) | null = null;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    if (options.database === "postgres") {
      const pg = await freshPostgresUrl("t_host");
      databaseUrl = pg.url;
      dropSchema = pg.drop;
    } else {
      databaseUrl = tempSqliteUrl();
    }
  }
  const clock = options.clock ?? new TestClock();
  const hostOptions: HostOptions = {
    databaseUrl,
    modules: [ROOT_DIR, ...(options.extraModules ?? [])],
    clock,
    logger: new ConsoleLogger(process.env.TEST_LOG_LEVEL === "info" ? "info" : "silent"),
    demo: "never",
    schedulerTickMs: null,
    groupWindowMs: options.groupWindowMs,
  };
  const host = await Host.create(hostOptions);
  if (options.demo !== false && (await host.users.list()).length === 0) await host.loadDemo();
  const url = await host.start(0, "127.0.0.1");

  const makeSession = (agent: Agent, csrf: string, cookie: string): TestSession => ({
    agent,
    csrf,
    cookie,
    postForm: (target, body) => agent.post(target).type("form").send({ ...body, _csrf: csrf }),
    postJson: (target, body) => agent.post(target).set("x-csrf-token", csrf).send(body as object),
  });

  let usedBrowser: Browser | null = null;
  return {
    host,
    url,
    clock,
    databaseUrl,
    async login(login, password = login) {
      const agent = request.agent(url);
      const form = await agent.get("/web/login");
      const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
      if (!loginCsrf) throw new Error("The login page has no CSRF field");
      const res = await agent.post("/web/login").type("form").send({ login, password, _csrf: loginCsrf });
      if (res.status !== 302) throw new Error(`Login as ${login} failed with ${res.status}`);
      const home = await agent.get("/web");
      const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(home.text)?.[1];
      if (!csrf) throw new Error("The home page has no CSRF meta tag");
      const cookies = new Map<string, string>();
      for (const r of [res, home]) {
        for (const c of ([] as string[]).concat(r.headers["set-cookie"] ?? [])) {
          const pair = c.split(";")[0];
          const name = pair.slice(0, pair.indexOf("="));
          if (name === "host_sid" || name === "host_csrf") cookies.set(name, pair);
        }
      }
      const cookie = [...cookies.values()].join("; ");
      return makeSession(agent, csrf, cookie);
    },
    anonymous() {
      return makeSession(request.agent(url), "", "");
    },
    async browser() {
      usedBrowser ??= await sharedBrowser();
      return usedBrowser;
    },
    async stop() {
      if (usedBrowser) await closeContexts(usedBrowser);
      await host.stop();
      if (dropSchema) await dropSchema();
    },
  };
}

/** Two instances of one deployment: hosts on one fresh PostgreSQL schema, sharing a test clock. */
export interface TwoInstances {
  a: TestHost;
  b: TestHost;
  clock: TestClock;
  stop(): Promise<void>;
}

/**
 * Starts instance A (which installs the module and loads the demo data), then instance B on the same
 * database, as a second server of the same deployment would start.
 */
export async function startTwoInstances(options: { clock?: TestClock } = {}): Promise<TwoInstances> {
  const pg = await freshPostgresUrl("t_two");
  const clock = options.clock ?? new TestClock();
  const started: TestHost[] = [];
  const stop = async () => {
    for (const t of started.splice(0)) await t.stop();
    await pg.drop();
  };
  try {
    started.push(await startTestHost({ databaseUrl: pg.url, clock }));
    started.push(await startTestHost({ databaseUrl: pg.url, clock, demo: false }));
  } catch (error) {
    await stop();
    throw error;
  }
  const [a, b] = started;
  return { a, b, clock, stop };
}
