import type { MessageDto } from "./dto";

/** What a transcript says around the messages, in the reader's language. */
export interface TranscriptWords {
  title: string;
  /** A date and time as the reader writes them. */
  time(iso: string): string;
}

/**
 * A conversation as plain text, one line per message: time, author, text. Plain text cannot carry
 * markup, so nothing a visitor typed can run when the file is opened.
 */
export function transcriptText(messages: MessageDto[], words: TranscriptWords): string {
  const lines = [words.title, ""];
  for (const message of messages) {
    const body = message.body.replace(/\r\n?/g, "\n").replace(/\n/g, "\n    ");
    lines.push(message.author.kind === "system" ? `[${words.time(message.createdAt)}] — ${body}` : `[${words.time(message.createdAt)}] ${message.author.name}: ${body}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Every message of a conversation, in order, page by page. */
export async function allMessages(list: (after: number, limit: number) => Promise<MessageDto[]>): Promise<MessageDto[]> {
  const all: MessageDto[] = [];
  for (;;) {
    const page = await list(all.length ? all[all.length - 1].id : 0, 500);
    all.push(...page);
    if (page.length < 500) return all;
  }
}
