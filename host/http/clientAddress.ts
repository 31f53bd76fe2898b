import type http from "node:http";

/**
 * The client's address for a raw request (a WebSocket upgrade), the way express reads `req.ip`:
 * behind one trusted proxy, the last address that proxy appended to X-Forwarded-For.
 */
export function clientAddress(req: http.IncomingMessage, behindOneProxy: boolean): string {
  const forwarded = req.headers["x-forwarded-for"];
  if (behindOneProxy && typeof forwarded === "string") {
    const hops = forwarded.split(",").map((h) => h.trim()).filter(Boolean);
    const last = hops[hops.length - 1];
    if (last) return last;
  }
  return req.socket.remoteAddress ?? "unknown";
}
