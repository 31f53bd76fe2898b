import type { ChannelInfoDto, ConversationDto, MessageDto } from "../../services/conversations/dto";
import { t } from "../shared/i18n";

/** What the widget's header shows. `avatarName` null: a chat bubble instead of initials. */
export interface HeaderView {
  title: string;
  subtitle: string;
  avatarName: string | null;
}

/** Everything the widget shows about a conversation besides its messages. */
export interface ConversationView extends HeaderView {
  /** The notice under the header (the queue, the end); empty for none. */
  status: string;
  ended: boolean;
  /** The chatbot's answer buttons, when it asked a question. */
  answers: string[];
  placeholder: string;
}

/** The composer's hint when the chatbot asks for nothing in particular. */
export function defaultPlaceholder(): string {
  return t("Type your message…");
}

export function queueStatus(position: number | null): string {
  if (position === null) return t("No operator is available right now. Leave a message and we will answer as soon as possible.");
  return t("No operator is available right now. You are number {position} in the queue; leave a message and we will answer as soon as possible.", { position });
}

export function conversationView(conversation: ConversationDto): ConversationView {
  const ended = conversation.state === "closed";
  const waiting = conversation.state === "waiting";
  const bot = conversation.chatbot ?? null;
  const operator = conversation.operator;
  const title = operator ? operator.name : bot ? bot.name : conversation.channel.name;
  const step = bot?.step ?? null;
  return {
    title,
    avatarName: operator || bot ? title : null,
    subtitle: ended ? t("Conversation ended") : waiting ? t("Waiting for an operator") : operator ? t("Online") : bot ? t("Virtual assistant") : "",
    status: waiting ? queueStatus(conversation.queuePosition) : ended ? t("The conversation has ended.") : "",
    ended,
    answers: !ended && step?.type === "question" ? step.answers.map((a) => a.label) : [],
    placeholder: step?.type === "email" ? t("name@example.com") : step?.type === "phone" ? t("Your phone number") : defaultPlaceholder(),
  };
}

/** Before the conversation starts: the channel's name and welcome message (defaults until known). */
export function introView(info: ChannelInfoDto | null): HeaderView & { greeting: string } {
  return {
    title: info ? info.name : t("Live chat"),
    subtitle: info ? (info.available ? t("We are online") : t("We will answer as soon as possible")) : "",
    avatarName: null,
    greeting: info?.welcomeMessage ?? "",
  };
}

/** Who a message is from, as the visitor reads it: "You" for their own; the bot's or the operator's initials for theirs. */
export function messageAuthor(message: MessageDto): { label: string; avatarName: string | null } {
  const kind = message.author.kind;
  return { label: kind === "visitor" ? t("You") : message.author.name, avatarName: kind === "bot" || kind === "operator" ? message.author.name : null };
}

/** The queue notice is stale once an operator took the conversation over: the widget drops it then. */
export function isStaleQueueNotice(message: MessageDto, conversation: ConversationDto | null): boolean {
  return message.system?.key === "queued" && conversation?.operator != null;
}

/** Whether a message counts on the launcher's badge: someone else's, while the window is closed. */
export function countsAsUnseen(message: MessageDto, windowOpen: boolean): boolean {
  return !windowOpen && message.author.kind !== "visitor";
}
