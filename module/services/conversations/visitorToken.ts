import { createHash, randomBytes } from "node:crypto";

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
