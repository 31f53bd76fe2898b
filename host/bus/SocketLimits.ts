import type { Settings } from "../contract";

/** Close code for a socket over one of the limits below; the client retries later, with backoff. */
export const TOO_MANY_SOCKETS = 4429;

/** Settings (host_setting) and their defaults: open sockets allowed at once on one instance. */
export const SOCKET_LIMIT_SETTINGS = {
  visitorToken: { key: "host.bus.max_sockets_per_visitor_token", fallback: 5 },
  user: { key: "host.bus.max_sockets_per_user", fallback: 30 },
  address: { key: "host.bus.max_sockets_per_address", fallback: 200 },
} as const;

export type SocketLimitKind = keyof typeof SOCKET_LIMIT_SETTINGS;

/** What one socket counts against: its visitor token or user, and its client address. */
export type SocketKeys = [kind: SocketLimitKind, key: string][];

/**
 * Counts this instance's open sockets per visitor token, user and client address, so one client
 * cannot hold thousands of sockets. Limits are read from the settings, at most every few seconds.
 */
export class SocketLimits {
  /** Per kind, keyed by the token, user id or address itself: the socket holds the same string, so counting costs no key of its own. */
  private readonly open: Record<SocketLimitKind, Map<string, number>> = { visitorToken: new Map(), user: new Map(), address: new Map() };
  private limits: Record<SocketLimitKind, number> | null = null;
  private readAt = 0;

  constructor(private readonly settings: Settings) {}

  /** Reads the current limits; call before `tryOpen` (which must stay synchronous to count exactly). */
  async refresh(now = Date.now()): Promise<void> {
    if (this.limits && now - this.readAt < 5_000) return;
    const read = async (kind: SocketLimitKind) => {
      const { key, fallback } = SOCKET_LIMIT_SETTINGS[kind];
      const value = await this.settings.getNumber(key, fallback);
      return value >= 1 ? Math.floor(value) : fallback;
    };
    this.limits = { visitorToken: await read("visitorToken"), user: await read("user"), address: await read("address") };
    this.readAt = now;
  }

  /** Counts the socket in, or returns the limit it would exceed (and counts nothing). */
  tryOpen(keys: SocketKeys): SocketLimitKind | null {
    const limits = this.limits ?? { visitorToken: SOCKET_LIMIT_SETTINGS.visitorToken.fallback, user: SOCKET_LIMIT_SETTINGS.user.fallback, address: SOCKET_LIMIT_SETTINGS.address.fallback };
    for (const [kind, key] of keys) {
      if ((this.open[kind].get(key) ?? 0) >= limits[kind]) return kind;
    }
    for (const [kind, key] of keys) this.open[kind].set(key, (this.open[kind].get(key) ?? 0) + 1);
    return null;
  }

  closed(keys: SocketKeys): void {
    for (const [kind, key] of keys) {
      const left = (this.open[kind].get(key) ?? 1) - 1;
      if (left > 0) this.open[kind].set(key, left);
      else this.open[kind].delete(key);
    }
  }
}
