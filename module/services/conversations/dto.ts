import type { ClosedReason, Conversation, ConversationState } from "../../models/Conversation";
import type { AuthorKind, Message } from "../../models/Message";
import type { QueuePlace } from "./queueOrder";
import { isSystemKey, type SystemLine } from "./systemLines";

/** A message as clients receive it. */
export interface MessageDto {
  id: number;
  conversationId: number;
  author: { kind: AuthorKind; name: string };
  body: string;
  createdAt: string;
  /** A system line's key and parameters, for clients to show it in their reader's language (`body` is English). */
  system?: SystemLine;
}

/** A conversation as its visitor sees it: the operator appears only by display name. */
export interface ConversationDto {
  id: number;
  channel: { id: number; name: string };
  state: ConversationState;
  operator: { name: string } | null;
  /** While waiting: the place in the channel's queue (1 is next)... */
  queuePosition: number | null;
  /** ...and the channel's queue version it was counted at (see the `livechat.queue` notification). */
  queueVersion: number | null;
  createdAt: string;
  closedAt: string | null;
  /** While a chatbot talks: its name, and the step waiting for the visitor (answer buttons for questions). */
  chatbot?: { name: string; step: { id: number; type: string; answers: { id: number; label: string }[] } | null } | null;
}

/** A conversation as operators see it in their lists and windows. */
export interface OperatorConversationDto extends ConversationDto {
  visitorName: string;
  visitorLang: string | null;
  operatorId: number | null;
  unread: number;
  lastMessage: MessageDto | null;
  /** When it started or last had a message: lists are ordered by it. */
  lastActivityAt: string;
}

/** A channel as the widget sees it before a conversation starts (`GET /livechat/channels/:id/info`). */
export interface ChannelInfoDto {
  id: number;
  name: string;
  buttonText: string;
  welcomeMessage: string;
  available: boolean;
  hasChatbot: boolean;
  /** The language the widget speaks and the conversation will have (a BCP 47 tag such as `fr-FR`). */
  lang: string;
}

/** The answer to a visitor's start: the conversation and the credentials the widget keeps. */
export interface StartedConversationDto {
  conversation: ConversationDto;
  token: string;
  visitorKey: string;
}

/** An operator's chat window; kept on the server, so it follows them across pages and tabs. */
export interface ChatWindowDto {
  conversationId: number;
  state: "open" | "folded";
}

/**
 * An operator's conversations grouped under their channel, the visitors waiting in the queues of the
 * channels they joined (longest waiting first), and how many of their own have unread messages
 * (`GET /livechat/api/conversations`).
 */
export interface OperatorConversationListDto {
  channels: { id: number; name: string; conversations: OperatorConversationDto[] }[];
  waiting: OperatorConversationDto[];
  unreadConversations: number;
  /** Pass it back as `cursor` for the next (older) page of the operator's conversations; null on the last page. */
  next: string | null;
}

/** What Discuss shows beside a conversation about its visitor. */
export interface VisitorPanelDto {
  name: string;
  lang: string | null;
  /** The page the chat started on, and the page that led there, when the widget told them. */
  startPage: string | null;
  referrer: string | null;
  /** The last email and phone number the visitor gave the chatbot. */
  email: string | null;
  phone: string | null;
  /** The visitor's other conversations (same visitor key) that the reader may open, newest first. */
  earlier: { id: number; state: ConversationState; channelName: string; operatorName: string | null; createdAt: string }[];
}

/** Who ended a conversation: the visitor, an operator (by name), the chatbot, or nobody (the visitor left). */
export interface EndedByDto {
  reason: ClosedReason;
  name: string | null;
}

/** One conversation for an operator, with its messages and what the visitor told the chatbot. */
export interface OperatorConversationDetailDto {
  conversation: OperatorConversationDto;
  messages: MessageDto[];
  answers: { question: string; value: string }[];
  /** The visitor's rating once the conversation ended and they gave one; operators cannot change it. */
  rating: { value: 5 | 3 | 1; comment: string | null; createdAt: string } | null;
  visitor: VisitorPanelDto;
  /** Once ended. */
  endedBy: EndedByDto | null;
}

export function messageDto(message: Message, authorName: string): MessageDto {
  const dto: MessageDto = {
    id: message.id,
    conversationId: message.conversationId,
    author: { kind: message.authorKind, name: authorName },
    body: message.body,
    createdAt: message.createdAt.toISOString(),
  };
  if (message.authorKind === "system" && isSystemKey(message.systemKey)) dto.system = { key: message.systemKey, params: systemParams(message.systemParams) };
  return dto;
}

function systemParams(json: string | null): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(json ?? "{}");
    if (typeof parsed !== "object" || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
  } catch {
    return {};
  }
}

/** `place`: where a waiting conversation stands (a bare position for operators' lists, which need no version). */
export function conversationDto(
  conversation: Conversation,
  channelName: string,
  operatorName: string | null,
  place: QueuePlace | number | null,
): ConversationDto {
  const known = conversation.state === "waiting" ? place : null;
  return {
    id: conversation.id,
    channel: { id: conversation.channelId, name: channelName },
    state: conversation.state,
    operator: operatorName === null ? null : { name: operatorName },
    queuePosition: known === null ? null : typeof known === "number" ? known : known.position,
    queueVersion: known === null || typeof known === "number" ? null : known.version,
    createdAt: conversation.createdAt.toISOString(),
    closedAt: conversation.closedAt ? conversation.closedAt.toISOString() : null,
  };
}
