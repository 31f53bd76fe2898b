import WebSocket from "ws";
import type { BusNotification } from "../../host/contract";

/** A bus client as a browser tab would be: it says hello, then collects notifications. */
export interface TestBusClient {
  notifications: BusNotification[];
  /** Resolves with the first notification (already received or future) matching `predicate`. */
  next(predicate: (n: BusNotification) => boolean, timeoutMs?: number): Promise<BusNotification>;
  send(message: unknown): void;
  close(): void;
}

/** Opens `/websocket` with a session cookie or a visitor token and waits for `ready`. */
export async function connectBus(url: string, auth: { cookie?: string; token?: string; last?: number | null }): Promise<TestBusClient> {
  const wsUrl = `${url.replace(/^http/, "ws")}/websocket${auth.token ? `?token=${encodeURIComponent(auth.token)}` : ""}`;
  const ws = new WebSocket(wsUrl, { headers: auth.cookie ? { Cookie: auth.cookie } : {} });
  const notifications: BusNotification[] = [];
  const waiters: { predicate: (n: BusNotification) => boolean; resolve: (n: BusNotification) => void }[] = [];
  ws.on("message", (data) => {
    const message = JSON.parse(String(data)) as { op: string; notification?: BusNotification };
    if (message.op !== "notification" || !message.notification) return;
    const n = message.notification;
    notifications.push(n);
    for (const w of waiters.filter((w) => w.predicate(n))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(n);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("unexpected-response", (_req, res) => reject(new Error(`WebSocket refused with ${res.statusCode}`)));
    ws.once("error", reject);
    ws.once("open", () => {
      ws.send(JSON.stringify({ op: "hello", last: auth.last ?? null }));
      ws.on("message", function onReady(data) {
        if ((JSON.parse(String(data)) as { op: string }).op === "ready") {
          ws.off("message", onReady);
          resolve();
        }
      });
    });
  });
  return {
    notifications,
    next(predicate, timeoutMs = 5000) {
      const found = notifications.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("No matching notification arrived")), timeoutMs);
        waiters.push({ predicate, resolve: (n) => (clearTimeout(timer), resolve(n)) });
      });
    },
    send(message) {
      ws.send(JSON.stringify(message));
    },
    close() {
      ws.close();
    },
  };
}
