// System lines ("Marc joined the conversation") are stored with a key and parameters besides their
// English text, so that each reader sees them in their own language and from their own side: the
// visitor reads "You ended the conversation", the operator "The visitor ended the conversation".
// Pure: the server renders with the reader's language, the browser code with its served catalog.

/** What a system line says. */
export type SystemKey = "operator_joined" | "operator_left" | "visitor_ended" | "visitor_left" | "queued" | "transferred" | "transferred_to_channel";

export const SYSTEM_KEYS: readonly SystemKey[] = [
  "operator_joined",
  "operator_left",
  "visitor_ended",
  "visitor_left",
  "queued",
  "transferred",
  "transferred_to_channel",
];

/** A system line's key and the values of its placeholders (an operator's Online Chat Name, a channel's name). */
export interface SystemLine {
  key: SystemKey;
  params: Record<string, string>;
}

/** Who reads the line. */
export type SystemReader = "visitor" | "operator";

/** A translation function: English text and placeholder values in, the reader's text out. */
export type Translator = (text: string, vars?: Record<string, string>) => string;

export function isSystemKey(key: unknown): key is SystemKey {
  return typeof key === "string" && (SYSTEM_KEYS as readonly string[]).includes(key);
}

/** The line as `reader` reads it, translated by `t`. */
export function systemLineText(line: SystemLine, reader: SystemReader, t: Translator): string {
  const name = line.params.name ?? "";
  switch (line.key) {
    case "operator_joined":
      return t("{name} joined the conversation.", { name });
    case "operator_left":
      return t("{name} left the conversation.", { name });
    case "visitor_ended":
      return reader === "visitor" ? t("You ended the conversation.") : t("The visitor ended the conversation.");
    case "visitor_left":
      return reader === "visitor" ? t("The conversation was closed while you were away.") : t("The visitor left the conversation.");
    case "transferred":
      return t("{name} transferred the conversation to {to}.", { name, to: line.params.to ?? "" });
    case "transferred_to_channel":
      return t("{name} transferred the conversation to the channel {channel}.", { name, channel: line.params.channel ?? "" });
    case "queued":
      return reader === "visitor"
        ? t("No operator is available right now. You are in the queue: an operator will answer as soon as possible.")
        : t("No operator was available: the visitor was put in the queue.");
  }
}

/** The English text stored with the line, for readers that do not translate (integrators, exports). */
export function systemLineBody(line: SystemLine): string {
  return systemLineText(line, "operator", (text, vars = {}) => text.replace(/\{(\w+)\}/g, (whole, k: string) => vars[k] ?? whole));
}

/** Messages as an API answers them to `reader`: system lines' text in the reader's language and from their side. */
export function withSystemText<M extends { body: string; system?: SystemLine }>(messages: M[], reader: SystemReader, t: Translator): M[] {
  return messages.map((message) => (message.system ? { ...message, body: systemLineText(message.system, reader, t) } : message));
}
