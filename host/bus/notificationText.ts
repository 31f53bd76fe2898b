import type { BusNotification } from "../contract";

/** The payload of a notification as stored (its JSON text), for notifications made from it. */
const payloadTexts = new WeakMap<BusNotification, string>();

/** Makes `payload` a plain property of `notification` holding `value` (as an object literal's would be). */
function settle(notification: BusNotification, value: unknown): void {
  Object.defineProperty(notification, "payload", { value, writable: true, enumerable: true, configurable: true });
}

/**
 * A notification made from its stored payload text. The text is kept so the socket message is made
 * without serialising the payload again, and the payload is parsed only when something reads it: the
 * sockets need the text alone, so most notifications are never parsed on the server. Once read, the
 * payload is a copy of its own (what a listener does to it touches nothing else).
 */
export function notificationFromText(id: number, channel: string, type: string, payloadText: string, createdAt: string): BusNotification {
  const notification: BusNotification = { id, channel, type, payload: null, createdAt };
  Object.defineProperty(notification, "payload", {
    enumerable: true,
    configurable: true,
    get(this: BusNotification) {
      const value: unknown = JSON.parse(payloadText);
      settle(this, value);
      return value;
    },
    set(this: BusNotification, value: unknown) {
      settle(this, value);
    },
  });
  payloadTexts.set(notification, payloadText);
  return notification;
}

/** The socket message that carries `notification`: the same text as `JSON.stringify({ op: "notification", notification })`. */
export function notificationMessage(notification: BusNotification): string {
  const payload = payloadTexts.get(notification);
  if (payload === undefined) return JSON.stringify({ op: "notification", notification });
  const { id, channel, type, createdAt } = notification;
  return `{"op":"notification","notification":{"id":${JSON.stringify(id)},"channel":${JSON.stringify(channel)},"type":${JSON.stringify(type)},"payload":${payload},"createdAt":${JSON.stringify(createdAt)}}}`;
}
