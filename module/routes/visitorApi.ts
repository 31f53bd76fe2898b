import cors from "cors";
import { Router, type Request } from "express";
import { z } from "zod";
import { InvalidInputError, isCleanName, lt, NotFoundError, parseId, type HostContract, type LeanAnswer, type LeanRequest } from "../../host/contract";
import type { ConversationServices } from "../conversations";
import type { ChannelService } from "../services/ChannelService";
import type { ChannelInfoDto } from "../services/conversations/dto";
import { checkClientMessageId, checkMessageBody } from "../services/conversations/messageBody";
import { withSystemText } from "../services/conversations/systemLines";
import { parseFieldTranslations, translated } from "../services/contentTranslations";
import { LivechatSettings } from "../services/settings/livechatSettings";
import { answeringRoute } from "./answeringRoute";
import { asyncRoute } from "./asyncRoute";
import { sendTranscript } from "./transcriptResponse";

/** A web page's address as the widget reads it (`location.href`, `document.referrer`); empty means unknown. */
function webAddress(field: string) {
  return z
    .string()
    .max(2048, `${field} is at most 2048 characters`)
    .refine((v) => v === "" || isWebAddress(v), `${field} must be an http or https address`);
}

function isWebAddress(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

const startBody = z
  .object({
    visitorKey: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "visitorKey must be 8 to 64 letters, digits, _ or -").optional(),
    name: z
      .string()
      .trim()
      .max(64, "name is at most 64 characters")
      .refine((v) => v === "" || isCleanName(v), "name cannot contain control or text-direction characters, nor be only invisible characters")
      .optional(),
    lang: z.string().max(35).optional(),
    pageUrl: webAddress("pageUrl").optional(),
    referrer: webAddress("referrer").optional(),
  })
  .strict();

const typingBody = z.object({ typing: z.boolean() }).strict();

export const READS_SETTING = "livechat.visitor_reads_per_minute";
export const WRITES_SETTING = "livechat.visitor_writes_per_minute";

/**
 * Any website may call the API, without credentials; the widget reads `Retry-After` when the server
 * is busy (503) or the visitor sends too much (429).
 */
const CORS = {
  origin: "*",
  methods: ["GET", "POST"],
  allowedHeaders: ["Authorization", "Content-Type"],
  exposedHeaders: ["Retry-After"],
  maxAge: 600,
};

function bearer(header: string | undefined): string | null {
  const match = typeof header === "string" ? /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header) : null;
  return match ? match[1] : null;
}

/**
 * The public visitor API (docs/api.md): any website may call it, so it is CORS-open without
 * credentials; conversations are opened by their bearer token only; every route is rate-limited.
 */
export function visitorApi(host: HostContract, services: ConversationServices, channels: ChannelService): void {
  const { assignment, lifecycle, messages, visitors, visitorMessages, chatbot, ratings, typing } = services;
  const api = Router();
  const settings = new LivechatSettings(host);
  // Only the API paths: every request of the host passes through the public router.
  const paths = ["/livechat/channels/:channelId/info", "/livechat/channels/:channelId/conversations", "/livechat/conversations"];
  api.use(paths, cors(CORS));
  api.use(paths, (_req, res, next) => {
    res.locals.json = true;
    next();
  });
  // Per client address and minute; settings, so an admin can adapt them without a restart. Read at
  // most every 10 s: this runs on every visitor request.
  const perMinute = (key: string, fallback: number) => {
    let cached: { value: number; at: number } | null = null;
    return async () => {
      const now = Date.now();
      if (!cached || now - cached.at > 10_000) cached = { value: await host.settings.getNumber(key, fallback), at: now };
      return cached.value;
    };
  };
  const reads = host.rateLimit({ windowMs: 60_000, limit: perMinute(READS_SETTING, 600) });
  const writes = host.rateLimit({ windowMs: 60_000, limit: perMinute(WRITES_SETTING, 300) });

  /**
   * The visitor's language: an explicit one if enabled (the website's choice), else the browser's best
   * match, else the default language of the Settings page.
   */
  const visitorLanguage = async (acceptLanguage: string | undefined, explicit: unknown): Promise<string> => {
    const chosen = typeof explicit === "string" && explicit && explicit.length <= 35 ? await host.langs.bestMatch(explicit.replace(/_/g, "-")) : null;
    const matched = chosen ?? (await host.langs.bestMatch(acceptLanguage));
    return matched?.code ?? (await settings.defaultLanguage()).value;
  };

  const openConversation = async (idParam: unknown, token: string | null) => {
    const id = parseId(idParam);
    if (id === null) throw new NotFoundError(lt("No such conversation for this visitor."));
    const conversation = await visitors.conversation(id, token);
    await visitors.seen(conversation);
    return conversation;
  };
  const conversationOf = (req: Request) => openConversation(req.params.id, bearer(req.headers.authorization));

  /**
   * A visitor's write served twice: on the ordinary routes, and answered before the host's middleware
   * stack (`leanPost`), which is also how the widget's socket reaches it.
   */
  const leanWrite = (path: string, handle: (req: LeanRequest) => Promise<LeanAnswer>) => {
    api.post(path, writes, answeringRoute((req, params) => handle({ params, headers: req.headers, body: req.body })));
    host.leanPost({ path, cors: CORS, limiter: writes, handle });
  };

  /** A visitor's message, on the lean route and the ordinary one alike: stored, or answered by the chatbot. */
  const postMessage = async (idParam: unknown, token: string | null, fields: unknown): Promise<LeanAnswer> => {
    const id = parseId(idParam);
    if (id === null) throw new NotFoundError(lt("No such conversation for this visitor."));
    const visitor = await visitors.forPost(id, token);
    const field = (name: string) => (typeof fields === "object" && fields !== null ? (fields as Record<string, unknown>)[name] : undefined);
    const body = checkMessageBody(field("body"));
    const clientMessageId = checkClientMessageId(field("clientMessageId"));
    // The chatbot's answers take the general path.
    const result = (await visitorMessages.post(visitor, body, clientMessageId)) ?? (await chatbot.answer(await openConversation(idParam, token), body, clientMessageId));
    return { status: result.created ? 201 : 200, body: { message: result.message } };
  };

  api.get(
    "/livechat/channels/:channelId/info",
    reads,
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.channelId);
      const channel = id === null ? null : await channels.find(id);
      if (!channel) throw new NotFoundError(lt("This live chat channel does not exist."));
      const lang = await visitorLanguage(req.headers["accept-language"], req.query.lang);
      const texts = parseFieldTranslations(channel.translations);
      const info: ChannelInfoDto = {
        id: channel.id,
        name: channel.name,
        buttonText: translated(channel.buttonText, texts.buttonText ?? {}, lang),
        welcomeMessage: translated(channel.welcomeMessage, texts.welcomeMessage ?? {}, lang),
        available: await assignment.anyoneAvailable(channel.id, channel.maxSessions),
        hasChatbot: channel.chatbotScriptId !== null,
        lang: lang.replace(/_/g, "-"),
      };
      res.json(info);
    }),
  );

  /** A visitor starts a conversation, on the lean route and the ordinary one alike. */
  const startConversation = async (channelIdParam: unknown, acceptLanguage: string | undefined, body: unknown): Promise<{ status: number; body: unknown }> => {
    const id = parseId(channelIdParam);
    if (id === null) throw new NotFoundError(lt("This live chat channel does not exist."));
    const parsed = startBody.safeParse(body ?? {});
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join(" "));
    // An explicit language wins over the browser's; both must match an enabled language.
    const lang = await visitorLanguage(acceptLanguage, parsed.data.lang);
    const started = await lifecycle.start(id, {
      visitorKey: parsed.data.visitorKey ?? null,
      visitorName: parsed.data.name || null,
      lang,
      startPageUrl: parsed.data.pageUrl || null,
      referrerUrl: parsed.data.referrer || null,
    });
    return { status: 201, body: started };
  };

  // Every visitor's first request that writes.
  leanWrite("/livechat/channels/:channelId/conversations", ({ params, headers, body }) => startConversation(params.channelId, headers["accept-language"], body));

  api.get(
    "/livechat/conversations/:id",
    reads,
    asyncRoute(async (req, res) => {
      const conversation = await conversationOf(req);
      res.json({ conversation: await lifecycle.visitorView(conversation) });
    }),
  );

  api.post(
    "/livechat/conversations/:id/ping",
    reads,
    asyncRoute(async (req, res) => {
      await conversationOf(req);
      res.json({ ok: true });
    }),
  );

  api.get(
    "/livechat/conversations/:id/messages",
    reads,
    asyncRoute(async (req, res) => {
      const conversation = await conversationOf(req);
      const after = req.query.after === undefined || req.query.after === "0" ? 0 : parseId(req.query.after);
      if (after === null) throw new InvalidInputError("after must be a message id.");
      // System lines in the conversation's language, from the visitor's side.
      const t = (text: string, vars?: Record<string, string>) => host.i18n.t(conversation.visitorLang ?? "en", text, vars);
      res.json({ messages: withSystemText(await messages.list(conversation.id, after), "visitor", t) });
    }),
  );

  // The route visitors call most by far.
  leanWrite("/livechat/conversations/:id/messages", ({ params, headers, body }) => postMessage(params.id, bearer(headers.authorization), body));

  // "The visitor is typing", to the operator: a bus signal, never stored. `delivered` is false when
  // the conversation sent too many at once (those are dropped). A message typed is two or more of
  // these, so they take the lean route (and the widget's socket) as the message does.
  const sendTyping = async (idParam: unknown, token: string | null, fields: unknown): Promise<LeanAnswer> => {
    const conversation = await openConversation(idParam, token);
    const parsed = typingBody.safeParse(fields ?? {});
    if (!parsed.success) throw new InvalidInputError("typing must be true or false.");
    return { status: 200, body: { delivered: await typing.fromVisitor(conversation, parsed.data.typing) } };
  };
  leanWrite("/livechat/conversations/:id/typing", ({ params, headers, body }) => sendTyping(params.id, bearer(headers.authorization), body));

  api.post(
    "/livechat/conversations/:id/end",
    writes,
    asyncRoute(async (req, res) => {
      const conversation = await conversationOf(req);
      res.json({ conversation: await lifecycle.end(conversation, "visitor") });
    }),
  );

  api.get(
    "/livechat/conversations/:id/transcript",
    reads,
    asyncRoute(async (req, res) => {
      const conversation = await conversationOf(req);
      const channel = await channels.find(conversation.channelId);
      await sendTranscript(res, host, messages, conversation, channel?.name ?? "", conversation.visitorLang ?? "en_US");
    }),
  );

  api.post(
    "/livechat/conversations/:id/rating",
    writes,
    asyncRoute(async (req, res) => {
      const conversation = await conversationOf(req);
      res.status(201).json({ rating: await ratings.rate(conversation, req.body?.value, req.body?.comment) });
    }),
  );

  host.publicRouter.use(api);
}
