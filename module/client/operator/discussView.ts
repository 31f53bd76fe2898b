import type { OperatorConversationDto } from "../../services/conversations/dto";
import { isUnassigned } from "./recentConversations";

/** The tag beside a conversation in Discuss's list: ended, or waiting for an operator. */
export function conversationTag(c: Pick<OperatorConversationDto, "state">): { text: string; waiting: boolean } | null {
  if (c.state === "closed") return { text: "ended", waiting: false };
  if (isUnassigned(c)) return { text: "waiting", waiting: true };
  return null;
}

/** The line under the visitor's name: channel, operator, language and when it started. */
export function conversationDetails(c: OperatorConversationDto, startedAt: string): string {
  const details = [c.channel.name];
  if (c.operator) details.push(`with ${c.operator.name}`);
  if (c.visitorLang) details.push(c.visitorLang);
  details.push(`started ${startedAt}`);
  return details.join(" · ");
}

/** What Discuss says of a conversation not assigned yet: the operator reads, and answers once assigned. */
export function waitingNotice(c: Pick<OperatorConversationDto, "state" | "queuePosition">): string {
  if (c.state === "bot") return "The visitor is talking with the chatbot.";
  const place = c.queuePosition ? ` (number ${c.queuePosition})` : "";
  return `This visitor is waiting in the queue${place}: the conversation opens in a chat window when it is assigned.`;
}
