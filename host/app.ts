import http from "node:http";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import express, { type Request, type RequestHandler, type Response, Router } from "express";
import session from "express-session";
import helmet from "helmet";
import cookieParser from "cookie-parser";
import type { DataSource } from "typeorm";
import {
  type Clock,
  type HostContract,
  type HostUser,
  type Logger,
  lt,
  PRESENCE_SETTINGS,
} from "./contract";
import { AddressRateLimit } from "./http/AddressRateLimit";
import { fixedHeaders } from "./http/fixedHeaders";
import { LeanRoutes } from "./http/LeanRoutes";
import { UserSocketPosts } from "./http/UserSocketPosts";
import { EventLoopLag } from "./http/EventLoopLag";
import { LoadShedder } from "./http/LoadShedder";
import { createLongReads, type HostLongReads } from "./longReads";
import { WalCheckpoints } from "./walCheckpoints";
import { createDataSource, DEFAULT_DATABASE_URL, ensureSchema, parseDatabaseUrl, type DatabaseTarget } from "./database";
import { hostEntities } from "./models";
import { hostMigrations } from "./migrations";
import { InstalledModule } from "./models/InstalledModule";
import { Setting } from "./models/Setting";
import { User } from "./models/User";
import { loadModules, type LoadedModule } from "./loader/ModuleLoader";
import { GroupRegistry, HOST_GROUPS } from "./users/GroupRegistry";
import { HostUsers } from "./users/HostUsers";
import { HostLanguages } from "./langs/HostLanguages";
import { HostAuth, wantsJson } from "./auth/HostAuth";
import { DatabaseSessionStore } from "./auth/DatabaseSessionStore";
import { LoginThrottle } from "./auth/LoginThrottle";
import { csrfGuard, type CsrfGuard } from "./auth/csrf";
import { MenuRegistry } from "./menus/MenuRegistry";
import { ViewRegistry } from "./views/ViewRegistry";
import { ProfileRegistry } from "./profile/ProfileRegistry";
import { HostBus } from "./bus/HostBus";
import { createGroupedWrites, DEFAULT_GROUP_WINDOW_MS } from "./groupedWrites";
import { BusServer, type SignedIn } from "./bus/BusServer";
import { SocketLimits } from "./bus/SocketLimits";
import { clientAddress } from "./http/clientAddress";
import { HostPresence, type PresenceSettings } from "./presence/HostPresence";
import { HostScheduler } from "./scheduler/HostScheduler";
import { HostSettings } from "./settings/HostSettings";
import { HostHooks } from "./hooks/HostHooks";
import { DEFAULT_LANG, HOST_NAMESPACE, HostI18n } from "./i18n/HostI18n";
import { RecentLanguageMatches } from "./langs/RecentLanguageMatches";
import { i18nRoutes } from "./i18n/i18nRoutes";
import { SystemClock } from "./clock";
import { ConsoleLogger } from "./logger";
import { errorHandler, notFound } from "./http/errorHandler";
import { vendorAssets } from "./http/vendorAssets";
import { rejectMalformedText } from "./http/wellFormedText";
import { loginRoutes } from "./routes/loginRoutes";
import { profileRoutes } from "./routes/profileRoutes";
import { settingsRoutes } from "./routes/settingsRoutes";
import { homeRoutes } from "./routes/homeRoutes";
import { usersRoutes } from "./routes/usersRoutes";
import { loadDemoData } from "./demo";

/** The repository root: the livechat module lives here (manifest.json, module/, views/, migrations/). */
export const ROOT_DIR = path.resolve(__dirname, "..");

export interface HostOptions {
  /** `sqlite:<file>` or `postgres://...`; defaults to `DATABASE_URL`, then `sqlite:var/livechat.sqlite`. */
  databaseUrl?: string;
  /** Module directories (each holding a manifest.json); defaults to the livechat module. */
  modules?: string[];
  clock?: Clock;
  logger?: Logger;
  /** `if-empty` (default) loads demo data on the first start of an empty database. */
  demo?: "if-empty" | "never";
  /** Milliseconds between scheduler passes; null leaves the scheduler to `tick()` calls (tests). */
  schedulerTickMs?: number | null;
  instanceId?: string;
  /** HTTP requests in progress at once before more are refused with 503 (default MAX_IN_FLIGHT, else 256). */
  maxInFlight?: number;
  /** Event-loop lag (median, ms) past which requests are refused with 503 too (default MAX_EVENT_LOOP_LAG_MS, else 50). */
  maxLagMs?: number;
  /** How long (ms) a grouped write arriving now may expect to wait for its turn before requests are refused with 503 (default MAX_WRITE_WAIT_MS, else 50). */
  maxWriteWaitMs?: number;
  /** On PostgreSQL, how long (ms) a grouped write arriving while writes come often waits for others to share its transaction (default GROUP_WINDOW_MS, else 2; 0 for none). */
  groupWindowMs?: number;
}

/** A running host: the reference helpdesk application with its modules installed. */
export class Host {
  readonly server: http.Server;
  /** The bound on HTTP requests in progress; past it requests are refused at once (503). */
  readonly load: LoadShedder;
  private readonly lag = new EventLoopLag();
  /** Grouped writes (the contract's `writes`); how long they wait is a sign of overload. */
  private readonly writes: ReturnType<typeof createGroupedWrites>;
  private readonly checkpoints: WalCheckpoints | null;
  private readonly reads: HostLongReads;
  readonly app = express();
  /** Public JSON POSTs answered before express (the contract's `leanPost`). */
  private readonly lean: LeanRoutes;
  /** Logged-in users' JSON POSTs taken over their bus sockets (the contract's `userSocketPost`). */
  private readonly userPosts: UserSocketPosts;
  /** The rate limits behind the limiters handed to modules, for their lean routes. */
  private readonly rateLimits = new WeakMap<RequestHandler, AddressRateLimit>();
  /** Security headers on every answer (helmet); without nonces, so the same for every request. */
  private readonly securityHeaders = helmetFor(process.env.COOKIE_SECURE === "1");
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly groups = new GroupRegistry();
  readonly menus = new MenuRegistry();
  readonly profile = new ProfileRegistry();
  readonly users: HostUsers;
  readonly langs: HostLanguages;
  readonly auth: HostAuth;
  readonly views: ViewRegistry;
  readonly bus: HostBus;
  readonly presence: HostPresence;
  readonly scheduler: HostScheduler;
  readonly settings: HostSettings;
  readonly hooks: HostHooks;
  readonly i18n: HostI18n;
  readonly sessions: DatabaseSessionStore;
  readonly modules: LoadedModule[];
  readonly contract: HostContract;
  private busServer: BusServer | null = null;
  private csrf: CsrfGuard | null = null;
  private sessionMiddleware: RequestHandler | null = null;
  private loginThrottle: LoginThrottle | null = null;
  /** Static files of the host and its modules, served before sessions are looked up. */
  private readonly staticRouter = Router();

  private constructor(
    readonly db: DataSource,
    readonly target: DatabaseTarget,
    modules: LoadedModule[],
    private readonly options: HostOptions,
  ) {
    this.modules = modules;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? new ConsoleLogger();
    this.instanceId = options.instanceId ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
    this.users = new HostUsers(db, this.groups, this.clock);
    this.langs = new HostLanguages(db);
    this.auth = new HostAuth(this.users);
    this.i18n = new HostI18n(this.langs);
    this.i18n.addCatalogs(HOST_NAMESPACE, path.join(__dirname, "i18n", "catalogs"));
    this.views = new ViewRegistry(this.menus, this.i18n, (req) => this.csrfToken(req));
    this.settings = new HostSettings(db, this.logger);
    this.hooks = new HostHooks(this.logger);
    this.bus = new HostBus(db, target, this.clock, this.logger);
    this.presence = new HostPresence(db, this.clock, () => this.presenceThresholds());
    this.scheduler = new HostScheduler(db, this.clock, this.logger, this.instanceId);
    this.sessions = new DatabaseSessionStore(db, this.clock, SESSION_IDLE_MS, SESSION_ABSOLUTE_MS);
    // Users' sockets rely on what they last read of their user and session for a moment (BusServer).
    this.sessions.onEnded(() => this.busServer?.sessionsEnded());
    this.users.onChange((userId) => this.busServer?.userChanged(userId));
    const writes = (this.writes = createGroupedWrites(
      db,
      target,
      this.bus,
      this.clock,
      this.logger,
      options.groupWindowMs ?? Number(process.env.GROUP_WINDOW_MS ?? DEFAULT_GROUP_WINDOW_MS),
    ));
    this.checkpoints = target.kind === "sqlite" && target.file !== ":memory:" ? new WalCheckpoints(target.file, this.logger) : null;
    this.reads = createLongReads(db, target);
    this.load = new LoadShedder(
      options.maxInFlight ?? Number(process.env.MAX_IN_FLIGHT ?? DEFAULT_MAX_IN_FLIGHT),
      options.maxLagMs ?? Number(process.env.MAX_EVENT_LOOP_LAG_MS ?? DEFAULT_MAX_LAG_MS),
      this.lag,
      options.maxWriteWaitMs ?? Number(process.env.MAX_WRITE_WAIT_MS ?? DEFAULT_MAX_WRITE_WAIT_MS),
      {
        get ms() {
          return writes.expectedWaitMs;
        },
      },
    );
    this.userPosts = new UserSocketPosts({
      hasGroup: (user, group) => this.users.hasGroup(user, group),
      recordActivity: (userId) => this.presence.recordActivity(userId).catch((err: unknown) => this.logger.warn("presence write failed", { error: String(err) })),
    });
    this.lean = new LeanRoutes({
      load: this.load,
      securityHeaders: fixedHeaders(this.securityHeaders, "POST"),
      rateLimitOf: (limiter) => this.rateLimits.get(limiter),
      languages: new RecentLanguageMatches(this.langs, DEFAULT_LANG),
      translate: (lang, key, vars) => this.i18n.translateAny(lang, key, vars),
      clientAddress: (req) => clientAddress(req, this.app.get("trust proxy") === 1),
      bodyLimit: JSON_BODY_LIMIT,
      userPosts: this.userPosts,
      logger: this.logger,
    });
    this.server = http.createServer((req, res) => {
      if (!this.lean.handle(req, res)) this.app(req, res);
    });
    // A busy event loop accepts one new connection per turn (libuv), so under load a visitor who must
    // reconnect waits in the kernel's queue: idle connections are kept long enough to be reused.
    this.server.keepAliveTimeout = KEEP_ALIVE_MS;
    this.contract = this.buildContract();
  }

  /** Reads the modules, opens the database, runs pending migrations, installs every module. */
  static async create(options: HostOptions = {}): Promise<Host> {
    const target = parseDatabaseUrl(options.databaseUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
    const modules = loadModules(options.modules ?? [ROOT_DIR]);
    await ensureSchema(target);
    const db = createDataSource(
      target,
      [...hostEntities, ...modules.flatMap((m) => m.definition.entities)],
      [...hostMigrations, ...modules.flatMap((m) => m.migrations)],
    );
    await db.initialize();
    const host = new Host(db, target, modules, options);
    try {
      await host.install();
    } catch (err) {
      await host.stop();
      throw err;
    }
    return host;
  }

  private buildContract(): HostContract {
    const limiter = (opts: { windowMs: number; limit: number | (() => Promise<number>) }) => {
      const limit = new AddressRateLimit(opts);
      this.rateLimits.set(limit.middleware, limit);
      return limit.middleware;
    };
    return {
      db: this.db,
      writes: this.writes,
      reads: this.reads,
      router: Router(),
      publicRouter: Router(),
      auth: this.auth,
      users: this.users,
      langs: this.langs,
      presence: this.presence,
      bus: this.bus,
      views: this.views,
      profile: this.profile,
      scheduler: this.scheduler,
      hooks: this.hooks,
      settings: this.settings,
      i18n: this.i18n.forNamespace(HOST_NAMESPACE),
      clock: this.clock,
      logger: this.logger,
      rateLimit: limiter,
      leanPost: (route) => this.lean.add(route),
      userSocketPost: (route) => this.userPosts.add(route),
    };
  }

  private thresholds: { at: number; value: Promise<PresenceSettings> } | null = null;

  /** Presence thresholds from settings, read again at most every 10 s (presence is read on every assignment). */
  private presenceThresholds(): Promise<PresenceSettings> {
    const now = this.clock.now().getTime();
    if (!this.thresholds || now - this.thresholds.at > 10_000 || now < this.thresholds.at) {
      const minutes = (s: { key: string; defaultValue: number }) => this.settings.getNumber(s.key, s.defaultValue);
      const value = Promise.all([
        minutes(PRESENCE_SETTINGS.awayMinutes),
        minutes(PRESENCE_SETTINGS.offlineMinutes),
        this.settings.getNumber(PRESENCE_SETTINGS.reloadGraceSeconds.key, PRESENCE_SETTINGS.reloadGraceSeconds.defaultValue),
      ]).then(([away, offline, graceSeconds]) => ({
        awayAfterMs: away * 60_000,
        offlineAfterMs: offline * 60_000,
        tabGraceMs: graceSeconds * 1000,
      }));
      this.thresholds = { at: now, value };
      value.catch(() => (this.thresholds = null));
    }
    return this.thresholds.value;
  }

  private readonly moduleContracts = new Map<string, HostContract>();

  /** The contract as one module sees it: the same host, with translation in the module's namespace. */
  moduleContract(name: string): HostContract {
    let contract = this.moduleContracts.get(name);
    if (!contract) {
      contract = {
        ...this.contract,
        i18n: this.i18n.forNamespace(name),
      };
      this.moduleContracts.set(name, contract);
    }
    return contract;
  }

  private async install(): Promise<void> {
    await this.db.runMigrations({ transaction: "each" });
    await this.groups.declare(this.db, "base", HOST_GROUPS);
    await this.langs.seed(["en_US"]);
    this.views.registerDirectory("host", path.join(__dirname, "templates"));
    this.addHostMenus();
    this.configureHttp(await this.sessionSecret());

    for (const mod of this.modules) {
      const { manifest } = mod;
      await this.groups.declare(this.db, manifest.name, manifest.groups);
      if (manifest.i18n) this.i18n.addCatalogs(manifest.name, path.join(mod.dir, manifest.i18n));
      this.views.registerDirectory(manifest.name, path.join(mod.dir, manifest.views.templates));
      for (const { slot, template } of manifest.views.slots) this.views.fillSlot(slot, template);
      for (const menu of manifest.menus) this.menus.add(menu, manifest.name);
      if (manifest.static) {
        this.staticRouter.use(`/${manifest.name}/static`, express.static(path.join(mod.dir, manifest.static), STATIC_OPTIONS));
      }
      await mod.definition.install(this.moduleContract(manifest.name));
      await this.recordInstalled(mod);
    }
    await this.groups.load(this.db);
    this.finishHttp();

    this.scheduler.register("host.prune_sessions", 60 * 60_000, async () => {
      await this.sessions.prune();
      await this.loginThrottle?.prune();
    });
    this.scheduler.register("host.prune_bus", 60 * 60_000, async () => {
      await this.bus.prune(new Date(this.clock.now().getTime() - BUS_RETENTION_MS));
    });

    if ((this.options.demo ?? "if-empty") === "if-empty" && (await this.db.getRepository(User).count()) === 0) {
      await this.loadDemo();
    }
  }

  /** Demo users, languages and every module's demo data. */
  async loadDemo(): Promise<void> {
    await loadDemoData(this);
    for (const mod of this.modules) await mod.definition.loadDemo?.(this.moduleContract(mod.manifest.name));
  }

  private async recordInstalled(mod: LoadedModule): Promise<void> {
    const repo = this.db.getRepository(InstalledModule);
    const now = this.clock.now();
    const existing = await repo.findOneBy({ name: mod.manifest.name });
    await repo.save({
      name: mod.manifest.name,
      version: mod.manifest.version,
      title: mod.manifest.title,
      state: "installed",
      installedAt: existing?.installedAt ?? now,
      updatedAt: existing && existing.version === mod.manifest.version ? existing.updatedAt : now,
    });
  }

  /** The session-signing secret: from SESSION_SECRET, else generated once and shared through the database. */
  private async sessionSecret(): Promise<string> {
    if (process.env.SESSION_SECRET) return process.env.SESSION_SECRET;
    const key = "host.session_secret";
    await this.db
      .createQueryBuilder()
      .insert()
      .into(Setting)
      .values({ key, value: randomBytes(32).toString("hex") })
      .orIgnore()
      .execute();
    return this.settings.get(key, "");
  }

  private addHostMenus(): void {
    this.menus.add({
      id: "settings",
      label: lt("Settings"),
      icon: "fa-gear",
      groups: ["base.admin"],
      sequence: 100,
      children: [
        { id: "settings.users", label: lt("Users"), url: "/settings/users", sequence: 5 },
        { id: "settings.apps", label: lt("Apps"), url: "/settings/apps", sequence: 10 },
        { id: "settings.languages", label: lt("Languages"), url: "/settings/languages", sequence: 20 },
      ],
    });
  }

  private configureHttp(secret: string): void {
    const app = this.app;
    const secureCookies = process.env.COOKIE_SECURE === "1";
    app.disable("x-powered-by");
    app.set("trust proxy", process.env.TRUST_PROXY === "1" ? 1 : false);
    app.use(this.load.middleware);
    app.use(this.securityHeaders);
    const assets = this.staticRouter;
    assets.use("/host/static", express.static(path.join(__dirname, "static"), STATIC_OPTIONS));
    // Browsers ask for /favicon.ico on pages that name no icon (the demo website): the same icon, public.
    assets.get("/favicon.ico", (_req, res, next) => {
      res.type("image/svg+xml").sendFile(path.join(__dirname, "static/favicon.svg"), { maxAge: STATIC_OPTIONS.maxAge }, (err) => err && next(err));
    });
    assets.use("/vendor/bootstrap", express.static(path.join(ROOT_DIR, "node_modules/bootstrap/dist"), STATIC_OPTIONS));
    // The pages use the solid icons only.
    assets.use(
      vendorAssets(
        "/vendor/fontawesome",
        path.join(ROOT_DIR, "node_modules/@fortawesome/fontawesome-free"),
        ["css/fontawesome.min.css", "css/solid.min.css", "webfonts/fa-solid-900.woff2"],
        STATIC_OPTIONS.maxAge,
      ),
    );
    app.use(assets);
    app.use(cookieParser());
    app.use(i18nRoutes(this.i18n));
    app.use(express.json({ limit: JSON_BODY_LIMIT }));
    app.use(express.urlencoded({ extended: true, limit: "256kb", parameterLimit: 2000 }));
    app.use(rejectMalformedText);

    // Visitor endpoints come before sessions: visitors carry bearer tokens, not cookies.
    app.use(this.contract.publicRouter);

    this.sessionMiddleware = session({
      name: "host_sid",
      secret: secret,
      store: this.sessions,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: "lax",
        secure: secureCookies,
        maxAge: SESSION_IDLE_MS,
      },
    });
    app.use(this.sessionMiddleware);
    app.use(this.auth.passport.initialize());
    app.use(this.auth.passport.session());
    app.use(this.recordActivity);
    this.csrf = csrfGuard(secret, secureCookies);
    app.use(this.csrf.protect);

    this.loginThrottle = new LoginThrottle(this.db, this.target, secret);
    app.use(loginRoutes(this.auth, this.views, this.contract.i18n, (req) => this.csrfToken(req), this.loginThrottle, secureCookies));
    app.use(homeRoutes({ auth: this.auth, menus: this.menus, views: this.views, i18n: this.contract.i18n }));
    app.use(
      profileRoutes({
        db: this.db,
        auth: this.auth,
        users: this.users,
        langs: this.langs,
        profile: this.profile,
        views: this.views,
        sessions: this.sessions,
        i18n: this.i18n,
      }),
    );
    app.use(settingsRoutes({ db: this.db, auth: this.auth, langs: this.langs, views: this.views, i18n: this.contract.i18n }));
    app.use(
      usersRoutes({
        db: this.db,
        auth: this.auth,
        users: this.users,
        groups: this.groups,
        langs: this.langs,
        views: this.views,
        sessions: this.sessions,
        i18n: this.i18n,
      }),
    );
  }

  /** Module backend routes, then the 404 and error handlers, once every module had its say. */
  private finishHttp(): void {
    this.app.use(this.auth.requireUser, this.contract.router);
    this.app.use(notFound);
    this.app.use(errorHandler(this.views, this.i18n, this.logger));
  }

  private csrfToken(req: Request): string {
    if (!this.csrf) throw new Error("HTTP is not configured yet");
    return this.csrf.token(req);
  }

  /** A page request or a form post is real activity; background JSON reads are not. */
  private readonly recordActivity: RequestHandler = (req, _res, next) => {
    const user = req.user;
    if (user && (req.method !== "GET" || !wantsJson(req))) {
      this.presence.recordActivity(user.id).catch((err: unknown) => this.logger.warn("presence write failed", { error: String(err) }));
    }
    next();
  };

  /** The user of an HTTP upgrade request, from its session cookie (for the bus WebSocket). */
  private authenticateUpgrade(req: http.IncomingMessage): Promise<SignedIn | null> {
    const middleware = this.sessionMiddleware;
    if (!middleware) return Promise.resolve(null);
    return new Promise((resolve) => {
      const fakeRes = {} as Response;
      middleware(req as Request, fakeRes, () => {
        const userId = (req as Request).session?.passport?.user;
        if (typeof userId !== "number") return resolve(null);
        const sid = (req as Request).sessionID;
        this.users.get(userId).then(
          (u) => resolve(u && u.active ? { user: u, current: () => this.signedInUser(sid, userId) } : null),
          () => resolve(null),
        );
      });
    });
  }

  /** The user of session `sid` as of now, while the session is still `userId`'s and the user active; else null. */
  private async signedInUser(sid: string, userId: number): Promise<HostUser | null> {
    const data = await new Promise<session.SessionData | null | undefined>((resolve, reject) => this.sessions.get(sid, (err, found) => (err ? reject(err) : resolve(found))));
    if (data?.passport?.user !== userId) return null;
    const user = await this.users.get(userId);
    return user !== null && user.active ? user : null;
  }

  /** Starts listening, then the bus and the scheduler (nothing runs when the port is taken). */
  async start(port = Number(process.env.PORT ?? 8069), hostname = process.env.HOST ?? "127.0.0.1"): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ port, host: hostname, backlog: LISTEN_BACKLOG }, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    await this.bus.start();
    this.lag.start();
    this.busServer = new BusServer({
      server: this.server,
      bus: this.bus,
      presence: this.presence,
      authenticateUser: (req) => this.authenticateUpgrade(req),
      logger: this.logger,
      limits: new SocketLimits(this.settings),
      clientAddress: (req) => clientAddress(req, this.app.get("trust proxy") === 1),
      posts: this.lean.socketPosts,
    });
    const tick = this.options.schedulerTickMs === undefined ? 5_000 : this.options.schedulerTickMs;
    if (tick !== null) this.scheduler.start(tick);
    return this.url;
  }

  get url(): string {
    const address = this.server.address();
    if (!address || typeof address === "string") return "";
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  async stop(): Promise<void> {
    this.lag.stop();
    await this.scheduler.stop();
    await this.busServer?.close();
    await this.busServer?.tabsSettled();
    if (this.server.listening) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
    await this.bus.stop();
    await this.writes.close();
    await this.reads.close();
    await this.checkpoints?.stop();
    if (this.db.isInitialized) await this.db.destroy();
  }
}

const DEFAULT_MAX_IN_FLIGHT = 256;
/**
 * Connections the kernel holds until the server accepts them (capped by net.core.somaxconn). Past it
 * a new connection is dropped and its client tries again only a second later: when a crowd of
 * visitors connects while the event loop is busy, they wait in this queue instead, and are answered
 * (or refused with 503) within the next turns of the loop.
 */
const LISTEN_BACKLOG = 4096;
/** Longer than the 60 s a proxy or load balancer commonly keeps an idle upstream connection. */
const KEEP_ALIVE_MS = 65_000;
const DEFAULT_MAX_LAG_MS = 50;
/**
 * A write's expected wait for its group, past which requests are refused: with the answer and
 * delivery that follow its commit, an accepted message is answered within about 100 ms even at twice
 * the rate the server can store, while a moment's hiccup below that rate refuses nothing (25 ms did).
 */
const DEFAULT_MAX_WRITE_WAIT_MS = 50;
/** Largest JSON request body, in bytes. */
const JSON_BODY_LIMIT = 64 * 1024;
/** A session ends after two weeks without a request, and 30 days after login however active. */
const SESSION_IDLE_MS = 14 * 24 * 3600_000;
const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;
const BUS_RETENTION_MS = 7 * 24 * 3600_000;
/**
 * Static files are the same for everyone, so any website may read them without credentials: the
 * visitor widget loads its stylesheet and the bus client with crossorigin="anonymous", cookie-free.
 */
const STATIC_OPTIONS = {
  maxAge: "1h",
  index: false,
  setHeaders: (res: express.Response) => res.setHeader("Access-Control-Allow-Origin", "*"),
} as const;

/** The security headers of every answer; `secure` when the host is set up for HTTPS. */
function helmetFor(secure: boolean) {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        // 'self' covers the bus WebSocket on the same host (ws: or wss:), and no other.
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "upgrade-insecure-requests": null,
      },
    },
    // The visitor widget's script and assets are loaded by other sites.
    crossOriginResourcePolicy: { policy: "cross-origin" },
    // Browsers keep HSTS for a long time: announced only when the host is set up for HTTPS.
    strictTransportSecurity: secure,
  });
}

declare module "express-session" {
  interface SessionData {
    passport?: { user?: number };
  }
}
