import type http from "node:http";
import cors from "cors";
import type { RequestHandler } from "express";
import { lt, type HostUser, type LeanAnswer, type LeanPost, type Logger, type SocketAnswer, type TranslationVars } from "../contract";
import type { RecentLanguageMatches } from "../langs/RecentLanguageMatches";
import { TOO_MANY_REQUESTS, type AddressRateLimit } from "./AddressRateLimit";
import { describeError } from "./errorHandler";
import { fixedHeaders } from "./fixedHeaders";
import { HttpError } from "./HttpError";
import { BUSY, RETRY_AFTER_SECONDS, type LoadShedder } from "./LoadShedder";
import { PathPattern } from "./PathPattern";
import type { UserSocketPosts } from "./UserSocketPosts";
import { anyMalformed, MALFORMED_TEXT } from "./wellFormedText";

export interface LeanRoutesOptions {
  load: LoadShedder;
  /** Headers every answer carries (the security headers of the middleware stack). */
  securityHeaders: Record<string, string>;
  /** The rate limit behind a limiter of the contract's `rateLimit`. */
  rateLimitOf(limiter: RequestHandler): AddressRateLimit | undefined;
  languages: RecentLanguageMatches;
  translate(lang: string, key: string, vars?: TranslationVars): string;
  clientAddress(req: http.IncomingMessage): string;
  /** Largest JSON body taken, in bytes (the same as the stack's JSON parser). */
  bodyLimit: number;
  /** The logged-in users' routes, for posts on their sockets. */
  userPosts: UserSocketPosts;
  logger: Logger;
}

interface Route {
  route: LeanPost;
  pattern: PathPattern;
  limit: AddressRateLimit;
  /** Security and CORS headers of an answer, and of a preflight. */
  answerHeaders: Record<string, string>;
  preflightHeaders: Record<string, string>;
  /** `answerHeaders` as names and values in one list, as `writeHead` takes them without copying an object. */
  answerHeaderList: string[];
}

const JSON_TYPE = "application/json; charset=utf-8";
const TOO_LARGE = lt("The request body is too large.");
const NOT_JSON = lt("The request body is not valid JSON.");
export const NO_SUCH_SOCKET_ROUTE = lt("Nothing can be sent to this address over the socket.");

/** Who calls a lean route (or, on a logged-in user's socket, a `UserSocketPost`) over the bus socket. */
export interface SocketCaller {
  /** The socket's visitor token, sent to the route as its bearer (null on a logged-in user's socket). */
  token: string | null;
  /** On a logged-in user's socket, the user as of now: null once their session has ended (null on a visitor's socket). */
  user: (() => Promise<HostUser | null>) | null;
  /** The language the caller reads, as an Accept-Language value. */
  lang: string | undefined;
  /** The client's address, counted in the route's rate limit. */
  address: string;
}

/** What the bus endpoint calls for a `post` on a socket (see `LeanRoutes.socketPosts`). */
export interface SocketPosts {
  /** Takes a place in the in-flight budget as the post arrives; false when refused. */
  admit(): boolean;
  /** Gives back the place of an admitted post that will not be answered (its socket closed first). */
  release(): void;
  /** The answer to a post refused a place, in the reader's language (`lang`: an Accept-Language value). */
  refusal(lang: string | undefined): Promise<SocketAnswer>;
  /** Answers an admitted post (never throws), then gives its place back. */
  answer(path: string, body: unknown, caller: SocketCaller): Promise<SocketAnswer>;
}

/**
 * Public JSON POSTs served on the HTTP server's request event, before express (see `LeanPost` in the
 * contract): the in-flight budget is checked before the body is read, so a refusal costs next to
 * nothing, and what the middleware stack would do for such a request is done here in a few steps.
 */
export class LeanRoutes {
  private readonly routes: Route[] = [];
  /** The 503 answer's message, per language: an overloaded server may refuse thousands a second. */
  private readonly busyTexts = new Map<string, string>();

  constructor(private readonly options: LeanRoutesOptions) {}

  add(route: LeanPost): void {
    const limit = this.options.rateLimitOf(route.limiter);
    if (!limit) throw new Error(`The limiter of the lean route ${route.path} does not come from the host's rateLimit()`);
    const corsMiddleware = cors(route.cors);
    const answerHeaders = { ...this.options.securityHeaders, ...fixedHeaders(corsMiddleware, "POST") };
    this.routes.push({
      route,
      pattern: new PathPattern(route.path),
      limit,
      answerHeaders,
      preflightHeaders: { ...this.options.securityHeaders, ...fixedHeaders(corsMiddleware, "OPTIONS") },
      answerHeaderList: Object.entries(answerHeaders).flat(),
    });
  }

  /** Answers the request when it is for a lean route as it is; false leaves it to the middleware stack. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const method = req.method;
    if ((method !== "POST" && method !== "OPTIONS") || this.routes.length === 0) return false;
    const url = req.url ?? "";
    if (url.includes("?")) return false;
    const found = this.find(url);
    if (!found) return false;
    const { route, params } = found;
    if (method === "OPTIONS") {
      res.writeHead(204, { ...route.preflightHeaders, "Content-Length": "0" });
      res.end();
      return true;
    }
    if (!plainJson(req)) return false;
    void this.post(route, params, req, res);
    return true;
  }

  /**
   * Lean routes called over the bus socket (`post` in the socket protocol): the same budget, limits,
   * checks and answers as over HTTP, with the socket's visitor token as the bearer; on a logged-in
   * user's socket, the routes of `userSocketPost` instead (`UserSocketPosts`), under the same
   * budget. A page with its socket open sends its messages there, without an HTTP request each. The
   * socket takes a post's place in the budget as the post arrives, so a refusal never waits behind
   * the socket's earlier posts; an admitted post is answered in the socket's order.
   */
  readonly socketPosts: SocketPosts = {
    admit: () => this.options.load.admit(),
    release: () => this.options.load.release(),
    refusal: async (lang) => ({ status: 503, body: { error: this.busyText(await this.languageOf(lang)) }, retryAfter: RETRY_AFTER_SECONDS }),
    answer: (path, body, caller) => this.answerSocket(path, body, caller),
  };

  /** An admitted socket post: answered (never thrown), then its place given back. */
  private async answerSocket(path: string, body: unknown, caller: SocketCaller): Promise<SocketAnswer> {
    let retryAfter: number | undefined;
    let user: HostUser | null = null;
    try {
      if (caller.user !== null) {
        user = await caller.user();
        return await this.options.userPosts.answer(path, body, user);
      }
      const found = this.find(path);
      if (!found) throw new HttpError(404, NO_SUCH_SOCKET_ROUTE);
      if (anyMalformed(body)) throw new HttpError(400, MALFORMED_TEXT);
      const counted = await found.route.limit.count(caller.address);
      if (counted.over) {
        retryAfter = Number(counted.headers["Retry-After"]) || undefined;
        throw new HttpError(429, TOO_MANY_REQUESTS);
      }
      const headers: http.IncomingHttpHeaders = {};
      if (caller.token !== null) headers.authorization = `Bearer ${caller.token}`;
      if (caller.lang !== undefined) headers["accept-language"] = caller.lang;
      return await found.route.route.handle({ params: found.params, headers, body });
    } catch (error) {
      const lang = user?.langCode ?? (await this.languageOf(caller.lang));
      const answer: SocketAnswer = { ...this.errorAnswer(error, lang, { over: "socket", path }) };
      if (retryAfter !== undefined) answer.retryAfter = retryAfter;
      return answer;
    } finally {
      this.options.load.release();
    }
  }

  private languageOf(acceptLanguage: string | undefined): Promise<string> {
    return this.options.languages.codeFor(acceptLanguage).catch(() => "en_US");
  }

  /** The lean route of `path` and its decoded parameters; null when none matches (or a parameter cannot be decoded). */
  private find(path: string): { route: Route; params: Record<string, string> } | null {
    for (const route of this.routes) {
      const params = route.pattern.match(path);
      if (params === undefined) continue;
      return params ? { route, params } : null;
    }
    return null;
  }

  private async post(route: Route, params: Record<string, string>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { load } = this.options;
    if (!load.admit()) {
      await this.refuse(route, req, res);
      return;
    }
    // A response always closes, answered or cut off, and only once.
    res.once("close", () => load.release());
    let limitHeaders: Record<string, string> = {};
    try {
      const body = parseJson(await readBody(req, this.options.bodyLimit));
      if (anyMalformed(body)) throw new HttpError(400, MALFORMED_TEXT);
      const counted = await route.limit.count(this.options.clientAddress(req));
      limitHeaders = counted.headers;
      if (counted.over) throw new HttpError(429, TOO_MANY_REQUESTS);
      const answer = await route.route.handle({ params, headers: req.headers, body });
      answerJson(res, answer.status, answer.body, route.answerHeaderList, limitHeaders);
    } catch (error) {
      // A visitor who left while sending: nobody to answer, nothing gone wrong here.
      if (req.destroyed && !req.complete) return;
      await this.fail(route, req, res, error, limitHeaders);
    }
  }

  private busyText(lang: string): string {
    let text = this.busyTexts.get(lang);
    if (text === undefined) {
      text = this.options.translate(lang, BUSY);
      this.busyTexts.set(lang, text);
    }
    return text;
  }

  private async refuse(route: Route, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const lang = await this.languageOf(req.headers["accept-language"]);
    if (res.destroyed) return;
    const body = JSON.stringify({ error: this.busyText(lang) });
    res.writeHead(503, { ...route.answerHeaders, "Retry-After": String(RETRY_AFTER_SECONDS), "Content-Type": JSON_TYPE, "Content-Length": String(Buffer.byteLength(body)) });
    res.end(body);
  }

  /** Answers an error as the host's error handler answers a JSON request: its status, and its message in the reader's language. */
  private async fail(route: Route, req: http.IncomingMessage, res: http.ServerResponse, error: unknown, headers: Record<string, string>): Promise<void> {
    const { status, body } = this.errorAnswer(error, await this.languageOf(req.headers["accept-language"]), { method: req.method, path: req.url });
    if (res.headersSent || res.destroyed) return;
    answerJson(res, status, body, route.answerHeaderList, headers);
  }

  /**
   * An error's status, and its message in the reader's language (`lang`, a language code), as the
   * host's error handler answers a JSON request; an unexpected failure is logged with `where` it happened.
   */
  private errorAnswer(error: unknown, lang: string, where: Record<string, string | undefined>): LeanAnswer {
    const { status, message, vars, details } = describeError(error);
    if (status >= 500 && !(error instanceof HttpError)) {
      this.options.logger.error("request failed", { ...where, error: (error as Error)?.stack ?? String(error) });
    }
    return { status, body: { error: this.options.translate(lang, message, vars), ...(details ? { details } : {}) } };
  }
}

/** An answer of the route: its fixed headers as they are, then the rate limit's and the body's. */
function answerJson(res: http.ServerResponse, status: number, body: unknown, fixed: string[], limitHeaders: Record<string, string>): void {
  const json = JSON.stringify(body);
  const headers = fixed.slice();
  for (const name in limitHeaders) headers.push(name, limitHeaders[name]);
  headers.push("Content-Type", JSON_TYPE, "Content-Length", String(Buffer.byteLength(json)));
  res.writeHead(status, headers);
  res.end(json);
}

/**
 * A JSON body in UTF-8, not compressed: what the lean route parses itself. Anything else (a form, a
 * gzipped body, another charset) goes through the middleware stack's parsers as before.
 */
function plainJson(req: http.IncomingMessage): boolean {
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined && encoding.toLowerCase() !== "identity") return false;
  const type = req.headers["content-type"];
  return type !== undefined && /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i.test(type);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"]) > limit) return reject(new HttpError(413, TOO_LARGE));
    const chunks: Buffer[] = [];
    let length = 0;
    let ended = false;
    req.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        ended = true;
        req.removeAllListeners("data");
        reject(new HttpError(413, TOO_LARGE));
      } else chunks.push(chunk);
    });
    req.once("end", () => {
      ended = true;
      // A small body comes in one chunk: taken as it is, not copied.
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length));
    });
    req.once("error", reject);
    req.once("close", () => {
      if (!ended) reject(new Error("request aborted"));
    });
  });
}

/** The body as express.json parses it: an empty body is `{}`, and only an object or an array at the top is JSON here. */
function parseJson(raw: Buffer): unknown {
  const text = raw.toString("utf8").replace(/^\uFEFF/, "");
  // Other leading white space than JSON's makes no difference: JSON.parse refuses it.
  const first = text.trimStart()[0];
  if (first === undefined) return {};
  if (first !== "{" && first !== "[") throw new HttpError(400, NOT_JSON);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, NOT_JSON);
  }
}
