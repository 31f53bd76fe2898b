import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A fresh bearer token for a visitor's conversation (256 bits, URL-safe). */
export function newVisitorToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What is stored and looked up: the token's SHA-256, so a database leak does not leak tokens. */
export function hashVisitorToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A key identifying a returning visitor across conversations. */
export function newVisitorKey(): string {
  return randomBytes(16).toString("hex");
}

/** Whether `token` is the one whose hash was stored, compared in constant time. */
export function visitorTokenMatches(token: string, storedHash: string): boolean {
  const given = Buffer.from(hashVisitorToken(token), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return given.length === stored.length && timingSafeEqual(given, stored);
}
