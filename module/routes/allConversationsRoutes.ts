import { InvalidInputError, lt, parseId, type HostContract, type HostUser } from "../../host/contract";
import { MANAGER_GROUP } from "../api";
import type { ConversationState } from "../models/Conversation";
import type { ChannelService } from "../services/ChannelService";
import type { AllConversationsFilter, OperatorInbox } from "../services/conversations/OperatorInbox";
import type { ExpertiseService } from "../services/ExpertiseService";
import { pageQuery } from "../services/conversations/conversationPaging";
import { asyncRoute } from "./asyncRoute";

const STATES: ConversationState[] = ["bot", "waiting", "open", "closed"];

/** An optional id from the query string: empty means any; anything else must be an id. */
function optionalId(value: unknown): number | null {
  if (value === undefined || value === "") return null;
  const id = parseId(value);
  if (id === null) throw new InvalidInputError(lt("The filter is not one of the choices."));
  return id;
}

function filterOf(query: Record<string, unknown>): AllConversationsFilter {
  const state = query.state;
  if (state !== undefined && state !== "" && !STATES.includes(state as ConversationState)) {
    throw new InvalidInputError(lt("The filter is not one of the choices."));
  }
  return {
    channelId: optionalId(query.channel),
    operatorId: query.operator === "none" ? "none" : optionalId(query.operator),
    state: state ? (state as ConversationState) : null,
  };
}

/**
 * Live Chat → All Conversations (managers): every conversation, filtered by channel, operator and
 * state, searched by visitor name or message text, newest activity first, a page at a time (keyset:
 * "Older conversations" carries the last row's cursor), each opening in Discuss. Reading it changes
 * nobody's unread count.
 */
export function allConversationsRoutes(host: HostContract, inbox: OperatorInbox, channels: ChannelService, expertise: ExpertiseService): void {
  host.router.get(
    "/livechat/conversations",
    host.auth.requireGroup(MANAGER_GROUP),
    asyncRoute(async (req, res) => {
      const t = await host.i18n.forRequest(req);
      const user = host.auth.currentUser(req) as HostUser;
      const query = req.query as Record<string, unknown>;
      const filter = filterOf(query);
      const page = pageQuery(query);
      const [rows, channelList, operators] = await Promise.all([inbox.all(user, filter, page), channels.records(), expertise.operators()]);
      // The next page keeps the filters and the search; only the cursor moves.
      const pageLink = (cursor: string | null) => {
        const params = new URLSearchParams();
        for (const name of ["channel", "operator", "state", "search"]) {
          const value = query[name];
          if (typeof value === "string" && value) params.set(name, value);
        }
        if (cursor) params.set("cursor", cursor);
        const text = params.toString();
        return `/livechat/conversations${text ? `?${text}` : ""}`;
      };
      const stateLabel: Record<ConversationState, string> = {
        bot: t("With the chatbot"),
        waiting: t("Waiting"),
        open: t("Open"),
        closed: t("Ended"),
      };
      res.type("html").send(
        await host.views.render(req, "livechat/all_conversations", {
          title: t("All Conversations"),
          channels: channelList.map((c) => ({ id: c.id, name: c.name, selected: c.id === filter.channelId })),
          operators: operators.map((u) => ({ id: u.id, name: u.name, selected: u.id === filter.operatorId })),
          nobodySelected: filter.operatorId === "none",
          search: page.search ?? "",
          olderLink: rows.next ? pageLink(rows.next) : null,
          newestLink: page.cursor ? pageLink(null) : null,
          states: STATES.map((s) => ({ value: s, label: stateLabel[s], selected: s === filter.state })),
          conversations: rows.items.map((c) => ({
            id: c.id,
            visitorName: c.visitorName,
            channel: c.channel.name,
            operator: c.operator?.name ?? "",
            state: stateLabel[c.state],
            createdAt: c.createdAt,
            lastActivityAt: c.lastActivityAt,
            lastMessage: c.lastMessage?.body ?? "",
          })),
        }),
      );
    }),
  );
}
