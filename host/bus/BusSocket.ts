import { WebSocket, type RawData } from "ws";
import type { BusNotification, HostUser } from "../contract";
import type { RecentIds } from "./HostBus";

const NO_CHANNELS: readonly string[] = [];

/** What the bus endpoint does on a socket's events (one object for all sockets). */
export interface BusSocketEvents {
  message(socket: BusSocket, data: RawData, isBinary: boolean): void;
  ping(socket: BusSocket, data: Buffer): void;
  pong(socket: BusSocket): void;
  close(socket: BusSocket): void;
  error(socket: BusSocket, error: Error): void;
}

/**
 * A socket of the bus endpoint, with the endpoint's state of it. Idle sockets are the many (tens of
 * thousands of visitors with a tab open), so each should cost little beyond what ws needs: the state
 * lives on the socket rather than in a record beside it, what only some sockets need is made when
 * needed, and events go straight to the endpoint instead of through listeners, which would give every
 * socket a table of its own.
 */
export class BusSocket extends WebSocket {
  /** Set by the endpoint as soon as it takes the socket, before any event can arrive. */
  events: BusSocketEvents | null = null;
  /** A logged-in user's socket has the user; a visitor's has the visitor's token. */
  user: HostUser | null = null;
  /** A user's socket: the user as of now, null once their session has ended (see `SignedIn`). */
  currentUser: (() => Promise<HostUser | null>) | null = null;
  /** When `user` was last read with its session (performance.now()); 0: to be read again before it is relied on. */
  userReadAt = 0;
  token: string | null = null;
  /** The client's address, counted against in the limits with the user or token. */
  address = "";
  /** The channels listened to: usually one (a visitor's), held without an array of its own. */
  private listening: string | readonly string[] = NO_CHANNELS;
  /** `new` until hello; `catching` while missed notifications are sent; then `live`. */
  state: "new" | "catching" | "live" = "new";
  /** Live notifications that arrived during catch-up, sent right after it. */
  buffered: BusNotification[] | null = null;
  /** What this socket was sent (catch-up and live delivery can overlap); made at the first notification. */
  sent: RecentIds | null = null;
  /** Highest id known when the socket became live: channels added later catch up from there. */
  baseline = 0;
  /** Answered the last ping (or said something since). */
  alive = true;
  /** Pongs to the client's pings not yet written: a client that pings faster than it reads is cut. */
  pendingPongs = 0;
  /** Messages are handled one after another so a refresh never races a catch-up; null when none is. */
  queue: Promise<void> | null = null;
  /** Messages received and not yet handled (see `queue`). */
  queued = 0;
  /** The presence writes of a user's socket (opened, then closed), in that order. */
  tab: Promise<void> | null = null;

  get channels(): string[] {
    return typeof this.listening === "string" ? [this.listening] : [...this.listening];
  }

  set channels(channels: string[]) {
    this.listening = channels.length === 1 ? channels[0] : channels.length === 0 ? NO_CHANNELS : channels;
  }

  listens(channel: string): boolean {
    return typeof this.listening === "string" ? this.listening === channel : this.listening.includes(channel);
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const events = this.events;
    if (events === null) return super.emit(event, ...args);
    switch (event) {
      case "message":
        events.message(this, args[0] as RawData, args[1] as boolean);
        return true;
      case "ping":
        events.ping(this, args[0] as Buffer);
        return true;
      case "pong":
        events.pong(this);
        return true;
      case "close":
        events.close(this);
        return true;
      case "error":
        events.error(this, args[0] as Error);
        return true;
      default:
        return super.emit(event, ...args);
    }
  }
}
