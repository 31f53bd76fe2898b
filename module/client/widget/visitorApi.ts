import type { ChannelInfoDto, ConversationDto, MessageDto, StartedConversationDto } from "../../services/conversations/dto";
import { requestJson } from "../shared/http";

/** The helpdesk's public visitor API (docs/api.md), called from any website. */
export class VisitorApi {
  /** The conversation's bearer token, once started. */
  token: string | null = null;

  constructor(private readonly origin: string) {}

  channelInfo(channelId: number): Promise<ChannelInfoDto> {
    return this.call("GET", `/livechat/channels/${channelId}/info`);
  }

  start(channelId: number, visitorKey: string | null): Promise<StartedConversationDto> {
    return this.call("POST", `/livechat/channels/${channelId}/conversations`, visitorKey ? { visitorKey } : {});
  }

  conversation(id: number): Promise<{ conversation: ConversationDto }> {
    return this.call("GET", `/livechat/conversations/${id}`);
  }

  messages(id: number, after: number): Promise<{ messages: MessageDto[] }> {
    return this.call("GET", `/livechat/conversations/${id}/messages?after=${after}`);
  }

  post(id: number, body: string, clientMessageId: string): Promise<{ message: MessageDto }> {
    return this.call("POST", `/livechat/conversations/${id}/messages`, { body, clientMessageId });
  }

  end(id: number): Promise<{ conversation: ConversationDto }> {
    return this.call("POST", `/livechat/conversations/${id}/end`);
  }

  /** Tells the helpdesk the visitor is still here, so an abandoned chat can be closed later. */
  ping(id: number): Promise<unknown> {
    return this.call("POST", `/livechat/conversations/${id}/ping`);
  }

  private call<T>(method: "GET" | "POST", path: string, body?: object): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // credentials "omit": even on the helpdesk's own origin, the visitor is the token, never a session.
    return requestJson<T>(
      this.origin + path,
      { method, headers, credentials: "omit", body: body === undefined ? undefined : JSON.stringify(body) },
      "Something went wrong",
    );
  }
}
