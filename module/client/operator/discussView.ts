import type { EndedByDto, OperatorConversationDto } from "../../services/conversations/dto";
import { t } from "../shared/i18n";
import { isUnassigned } from "./recentConversations";
import { languageName } from "./visitorPanel";

/** The tag beside a conversation in Discuss's list: ended, or waiting for an operator. */
export function conversationTag(c: Pick<OperatorConversationDto, "state">): { text: string; waiting: boolean } | null {
  if (c.state === "closed") return { text: t("ended"), waiting: false };
  if (isUnassigned(c)) return { text: t("waiting"), waiting: true };
  return null;
}

/** The line under the visitor's name: channel, operator, language and when it started. */
export function conversationDetails(c: OperatorConversationDto, startedAt: string): string {
  const details = [c.channel.name];
  if (c.operator) details.push(t("with {name}", { name: c.operator.name }));
  if (c.visitorLang) details.push(languageName(c.visitorLang));
  details.push(t("started {time}", { time: startedAt }));
  return details.join(" · ");
}

/** What Discuss says of a conversation not assigned yet: the operator reads, and answers once assigned. */
export function waitingNotice(c: Pick<OperatorConversationDto, "state" | "queuePosition">): string {
  if (c.state === "bot") return t("The visitor is talking with the chatbot.");
  if (c.queuePosition) {
    return t("This visitor is waiting in the queue (number {position}): the conversation opens in a chat window when it is assigned.", { position: c.queuePosition });
  }
  return t("This visitor is waiting in the queue: the conversation opens in a chat window when it is assigned.");
}

/** The line under an ended conversation: who ended it, when known. */
export function endedText(endedBy: EndedByDto | null): string {
  if (!endedBy) return t("This conversation has ended.");
  if (endedBy.reason === "visitor") return t("The visitor ended this conversation.");
  if (endedBy.reason === "chatbot") return t("The chatbot ended this conversation.");
  if (endedBy.reason === "inactivity") return t("This conversation ended: the visitor left.");
  return endedBy.name ? t("{name} ended this conversation.", { name: endedBy.name }) : t("This conversation has ended.");
}
