/** Asks for a conversation's window (the Messages menu does); on Discuss, the page shows it instead. */
export const OPEN_WINDOW_EVENT = "livechat:open-window";

declare global {
  interface DocumentEventMap {
    [OPEN_WINDOW_EVENT]: CustomEvent<{ conversationId: number }>;
  }
}

export function openWindowEvent(conversationId: number): CustomEvent<{ conversationId: number }> {
  return new CustomEvent(OPEN_WINDOW_EVENT, { detail: { conversationId } });
}
