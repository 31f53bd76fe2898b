import type { RequestHandler } from "express";
import { lt } from "../contract";
import { HttpError } from "./HttpError";

export const MALFORMED_TEXT = lt("The text contains a character that is not allowed (a NUL character or an unpaired surrogate).");

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A NUL (PostgreSQL refuses it in text) or a UTF-16 half with no other half. */
function malformed(text: string): boolean {
  return text.includes("\u0000") || LONE_SURROGATE.test(text);
}

/** Whether a parsed body or query carries such text, in any key or value. */
export function anyMalformed(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return malformed(value);
  if (depth > 20 || value === null || typeof value !== "object") return false;
  for (const [key, item] of Object.entries(value)) {
    if (malformed(key) || anyMalformed(item, depth + 1)) return true;
  }
  return false;
}

/**
 * Refuses, before any route sees it, a request whose form or JSON fields or query carry text that
 * cannot be stored as is: every text input of the host and its modules is checked in this one place.
 */
export const rejectMalformedText: RequestHandler = (req, _res, next) => {
  if (anyMalformed(req.body) || anyMalformed(req.query)) return next(new HttpError(400, MALFORMED_TEXT));
  next();
};
