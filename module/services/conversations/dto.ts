import type { Conversation, ConversationState } from "../../models/Conversation";
import type { AuthorKind, Message } from "../../models/Message";

/** A message as clients receive it. */
export interface MessageDto {
  id: number;
  conversationId: number;
  author: { kind: AuthorKind; name: string };
  body: string;
  createdAt: string;
}

/** A conversation as its visitor sees it: the operator appears only by display name. */
export interface ConversationDto {
  id: number;
  channel: { id: number; name: string };
  state: ConversationState;
  operator: { name: string } | null;
  queuePosition: number | null;
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
}

export function messageDto(message: Message, authorName: string): MessageDto {
  return {
    id: message.id,
    conversationId: message.conversationId,
    author: { kind: message.authorKind, name: authorName },
    body: message.body,
    createdAt: message.createdAt.toISOString(),
  };
}

export function conversationDto(
  conversation: Conversation,
  channelName: string,
  operatorName: string | null,
  queuePosition: number | null,
): ConversationDto {
  return {
    id: conversation.id,
    channel: { id: conversation.channelId, name: channelName },
    state: conversation.state,
    operator: operatorName === null ? null : { name: operatorName },
    queuePosition: conversation.state === "waiting" ? queuePosition : null,
    createdAt: conversation.createdAt.toISOString(),
    closedAt: conversation.closedAt ? conversation.closedAt.toISOString() : null,
  };
}
