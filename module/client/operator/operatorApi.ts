import type {
  ChatWindowDto,
  ConversationDto,
  MessageDto,
  OperatorConversationDetailDto,
  OperatorConversationListDto,
} from "../../services/conversations/dto";
import { requestJson } from "../shared/http";

export type WindowState = ChatWindowDto["state"];

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** A call to the operators' JSON API (docs/api.md): the session's cookie, and the CSRF token on posts. */
function call<T>(path: string, body?: object): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const init: RequestInit = { credentials: "same-origin", headers };
  if (body !== undefined) {
    init.method = "POST";
    headers["Content-Type"] = "application/json";
    headers["x-csrf-token"] = csrfToken();
    init.body = JSON.stringify(body);
  }
  return requestJson<T>(`/livechat/api${path}`, init, "The request failed");
}

export const operatorApi = {
  conversations: () => call<OperatorConversationListDto>("/conversations"),
  conversation: (id: number) => call<OperatorConversationDetailDto>(`/conversations/${id}`),
  post: (id: number, body: string, clientMessageId: string) => call<{ message: MessageDto }>(`/conversations/${id}/messages`, { body, clientMessageId }),
  markRead: (id: number, lastMessageId: number) => call<{ unread: number; unreadConversations: number }>(`/conversations/${id}/read`, { lastMessageId }),
  end: (id: number) => call<{ conversation: ConversationDto }>(`/conversations/${id}/end`, {}),
  windows: () => call<{ windows: ChatWindowDto[] }>("/windows"),
  setWindow: (id: number, state: WindowState | "closed") => call<{ windows: ChatWindowDto[] }>(`/windows/${id}`, { state }),
};
