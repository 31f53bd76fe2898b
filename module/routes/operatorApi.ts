import { Router, type Request } from "express";
import { z } from "zod";
import { InvalidInputError, NotFoundError, parseId, type HostContract, type HostUser, type LeanAnswer, type UserSocketRequest } from "../../host/contract";
import { OPERATOR_GROUP } from "../api";
import type { ConversationServices } from "../conversations";
import type { OperatorConversationDetailDto, OperatorConversationListDto } from "../services/conversations/dto";
import { pageQuery } from "../services/conversations/conversationPaging";
import { checkClientMessageId, checkMessageBody } from "../services/conversations/messageBody";
import { withSystemText } from "../services/conversations/systemLines";
import { answeringRoute } from "./answeringRoute";
import { asyncRoute } from "./asyncRoute";
import { sendTranscript } from "./transcriptResponse";

const windowBody = z.object({ state: z.enum(["open", "folded", "closed"]) });
const readBody = z.object({ lastMessageId: z.number().int().nonnegative() });
const typingBody = z.object({ typing: z.boolean() }).strict();
const API_PATH = "/livechat/api";

/** A message's text and client id when both are well formed; null leaves the refusal to the checks in order. */
function wellFormed(fields: unknown): { body: string; clientMessageId: string | null } | null {
  try {
    return { body: checkMessageBody(field(fields, "body")), clientMessageId: checkClientMessageId(field(fields, "clientMessageId")) };
  } catch {
    return null;
  }
}

/** A field of a JSON body that may be anything (undefined when it is not an object). */
function field(fields: unknown, name: string): unknown {
  return typeof fields === "object" && fields !== null ? (fields as Record<string, unknown>)[name] : undefined;
}

/** The operators' JSON API (docs/api.md): behind login and CSRF; operators see their conversations, managers all. */
export function operatorApi(host: HostContract, services: ConversationServices): void {
  const { inbox, messages, lifecycle, windows, queue } = services;
  const api = Router();
  api.use(host.auth.requireGroup(OPERATOR_GROUP));
  const me = (req: Request) => host.auth.currentUser(req) as HostUser;
  const conversationFor = async (idParam: unknown, user: HostUser) => {
    const id = parseId(idParam);
    if (id === null) throw new NotFoundError("No such conversation for you.");
    return inbox.conversation(id, user);
  };
  const conversationOf = (req: Request) => conversationFor(req.params.id, me(req));

  api.get(
    "/conversations",
    asyncRoute(async (req, res) => {
      const state = req.query.state ?? "all";
      if (state !== "open" && state !== "closed" && state !== "all") throw new InvalidInputError("state is open, closed or all.");
      const query = pageQuery(req.query);
      const user = me(req);
      const page = await inbox.list(user, state, query);
      const channels = new Map<number, OperatorConversationListDto["channels"][number]>();
      for (const c of page.items) {
        const group = channels.get(c.channel.id) ?? { id: c.channel.id, name: c.channel.name, conversations: [] };
        group.conversations.push(c);
        channels.set(c.channel.id, group);
      }
      const answer: OperatorConversationListDto = {
        channels: [...channels.values()].sort((a, b) => a.name.localeCompare(b.name)),
        // The queue comes with the first page only: later pages continue the operator's own list.
        waiting: query.cursor ? [] : await inbox.waiting(user, query.search),
        unreadConversations: await inbox.unreadConversationCount(user.id),
        next: page.next,
      };
      res.json(answer);
    }),
  );

  api.post(
    "/conversations/:id/take",
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.id);
      if (id === null) throw new NotFoundError("No such conversation for you.");
      const conversation = await inbox.toTake(id, me(req));
      await queue.take(conversation.id, me(req).id);
      const [view] = await inbox.views([await inbox.conversation(conversation.id, me(req))], me(req));
      res.json({ conversation: view });
    }),
  );

  api.get(
    "/conversations/:id",
    asyncRoute(async (req, res) => {
      const conversation = await conversationOf(req);
      const [view] = await inbox.views([conversation], me(req));
      const detail: OperatorConversationDetailDto = {
        conversation: view,
        messages: withSystemText(await messages.list(conversation.id), "operator", (text, vars) => host.i18n.t(me(req).langCode, text, vars)),
        answers: await inbox.answers(conversation.id),
        rating: await services.ratings.of(conversation.id),
        visitor: await services.visitorPanel.of(conversation, me(req)),
        endedBy: await services.visitorPanel.endedBy(conversation),
      };
      res.json(detail);
    }),
  );

  api.get(
    "/conversations/:id/transcript",
    asyncRoute(async (req, res) => {
      const conversation = await conversationOf(req);
      const [view] = await inbox.views([conversation], me(req));
      await sendTranscript(res, host, messages, conversation, view.channel.name, me(req).langCode);
    }),
  );

  /**
   * A post an operator makes many times a minute: on this router, and over the page's bus socket
   * (the contract's `userSocketPost`), answered alike.
   */
  const socketWrite = (path: string, handle: (req: UserSocketRequest) => Promise<LeanAnswer>) => {
    api.post(path, answeringRoute((req, params) => handle({ params, user: me(req), body: req.body })));
    host.userSocketPost({ path: `${API_PATH}${path}`, group: OPERATOR_GROUP, handle });
  };

  // A message, stored once per client id: 201 when created, 200 for a retry of one already stored.
  socketWrite("/conversations/:id/messages", async ({ params, user, body: fields }) => {
    // In a conversation of the operator's own, one grouped write; anything else is answered below.
    const id = parseId(params.id);
    const checked = id === null ? null : wellFormed(fields);
    const fast = id !== null && checked ? await services.operatorMessages.post(id, user, checked.body, checked.clientMessageId) : null;
    if (fast) return { status: 201, body: { message: fast.message } };
    const conversation = await conversationFor(params.id, user);
    inbox.requireOwner(conversation, user, "Only the operator of this conversation can answer it.");
    const body = checkMessageBody(field(fields, "body"));
    const clientMessageId = checkClientMessageId(field(fields, "clientMessageId"));
    const result = await messages.post(conversation, { kind: "operator", userId: user.id }, body, clientMessageId);
    return { status: result.created ? 201 : 200, body: { message: result.message } };
  });

  // "The operator is typing", to the visitor: a bus signal, never stored (see the visitor API's).
  socketWrite("/conversations/:id/typing", async ({ params, user, body }) => {
    const conversation = await conversationFor(params.id, user);
    const parsed = typingBody.safeParse(body ?? {});
    if (!parsed.success) throw new InvalidInputError("typing must be true or false.");
    return { status: 200, body: { delivered: await services.typing.fromOperator(conversation, user, parsed.data.typing) } };
  });

  // Read up to a message: sent as each message shows in an open window, so it takes the socket too.
  socketWrite("/conversations/:id/read", async ({ params, user, body }) => {
    const conversation = await conversationFor(params.id, user);
    const parsed = readBody.safeParse(body ?? {});
    if (!parsed.success) throw new InvalidInputError("lastMessageId must be a message id.");
    await inbox.markRead(conversation, user.id, parsed.data.lastMessageId);
    return { status: 200, body: { unread: 0, unreadConversations: await inbox.unreadConversationCount(user.id) } };
  });

  api.post(
    "/conversations/:id/end",
    asyncRoute(async (req, res) => {
      const conversation = await conversationOf(req);
      inbox.requireOwner(conversation, me(req), "Only the operator of this conversation can end it.");
      res.json({ conversation: await lifecycle.end(conversation, "operator", me(req)) });
    }),
  );

  api.get(
    "/windows",
    asyncRoute(async (req, res) => {
      res.json({ windows: await windows.list(me(req).id) });
    }),
  );

  api.post(
    "/windows/:id",
    asyncRoute(async (req, res) => {
      const conversation = await conversationOf(req);
      const parsed = windowBody.safeParse(req.body ?? {});
      if (!parsed.success) throw new InvalidInputError('state is "open", "folded" or "closed".');
      await windows.set(me(req).id, conversation.id, parsed.data.state);
      res.json({ windows: await windows.list(me(req).id) });
    }),
  );

  // Something new in a conversation whose window was closed: it shows again as it was, on every tab.
  api.post(
    "/windows/:id/reopen",
    asyncRoute(async (req, res) => {
      const conversation = await conversationOf(req);
      res.json({ windows: await windows.reopen(me(req).id, conversation.id) });
    }),
  );

  host.router.use(API_PATH, api);
}
