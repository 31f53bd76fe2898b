import type { Response } from "express";
import { lt, type HostContract } from "../../host/contract";
import type { Conversation } from "../models/Conversation";
import type { ConversationMessages } from "../services/conversations/ConversationMessages";
import { allMessages, transcriptText } from "../services/conversations/transcript";

/** Sends a conversation's transcript as a plain-text download, written in `lang`. */
export async function sendTranscript(res: Response, host: HostContract, messages: ConversationMessages, conversation: Conversation, channelName: string, lang: string): Promise<void> {
  const list = await allMessages((after, limit) => messages.list(conversation.id, after, limit));
  const text = transcriptText(list, {
    title: host.i18n.t(lang, lt("Live chat with {visitor} on {channel}, {date}"), {
      visitor: conversation.visitorName,
      channel: channelName,
      date: host.i18n.formatDate(lang, conversation.createdAt, "date"),
    }),
    time: (iso) => host.i18n.formatDate(lang, new Date(iso), "datetime"),
  });
  res.type("text/plain; charset=utf-8").attachment(`livechat-${conversation.id}.txt`).send(text);
}
