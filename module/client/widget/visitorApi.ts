import type { ChannelInfoDto, ConversationDto, MessageDto, StartedConversationDto } from "../../services/conversations/dto";
import { t } from "../shared/i18n";
import type { BusConnection } from "../shared/hostBus";
import { RequestError, requestJson, socketAnswerBody } from "../shared/http";

/** The helpdesk's public visitor API (docs/api.md), called from any website. */
export class VisitorApi {
  /** The conversation's bearer token, once started. */
  token: string | null = null;
  /** The language the widget speaks (a BCP 47 tag): the helpdesk answers errors in it too. */
  lang: string | null = null;
  /** The conversation's bus connection: messages go over it while it is open. */
  socket: BusConnection | null = null;

  constructor(private readonly origin: string) {}

  /** The channel, and the language to speak: `lang` if the helpdesk has it enabled, else the browser's best match. */
  channelInfo(channelId: number, lang: string | null): Promise<ChannelInfoDto> {
    return this.call("GET", `/livechat/channels/${channelId}/info${lang ? `?lang=${encodeURIComponent(lang)}` : ""}`);
  }

  start(channelId: number, visitorKey: string | null): Promise<StartedConversationDto> {
    const body: { visitorKey?: string; lang?: string; pageUrl?: string; referrer?: string } = {};
    if (visitorKey) body.visitorKey = visitorKey;
    if (this.lang) body.lang = this.lang;
    // Where the chat starts and what led there, for the operator's visitor panel (the API keeps 2048 characters).
    if (/^https?:/.test(location.href)) body.pageUrl = location.href.slice(0, 2048);
    if (/^https?:/.test(document.referrer)) body.referrer = document.referrer.slice(0, 2048);
    return this.call("POST", `/livechat/channels/${channelId}/conversations`, body);
  }

  conversation(id: number): Promise<{ conversation: ConversationDto }> {
    return this.call("GET", `/livechat/conversations/${id}`);
  }

  messages(id: number, after: number): Promise<{ messages: MessageDto[] }> {
    return this.call("GET", `/livechat/conversations/${id}/messages?after=${after}`);
  }

  post(id: number, body: string, clientMessageId: string): Promise<{ message: MessageDto }> {
    return this.send(`/livechat/conversations/${id}/messages`, { body, clientMessageId });
  }

  /** The visitor is typing (true) or stopped (false): the operator is told, nothing is stored. */
  typing(id: number, typing: boolean): Promise<{ delivered: boolean }> {
    return this.send(`/livechat/conversations/${id}/typing`, { typing });
  }

  end(id: number): Promise<{ conversation: ConversationDto }> {
    return this.call("POST", `/livechat/conversations/${id}/end`);
  }

  rate(id: number, value: 5 | 3 | 1, comment: string): Promise<unknown> {
    return this.call("POST", `/livechat/conversations/${id}/rating`, comment.trim() ? { value, comment } : { value });
  }

  /** The whole conversation as plain text. */
  async transcript(id: number): Promise<string> {
    const res = await fetch(`${this.origin}/livechat/conversations/${id}/transcript`, {
      headers: { Authorization: `Bearer ${this.token ?? ""}`, ...(this.lang ? { "Accept-Language": this.lang } : {}) },
      credentials: "omit",
    });
    if (!res.ok) throw new RequestError(t("Something went wrong"), res.status);
    return res.text();
  }

  /** Tells the helpdesk the visitor is still here, so an abandoned chat can be closed later. */
  ping(id: number): Promise<unknown> {
    return this.call("POST", `/livechat/conversations/${id}/ping`);
  }

  /** A POST over the open socket when there is one (no HTTP request each), else over HTTP: answered alike. */
  private async send<T>(path: string, body: object): Promise<T> {
    const sent = this.socket?.post(path, body, this.lang ?? undefined);
    if (!sent) return this.call("POST", path, body);
    return socketAnswerBody<T>(sent, t("Something went wrong"));
  }

  private call<T>(method: "GET" | "POST", path: string, body?: object): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (this.lang) headers["Accept-Language"] = this.lang;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // credentials "omit": even on the helpdesk's own origin, the visitor is the token, never a session.
    return requestJson<T>(
      this.origin + path,
      { method, headers, credentials: "omit", body: body === undefined ? undefined : JSON.stringify(body) },
      t("Something went wrong"),
    );
  }
}
