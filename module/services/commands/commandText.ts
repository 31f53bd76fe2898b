/** A composer text that calls a command: `/name`, then, after white space, its arguments. */
const COMMAND = /^\/([a-z0-9_-]+)(?:\s+([\s\S]*))?$/;

/**
 * The command a composer text calls and its arguments (trimmed); null when the text is a message.
 * The composer in the browser and the server read a text the same way.
 */
export function parseCommand(text: string): { name: string; args: string } | null {
  const match = COMMAND.exec(text.trim());
  return match ? { name: match[1], args: (match[2] ?? "").trim() } : null;
}
