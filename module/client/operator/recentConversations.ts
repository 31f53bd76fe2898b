import type { OperatorConversationDto, OperatorConversationListDto } from "../../services/conversations/dto";
import { t } from "../shared/i18n";
import { messageText } from "../shared/messageText";

/** How many conversations the Messages menu lists. */
export const RECENT_LIMIT = 12;

/** The Messages menu's conversations: unread first, then the most recent activity. */
export function recentConversations(list: OperatorConversationListDto, limit = RECENT_LIMIT): OperatorConversationDto[] {
  const all = list.channels.flatMap((c) => c.conversations);
  all.sort((a, b) => {
    if (!a.unread !== !b.unread) return a.unread ? -1 : 1;
    return (b.lastMessage?.id ?? 0) - (a.lastMessage?.id ?? 0) || b.id - a.id;
  });
  return all.slice(0, limit);
}

/** The Messages button's accessible name and tooltip for a number of unread conversations. */
export function messagesButtonText(unreadConversations: number): { label: string; title: string } {
  const n = unreadConversations;
  if (!n) return { label: t("Messages"), title: t("Messages") };
  return { label: t("Messages, {count} unread", { count: n }), title: t("{count} conversations with unread messages", { count: n }) };
}

/** The line under a conversation's name: its last message (with its author unless the visitor's), or its channel. */
export function conversationPreview(c: OperatorConversationDto): string {
  const last = c.lastMessage;
  if (!last) return c.channel.name;
  const kind = last.author.kind;
  return (kind === "visitor" || kind === "system" ? "" : `${last.author.name}: `) + messageText(last, "operator");
}

/** Not assigned yet (a visitor in the queue or with the chatbot): nothing to answer in a window. */
export function isUnassigned(c: { state: OperatorConversationDto["state"] }): boolean {
  return c.state === "waiting" || c.state === "bot";
}
