import { answered, busy } from "./http";

/** Tries a send at most this many times more when the network failed or the server was busy. */
const NETWORK_RETRIES = 3;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `send`, retrying after network failures with a growing pause (`pauseMs`, twice that, ...), and
 * after a busy server's 503 once the pause it asked for (`Retry-After`) has passed. Safe for messages
 * because each carries its client id: the server stores a message once.
 */
export async function withNetworkRetry<T>(send: () => Promise<T>, pauseMs: number, wait: (ms: number) => Promise<void> = sleep): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await send();
    } catch (err) {
      if ((answered(err) && !busy(err)) || tries >= NETWORK_RETRIES) throw err;
      await wait(Math.max(pauseMs * (tries + 1), busy(err) ? (err.retryAfterMs ?? 0) : 0));
    }
  }
}

/** A fresh id for a message, so that retries of it are recognised by the server. */
export function newClientMessageId(): string {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return "m" + Date.now().toString(36) + Math.random().toString(36).slice(2);
}

/**
 * Remembers the last message the network lost: sending the same text again reuses its client id,
 * so if the lost send did reach the server, the message is still stored once.
 */
export class LostMessage {
  private lost: { text: string; id: string } | null = null;

  /** The client id for sending `text` now. */
  idFor(text: string): string {
    const id = this.lost && this.lost.text === text ? this.lost.id : newClientMessageId();
    this.lost = null;
    return id;
  }

  remember(text: string, id: string): void {
    this.lost = { text, id };
  }
}
