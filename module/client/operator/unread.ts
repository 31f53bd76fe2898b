import type { MessageDto } from "../../services/conversations/dto";

/**
 * Whether a new message adds to a conversation's unread count: one from the visitor or the bot
 * (the operator's own and system lines never count) that arrives while the operator does not see it.
 */
export function countsAsUnread(message: MessageDto, seen: boolean): boolean {
  const kind = message.author.kind;
  return kind !== "operator" && kind !== "system" && !seen;
}

/** The read mark to send the server, or null when everything shown is already marked read. */
export function readMarkToSend(readUpTo: number, lastShownId: number): number | null {
  return lastShownId > 0 && readUpTo < lastShownId ? lastShownId : null;
}
