import type { BusNotification } from "../contract";

/** The payload of a notification as stored (its JSON text), for notifications made from it. */
const payloadTexts = new WeakMap<BusNotification, string>();

/**
 * A notification made from its stored payload text: the payload is a copy of its own (what a
 * listener does to it touches nothing else), and the text is kept so the socket message is made
 * without serialising the payload again.
 */
export function notificationFromText(id: number, channel: string, type: string, payloadText: string, createdAt: string): BusNotification {
  const notification: BusNotification = { id, channel, type, payload: JSON.parse(payloadText), createdAt };
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
