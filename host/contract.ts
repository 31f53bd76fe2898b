/**
 * The host ↔ module contract. A module imports nothing from the host but this file: any host that
 * implements `HostContract` can install it. Everything here is an interface or a small value type;
 * its runtime exports are only these (test/api.test.ts pins the list):
 *
 * - `HOST_CONTRACT_VERSION`: the version a manifest's `hostVersion` range is checked against;
 * - `DomainError` and its kinds `NotFoundError`, `ForbiddenError`, `ConflictError`, `InvalidInputError`:
 *   what any layer throws to refuse something; the host answers them with 404, 403, 409 and 400;
 * - `parseId` and `MAX_RECORD_ID`: the one way routes read a record id from a URL or a form;
 * - `isCleanName` and `isBlankText`: the checks names and texts shown to others go through;
 * - `busAddress`: the bus addresses of a user and of a record visitors follow;
 * - `FilterHook` and `EventHook`: typed, named extension points over `Hooks`;
 * - `lt`: marks text translated where it is shown (menu labels, error messages);
 * - `PRESENCE_SETTINGS`: the settings keys of the presence thresholds, with their defaults;
 * - `portableType`: column types for migrations that run on SQLite and PostgreSQL.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Request, RequestHandler, Router } from "express";
import type { DataSource, EntityManager, EntitySchema, MigrationInterface } from "typeorm";

/** The version of this contract; a manifest's `hostVersion` is a semver range checked against it. */
export const HOST_CONTRACT_VERSION = "1.3.0";

/**
 * Failures a person can act on, thrown from any layer (services included) of the host or a module.
 * The host's error handler is the one place that turns them into answers: 400, 403, 404 and 409.
 * A message marked with `lt()` is translated into the reader's language when answered; its `{name}`
 * placeholders are filled from `vars` (in `message`, they are already filled in English). `details`
 * tells a form which field was refused.
 */
export abstract class DomainError extends Error {
  /** The English text before its placeholders were filled: the key to translate. */
  readonly key: string;

  constructor(
    message: string,
    readonly vars?: TranslationVars,
    readonly details?: Record<string, string>,
  ) {
    super(vars ? message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : message);
    this.key = message;
    this.name = new.target.name;
  }
}

/** The record does not exist, or the caller may not know that it does. */
export class NotFoundError extends DomainError {}

/** The caller is known but not allowed to do this. */
export class ForbiddenError extends DomainError {}

/** The request is valid but clashes with the record's current state (ended, changed meanwhile). */
export class ConflictError extends DomainError {}

/** The input is refused: the message says what to change. */
export class InvalidInputError extends DomainError {}

/** The largest record id: ids are 32-bit integer columns on PostgreSQL. */
export const MAX_RECORD_ID = 2_147_483_647;

/**
 * The one way routes read a record id from a URL or a form: a positive decimal integer within range,
 * written plainly (no sign, leading zero, exponent, hex or spaces), else null, which routes answer with 404.
 */
export function parseId(value: unknown): number | null {
  if (typeof value !== "string" || !/^[1-9][0-9]{0,9}$/.test(value)) return null;
  const id = Number(value);
  return id <= MAX_RECORD_ID ? id : null;
}

/** Characters that show nothing: spaces, and default-ignorable ones (zero-width, joiners, bidi marks, tags...). */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}]*$/u;
/** Control characters, and the bidirectional overrides and isolates that make a name read as another. */
const NOT_IN_NAMES = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** True when a text shows nothing at all (empty, spaces, or only invisible characters). */
export function isBlankText(text: string): boolean {
  return INVISIBLE_ONLY.test(text);
}

/** True when a name has no control or bidi-override characters and shows something. */
export function isCleanName(text: string): boolean {
  return !NOT_IN_NAMES.test(text) && !isBlankText(text);
}

/** A user of the host, as modules see it. */
export interface HostUser {
  id: number;
  login: string;
  name: string;
  /** Code of the user's main language, e.g. `en_US`. */
  langCode: string;
  /** Group ids, implied groups included (a manager is also an operator). */
  groups: string[];
  active: boolean;
}

export interface HostLanguage {
  id: number;
  /** Locale code such as `fr_FR`. */
  code: string;
  /** ISO 639-1 code such as `fr`. */
  isoCode: string;
  name: string;
  enabled: boolean;
}

export interface Users {
  get(id: number): Promise<HostUser | null>;
  getMany(ids: number[]): Promise<HostUser[]>;
  /** Active users in a group (implied groups count). */
  inGroup(group: string): Promise<HostUser[]>;
  hasGroup(user: HostUser, group: string): boolean;
  /**
   * Calls `listener` when this instance changed a user's name, language, groups or whether they are
   * active (inside the transaction that changes it, when there is one). Not called for other instances' changes.
   */
  onChange(listener: (userId: number) => void): void;
}

export interface Languages {
  list(options?: { enabledOnly?: boolean }): Promise<HostLanguage[]>;
  getByCodes(codes: string[]): Promise<HostLanguage[]>;
  /** Best enabled language for an `Accept-Language` header, or null when none matches. */
  bestMatch(acceptLanguage: string | undefined): Promise<HostLanguage | null>;
}

export type PresenceStatus = "online" | "away" | "offline";

export interface PresenceInfo {
  userId: number;
  status: PresenceStatus;
  /** Last real activity: a page request or browser-reported input. */
  lastActivityAt: Date | null;
  /** Last sign of an open tab (socket heartbeat), activity or not. */
  lastSeenAt: Date | null;
}

export interface Presence {
  get(userId: number): Promise<PresenceInfo>;
  getMany(userIds: number[]): Promise<Map<number, PresenceInfo>>;
  /** Ids of users whose last activity is older than `before` (or who never had any). */
  inactiveSince(userIds: number[], before: Date): Promise<number[]>;
  /**
   * Calls `listener` after this instance stored a sign of the user (activity, an open or closed tab):
   * a status may have changed. Not called for what other instances store, nor as thresholds pass.
   */
  onChange(listener: (userId: number) => void): void;
}

/** One stored notification, as clients receive it. */
export interface BusNotification<P = unknown> {
  id: number;
  channel: string;
  type: string;
  payload: P;
  createdAt: string;
}

/** A notification that is delivered but never stored (see `Bus.signal`): it has no id and no catch-up replays it. */
export interface BusSignal<P = unknown> {
  channel: string;
  type: string;
  payload: P;
}

/**
 * Bus addresses (the channel a notification goes to). Code names them with these helpers, never by
 * hand, so host and modules agree on their shape.
 */
export const busAddress = {
  /** Every socket of a logged-in user listens to this one. */
  user: (userId: number): string => `user:${userId}`,
  /** One record a module lets visitors follow with their token (see `VisitorAuthorizer`), e.g. `("livechat.conversation", 7)`. */
  record: (kind: string, id: number): string => `${kind}:${id}`,
};

/** Decides which bus channels a visitor's socket may listen to, given the token it presented. */
export type VisitorAuthorizer = (token: string) => Promise<string[] | null>;

export interface Bus {
  /** Store, then deliver to every socket listening to `channel`, on every instance. Returns the id. */
  publish<P>(channel: string, type: string, payload: P, manager?: EntityManager): Promise<number>;
  /** Like `publish` for several notifications, stored in one statement; returns their ids in order. */
  publishAll(notifications: { channel: string; type: string; payload: unknown }[], manager?: EntityManager): Promise<number[]>;
  /**
   * Delivers at once to the sockets listening to `channel`, on every instance, and stores nothing: a
   * client that is not connected never gets it, and no catch-up replays it. For what is stale within
   * seconds, such as "someone is typing". The payload is small (at most 4000 bytes as JSON).
   */
  signal<P>(channel: string, type: string, payload: P): Promise<void>;
  authorizeVisitors(authorizer: VisitorAuthorizer): void;
  /** Adds bus channels a logged-in user's sockets listen to besides `user:<id>`; asked again when a socket sends `refresh`. */
  addUserChannels(provider: (user: HostUser) => Promise<string[]>): void;
}

/** A row as the database returns it, by column name (PostgreSQL may return big integers as strings). */
export type SqlRow = Record<string, unknown>;

/** A notification a grouped write stores (see `WriteTransaction.publish`). */
export interface PublishedNotification {
  channel: string;
  type: string;
  payload: unknown;
  inAnswer?: boolean;
}

/** What a grouped write does, in plain SQL: no entity mapping, no query building. */
export interface WriteTransaction {
  /**
   * One statement with `$1`, `$2`... placeholders, prepared once per text. Parameters are strings,
   * numbers, booleans, dates, buffers or null (anything else is refused at once); dates and booleans
   * are bound the way the database stores them, and a `Date` compared in SQL compares as a date.
   * Statements sent without waiting for the one before (and `publish`) run in the order they were
   * sent. Every statement sent belongs to the write, awaited or not: the write fails if one fails. One
   * whose answer the write does not need may be left unawaited (`void tx.query(...)`); the group's
   * COMMIT then leaves with it instead of a round trip later.
   */
  query(sql: string, parameters?: unknown[]): Promise<SqlRow[]>;
  /**
   * Stores bus notifications with the transaction's other writes (one statement for all of them);
   * they are delivered once the transaction committed, never if it did not. Returns their ids in order;
   * like `query`, it may be left unawaited. `inAnswer`: what the notification carries is also in the
   * answer to the request that made the write, so the bus socket the request came over (a lean route
   * called over the socket) is not sent it again; the requester's other sockets (tabs) still are.
   * A saving, not a promise: on PostgreSQL a notification left unawaited may come back through
   * LISTEN before its id, and is then sent to that socket too.
   */
  publish(notifications: PublishedNotification[]): Promise<number[]>;
}

/**
 * Short writes on a hot path (a visitor's message), begun in the order they came. Writes arriving
 * together share one transaction and one commit (group commit): one that throws leaves nothing
 * behind and harms no other, and each caller hears of its write only once the shared transaction
 * committed and is on the disk (as every acknowledged write is, see the README). `work` uses only
 * `tx` and waits on nothing else (the others wait for it). The writes of a group may run side by
 * side, their statements interleaved (each write's own in the order it makes them); when one throws,
 * the group is rolled back and run again one write at a time, so `work` may run twice and must
 * change nothing but through `tx`.
 */
export interface GroupedWrites {
  run<T>(work: (tx: WriteTransaction) => Promise<T>): Promise<T>;
}

/**
 * Read-only SQL that may take long, such as a report over months of history. On SQLite it runs on a
 * connection of its own in another thread, so the server goes on answering chats meanwhile; it sees
 * what was committed when it starts. Parameters are bound as for `db.query` (`?` on SQLite, `$1` on
 * PostgreSQL); dates are bound as the host stores them. A statement that writes is refused.
 */
export interface LongReads {
  query<T = SqlRow>(sql: string, parameters?: unknown[]): Promise<T[]>;
}

/** A request on a lean route (see `LeanPost`). */
export interface LeanRequest {
  /** The path's `:name` parameters. */
  params: Record<string, string>;
  /** The request's headers, names in lower case. */
  headers: IncomingHttpHeaders;
  /** The JSON body as the ordinary routes would see it (undefined when the request is not JSON). */
  body: unknown;
}

/** What a lean route answers: a status and a JSON body. */
export interface LeanAnswer {
  status: number;
  body: unknown;
}

/** A lean route's answer over the bus socket: what HTTP would answer, and `Retry-After` (seconds) with a 503 or 429. */
export interface SocketAnswer extends LeanAnswer {
  retryAfter?: number;
}

/**
 * A public JSON POST answered on the HTTP server before the host's middleware stack (no sessions,
 * cookies or routers), for the one route a page hits far more often than any other (a visitor's
 * message). It behaves as the same route on `publicRouter` would: the same in-flight budget (503 with
 * `Retry-After`), the limiter's counts, CORS headers (preflight included) and security headers, the
 * same body limit and text checks, and errors thrown as `DomainError` answered as JSON in the reader's
 * language. Requests it does not take as they are (another spelling of the path, a query string, a
 * compressed body) go on to the ordinary routes, so the same route should be there as well. A page
 * with a bus socket open may call the route over it (`post` in docs/api.md), with the socket's visitor
 * token as its bearer: the same budget, limits and answers, without an HTTP request each.
 */
export interface LeanPost {
  /** The path, with `:name` parameters, e.g. `/livechat/conversations/:id/messages`. */
  path: string;
  /** Options of the `cors` package with fixed values (one origin or `*`), as the ordinary route uses them. */
  cors: { origin: string; methods: string[]; allowedHeaders: string[]; exposedHeaders?: string[]; maxAge: number };
  /** A limiter from `rateLimit`: requests here count with those of the ordinary routes it guards. */
  limiter: RequestHandler;
  handle(req: LeanRequest): Promise<LeanAnswer>;
}

/** A logged-in user's post over their bus socket (see `UserSocketPost`). */
export interface UserSocketRequest {
  /** The path's `:name` parameters. */
  params: Record<string, string>;
  /** The user as of this post: their session still stands, they are active and in the route's group. */
  user: HostUser;
  /** The JSON body, as the route on `router` would see it. */
  body: unknown;
}

/**
 * A JSON POST of the logged-in users' API that their pages may also send over their bus socket
 * (`post` in docs/api.md) instead of an HTTP request each: for what a user does many times a minute,
 * such as an operator's message. The socket was opened from the host's own origin with the session's
 * cookie (checked at its handshake, which is why no CSRF token is asked for). A post checks that the
 * session still stands and reads the user again (at most a second after the socket last did, and at
 * once after a logout or a change of the user on the same instance), is refused (403) when the user
 * is not in `group`, and counts as the user's activity, as a post over HTTP does. It shares the in-flight
 * budget of lean routes (503 with `Retry-After`), the socket's frame limit and the text checks;
 * errors thrown as `DomainError` are answered as JSON in the user's language. The same route must
 * be on `router` too, for pages without an open socket and for larger bodies.
 */
export interface UserSocketPost {
  /** The path, with `:name` parameters, as the page posts it over HTTP, e.g. `/livechat/api/conversations/:id/messages`. */
  path: string;
  /** Only users in this group (implied groups count) may post here. */
  group: string;
  handle(req: UserSocketRequest): Promise<LeanAnswer>;
}

/** Values for a text's `{name}` placeholders; `count` also picks the plural form. */
export type TranslationVars = Record<string, string | number>;
/** Translates English text into one language, already chosen. */
export type Translate = (key: string, vars?: TranslationVars) => string;
export type DateStyle = "date" | "time" | "datetime";

/**
 * Translation, bound to the module's own catalogs (the manifest's `i18n` folder). Keys are the English
 * text; a text without a translation is shown in English. Templates use `{{t "Text {name}" name=x}}`.
 */
export interface I18n {
  /** `key` in `lang` (a locale code such as `fr_FR`), placeholders filled from `vars`. */
  t(lang: string, key: string, vars?: TranslationVars): string;
  /** The language to answer a request in: the user's main language, else the best match of `Accept-Language`. */
  requestLang(req: Request): Promise<string>;
  /** `t` bound to the request's language. */
  forRequest(req: Request): Promise<Translate>;
  /** A date, a time or both, written the way `lang` writes them (Intl). */
  formatDate(lang: string, date: Date, style?: DateStyle): string;
  /** Where browser code gets the module's catalog for `lang` as JSON (English text → translation). */
  catalogUrl(lang: string): string;
}

/**
 * Marks text to translate where it is shown rather than where it is written (menu labels, validation
 * messages decided before the reader's language is known). Returns the text unchanged.
 */
export function lt(text: string): string {
  return text;
}

export interface MenuItem {
  /** Dotted id; the part before the last dot names the parent, e.g. `livechat.config.expertise`. */
  id: string;
  label: string;
  url?: string;
  icon?: string;
  /** Only users in one of these groups see the entry. */
  groups?: string[];
  sequence?: number;
  children?: MenuItem[];
}

export interface Views {
  /**
   * Render a full page in the host layout, in the reader's language (`{{t}}` uses the template's own
   * namespace's catalog). `layout: false` renders the template alone, for pages with their own look.
   */
  render(
    req: Request,
    template: string,
    context: Record<string, unknown> & { title: string },
    options?: { layout?: boolean },
  ): Promise<string>;
}

/** A module's part of the My Profile form: it reads, validates and saves its own fields. */
export interface ProfileExtension<T = unknown> {
  /** Values to show, merged into the slot context under `name`. */
  load(user: HostUser): Promise<Record<string, unknown>>;
  /** Parse the posted form; throw InvalidInputError to refuse the whole form. */
  parse(body: Record<string, unknown>, user: HostUser): Promise<T>;
  /** Save within the same transaction as the host's own fields. */
  save(user: HostUser, value: T, manager: EntityManager): Promise<void>;
}

export interface Profile {
  extend<T>(name: string, extension: ProfileExtension<T>): void;
}

export interface Scheduler {
  /**
   * A named job that runs once per `everyMs` across all instances sharing the database.
   * A run that throws is logged and retried next period.
   */
  register(name: string, everyMs: number, run: () => Promise<void>): void;
}

/** Time source: the host's real clock, or a test clock. Everything time-based reads it. */
export interface Clock {
  now(): Date;
}

/** Presence thresholds the host reads from settings, with their defaults. */
export const PRESENCE_SETTINGS = {
  awayMinutes: { key: "host.presence_away_minutes", defaultValue: 10 },
  offlineMinutes: { key: "host.presence_offline_minutes", defaultValue: 2 },
  /** How long after a user's last tab closed they still count as there, for a reload. */
  reloadGraceSeconds: { key: "host.presence_reload_grace_seconds", defaultValue: 20 },
} as const;

export interface Settings {
  get(key: string, fallback: string): Promise<string>;
  getNumber(key: string, fallback: number): Promise<number>;
  set(key: string, value: string): Promise<void>;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Named extension points: filters transform a value through every handler in order; events notify. */
export interface Hooks {
  addFilter<T, C = undefined>(name: string, handler: (value: T, context: C) => T | Promise<T>): void;
  applyFilters<T, C = undefined>(name: string, value: T, context: C): Promise<T>;
  /** Whether any filter was added under `name` (a caller may then skip building what only filters would read). */
  hasFilters(name: string): boolean;
  on<E>(name: string, handler: (event: E) => void | Promise<void>): void;
  emit<E>(name: string, event: E): Promise<void>;
}

/**
 * A named filter with its types, so call sites name neither: a module exports it, others `add` to it,
 * the owner `apply`s it.
 */
export class FilterHook<T, C> {
  constructor(readonly name: string) {}

  add(hooks: Hooks, handler: (value: T, context: C) => T | Promise<T>): void {
    hooks.addFilter<T, C>(this.name, handler);
  }

  apply(hooks: Hooks, value: T, context: C): Promise<T> {
    return hooks.applyFilters<T, C>(this.name, value, context);
  }

  has(hooks: Hooks): boolean {
    return hooks.hasFilters(this.name);
  }
}

/** A named event with its payload type: a module exports it, others listen with `on`, the owner `emit`s it. */
export class EventHook<E> {
  constructor(readonly name: string) {}

  on(hooks: Hooks, handler: (event: E) => void | Promise<void>): void {
    hooks.on<E>(this.name, handler);
  }

  emit(hooks: Hooks, event: E): Promise<void> {
    return hooks.emit<E>(this.name, event);
  }
}

export interface Auth {
  /** 302 to the login page for pages, 401 for JSON requests. */
  requireUser: RequestHandler;
  /** 403 with a message when the current user is not in `group`. */
  requireGroup(group: string): RequestHandler;
  currentUser(req: Request): HostUser | null;
}

/** What the host hands to a module's `install`. */
export interface HostContract {
  /**
   * The host's database. On SQLite it is one connection, and writes take turns on it: a transaction,
   * and a write outside one, wait for the transaction before them to end (reads outside one do not
   * wait, and see only committed data), so nothing joins another's transaction. Write through the
   * manager a transaction (or a typeorm subscriber) is given, never through `db` from inside one that
   * another context awaits: such a write would wait for the very transaction awaiting it, and fails
   * once that one has held the connection for 30 s (`TurnWaitError`), which then fails too.
   */
  readonly db: DataSource;
  /** Plain-SQL writes grouped into shared transactions, for hot paths (see `GroupedWrites`). */
  readonly writes: GroupedWrites;
  /** Reads that may take long (reports, exports), kept from holding up the rest (see `LongReads`). */
  readonly reads: LongReads;
  /** Authenticated backend routes: session, CSRF and error handling already applied. */
  readonly router: Router;
  /**
   * Public routes for visitors: no login, no CSRF (callers use bearer tokens), rate limiting available.
   * Errors are answered as JSON for JSON requests, `/api/` paths, and routes that set `res.locals.json = true`.
   */
  readonly publicRouter: Router;
  readonly auth: Auth;
  readonly users: Users;
  readonly langs: Languages;
  readonly presence: Presence;
  readonly bus: Bus;
  readonly views: Views;
  readonly profile: Profile;
  readonly scheduler: Scheduler;
  readonly hooks: Hooks;
  readonly settings: Settings;
  readonly i18n: I18n;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * A rate limiter for public endpoints: at most `limit` requests per `windowMs` per client address.
   * `limit` may be read for each request (e.g. from a setting).
   */
  rateLimit(options: { windowMs: number; limit: number | (() => Promise<number>) }): RequestHandler;
  /** Serves a public JSON POST ahead of the middleware stack (see `LeanPost`). */
  leanPost(route: LeanPost): void;
  /** Takes a logged-in users' JSON POST over their bus socket as well (see `UserSocketPost`). */
  userSocketPost(route: UserSocketPost): void;
}

/** An entity class or schema a module contributes to the host's DataSource. */
export type ModuleEntity = (new () => object) | EntitySchema;
export type ModuleMigration = new () => MigrationInterface;

/** The object a module's entry file exports as `default`. */
export interface ModuleDefinition {
  entities: ModuleEntity[];
  /** Called once per host start, after migrations ran. */
  install(host: HostContract): Promise<void> | void;
  /** Demo data, loaded on first start of an empty database and in tests on demand. */
  loadDemo?(host: HostContract): Promise<void>;
}

/** `manifest.json`, as the loader reads it. */
export interface ModuleManifest {
  name: string;
  version: string;
  title: string;
  summary: string;
  depends: string[];
  hostVersion: string;
  entry: string;
  /** Templates directory (every `.hbs` in it is registered as `<name>/<file>`) and slot fillers. */
  views: { templates: string; slots: { slot: string; template: string }[] };
  migrations: string;
  static?: string;
  /** Folder of the module's translation catalogs, `<language>.json` each (fr.json, es.json, de.json). */
  i18n?: string;
  groups: { id: string; name: string; implies?: string[] }[];
  menus: MenuItem[];
}

/**
 * Column types that mean the same on SQLite and PostgreSQL, for portable migrations:
 * typeorm maps the JavaScript constructors to each driver's own type.
 */
export function portableType(
  runner: { connection: DataSource },
  type: DateConstructor | NumberConstructor | StringConstructor | BooleanConstructor,
): string {
  return runner.connection.driver.normalizeType({ type });
}
