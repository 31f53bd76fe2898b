/** Enter sends, Shift+Enter (or Enter while an input method composes) adds a line. */
export function isSendKey(event: KeyboardEvent): boolean {
  return event.key === "Enter" && !event.shiftKey && !event.isComposing;
}

/** Grows a textarea with its text, up to `maxPx`. */
export function growWithText(input: HTMLTextAreaElement, maxPx: number): void {
  input.style.height = "auto";
  input.style.height = Math.min(input.scrollHeight + 2, maxPx) + "px";
}
