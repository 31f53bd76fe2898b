import type {
  ChatWindowDto,
  ConversationDto,
  MessageDto,
  OperatorConversationDetailDto,
  OperatorConversationDto,
  OperatorConversationListDto,
} from "../../services/conversations/dto";
import type { CannedSuggestion } from "../../services/CannedResponses";
import type { TransferChoices, TransferOutcome, TransferTarget } from "../../services/transfer/TransferService";
import { requestJson, socketAnswerBody } from "../shared/http";
import { t } from "../shared/i18n";
import type { CannedSource } from "./cannedSuggestions";
import type { ListRequest } from "./conversationPages";

export type WindowState = ChatWindowDto["state"];

const API_PATH = "/livechat/api";

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
  return requestJson<T>(`${API_PATH}${path}`, init, t("The request failed"));
}

/**
 * A post the operator makes many times a minute (a message, "is typing", read up to a message): over
 * the page's open bus socket when there is one, without an HTTP request each, else over HTTP;
 * answered alike.
 */
async function send<T>(path: string, body: object): Promise<T> {
  const sent = window.hostBus?.post(`${API_PATH}${path}`, body);
  if (!sent) return call<T>(path, body);
  return socketAnswerBody<T>(sent, t("The request failed"));
}

/** Canned responses for one conversation's composer. */
export function cannedSource(conversationId: number): CannedSource {
  return {
    load: () => operatorApi.cannedResponses(conversationId),
    used: (responseId) => void operatorApi.usedCannedResponse(responseId).catch(() => undefined),
  };
}

export const operatorApi = {
  /** The operator's conversations (a page of them, matching `search`) and the visitors waiting in their channels. */
  conversations: (request: Partial<ListRequest> = {}) => {
    const query = new URLSearchParams();
    if (request.search) query.set("search", request.search);
    if (request.limit) query.set("limit", String(request.limit));
    if (request.cursor) query.set("cursor", request.cursor);
    const text = query.toString();
    return call<OperatorConversationListDto>(`/conversations${text ? `?${text}` : ""}`);
  },
  conversation: (id: number) => call<OperatorConversationDetailDto>(`/conversations/${id}`),
  post: (id: number, body: string, clientMessageId: string) => send<{ message: MessageDto }>(`/conversations/${id}/messages`, { body, clientMessageId }),
  typing: (id: number, typing: boolean) => send<{ delivered: boolean }>(`/conversations/${id}/typing`, { typing }),
  markRead: (id: number, lastMessageId: number) => send<{ unread: number; unreadConversations: number }>(`/conversations/${id}/read`, { lastMessageId }),
  take: (id: number) => call<{ conversation: OperatorConversationDto }>(`/conversations/${id}/take`, {}),
  transferChoices: (id: number) => call<TransferChoices>(`/conversations/${id}/transfer`),
  transfer: (id: number, target: TransferTarget) => call<{ transfer: TransferOutcome }>(`/conversations/${id}/transfer`, target).then((r) => r.transfer),
  end: (id: number) => call<{ conversation: ConversationDto }>(`/conversations/${id}/end`, {}),
  cannedResponses: (id: number) => call<{ responses: CannedSuggestion[] }>(`/conversations/${id}/canned-responses`).then((r) => r.responses),
  usedCannedResponse: (responseId: number) => call<Record<string, never>>(`/canned-responses/${responseId}/use`, {}),
  command: (id: number, text: string) => call<{ notice: string }>(`/conversations/${id}/commands`, { text }).then((r) => r.notice),
  windows: () => call<{ windows: ChatWindowDto[] }>("/windows"),
  reopenWindow: (id: number) => call<{ windows: ChatWindowDto[] }>(`/windows/${id}/reopen`, {}),
  setWindow: (id: number, state: WindowState | "closed") => call<{ windows: ChatWindowDto[] }>(`/windows/${id}`, { state }),
};
