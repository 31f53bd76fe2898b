import type { CannedSuggestion } from "../../services/CannedResponses";

/** The `:word` being typed at the caret: where it starts (the colon) and the letters after it. */
export interface CannedQuery {
  start: number;
  query: string;
}

export const MAX_SUGGESTIONS = 8;

/** A `:` at the start of the text or after a space, followed by shortcut letters up to the caret. */
export function cannedQueryAt(text: string, caret: number): CannedQuery | null {
  const match = /(^|\s):([\p{L}\p{N}_-]*)$/u.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: match.index + match[1].length, query: match[2].toLocaleLowerCase() };
}

/** Responses whose shortcut starts with the query first, then those that contain it; at most MAX_SUGGESTIONS. */
export function matchingResponses(responses: CannedSuggestion[], query: string): CannedSuggestion[] {
  const starts = responses.filter((r) => r.shortcut.startsWith(query));
  const contains = responses.filter((r) => !r.shortcut.startsWith(query) && r.shortcut.includes(query));
  return [...starts, ...contains].slice(0, MAX_SUGGESTIONS);
}

/** The text with the `:query` replaced by the chosen response, and where the caret goes (after it). */
export function insertResponse(text: string, caret: number, at: CannedQuery, response: CannedSuggestion): { text: string; caret: number } {
  const before = text.slice(0, at.start) + response.text;
  return { text: before + text.slice(caret), caret: before.length };
}
