import type { BusNotification, BusSignal, SocketAnswer } from "../../../host/contract";
import type { LivechatNotifications, LivechatSignals } from "./notifications";

/** The host's browser bus client (host/static/bus.js), as its header describes it. */
export interface BusConnection {
  on(type: string, handler: (notification: BusNotification) => void): () => void;
  /** Signals: delivered live only, never stored nor replayed after a reconnect. */
  onSignal(type: string, handler: (signal: BusSignal) => void): () => void;
  /** After each (re)connection's catch-up of missed notifications. */
  onReady(handler: () => void): () => void;
  /**
   * A POST over the socket (a visitor's lean route, or a logged-in user's socket route), answered as
   * over HTTP; null when the socket is not open or the body is too large for it (send it over HTTP
   * then). Rejects if the socket closes first.
   */
  post(path: string, body: unknown, lang?: string): Promise<SocketAnswer> | null;
  refresh(): void;
  close(): void;
}

export interface HostBusClient {
  connect(options: { token?: string; origin?: string; storageKey?: string }): BusConnection;
}

declare global {
  interface Window {
    /** Set by host/static/bus.js. */
    HostBus?: HostBusClient;
    /** The logged-in page's connection, opened by host/static/host.js. */
    hostBus?: BusConnection;
  }
}

/** Listens to one of the module's notifications with its payload typed. */
export function onNotification<T extends keyof LivechatNotifications>(
  bus: BusConnection,
  type: T,
  handler: (payload: LivechatNotifications[T]) => void,
): () => void {
  return bus.on(type, (notification) => handler(notification.payload as LivechatNotifications[T]));
}

/** Listens to one of the module's signals with its payload typed. */
export function onSignal<T extends keyof LivechatSignals>(bus: BusConnection, type: T, handler: (payload: LivechatSignals[T]) => void): () => void {
  return bus.onSignal(type, (signal) => handler(signal.payload as LivechatSignals[T]));
}
