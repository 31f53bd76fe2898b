import type { SelectQueryBuilder } from "typeorm";
import { InvalidInputError, lt } from "../../../host/contract";
import type { Conversation } from "../../models/Conversation";

/** Where a page of conversations ends: the last one's activity time and id (keyset, so new ones never shift pages). */
export interface ListCursor {
  at: Date;
  id: number;
}

/** How Discuss's lists and All Conversations ask for conversations: newest activity first, a page at a time. */
export interface PageQuery {
  /** Visitor name or message text; `%` and `_` are plain characters. */
  search: string | null;
  cursor: ListCursor | null;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** The cursor of the next page; null on the last one. */
  next: string | null;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;
export const MAX_SEARCH = 100;

/** A cursor as clients send it back: `<milliseconds>.<id>`. */
export function formatCursor(c: Pick<Conversation, "lastActivityAt" | "id">): string {
  return `${c.lastActivityAt.getTime()}.${c.id}`;
}

/** A page query from a request's query string; anything malformed is refused. */
export function pageQuery(query: Record<string, unknown>): PageQuery {
  const { search, cursor, limit } = query;
  if (search !== undefined && typeof search !== "string") throw new InvalidInputError("search is text.");
  const text = (search ?? "").trim();
  if (text.length > MAX_SEARCH) throw new InvalidInputError(lt("The search is at most 100 characters."));
  return { search: text || null, cursor: parseCursor(cursor), limit: parseLimit(limit) };
}

function parseCursor(value: unknown): ListCursor | null {
  if (value === undefined || value === "") return null;
  const match = typeof value === "string" ? /^(\d{1,15})\.(\d{1,10})$/.exec(value) : null;
  if (!match) throw new InvalidInputError(lt("This page marker is not valid: reload the list."));
  return { at: new Date(Number(match[1])), id: Number(match[2]) };
}

function parseLimit(value: unknown): number {
  if (value === undefined || value === "") return DEFAULT_PAGE;
  const n = typeof value === "string" && /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_PAGE)) throw new InvalidInputError("limit is a number from 1 to 200.");
  return n;
}

/** `text` for LIKE: lower case (as the column is compared), with `\`, `%` and `_` escaped. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Restricts `qb` (conversations as `c`) to those whose visitor's name or a message (system lines are not the conversation's text) contains `search`. */
export function applySearch(qb: SelectQueryBuilder<Conversation>, search: string | null): SelectQueryBuilder<Conversation> {
  if (!search) return qb;
  return qb.andWhere(
    `(LOWER(c.visitor_name) LIKE :pattern ESCAPE '\\' OR EXISTS (SELECT 1 FROM livechat_message sm
       WHERE sm.conversation_id = c.id AND sm.author_kind <> 'system' AND LOWER(sm.body) LIKE :pattern ESCAPE '\\'))`,
    { pattern: likePattern(search) },
  );
}

/**
 * Restricts `qb` (conversations as `c`) to the page: matching the search, after the cursor, newest
 * activity first. Asks for one more row than the page, to know whether another follows.
 */
export function applyPage(qb: SelectQueryBuilder<Conversation>, page: PageQuery): SelectQueryBuilder<Conversation> {
  applySearch(qb, page.search);
  if (page.cursor) {
    qb.andWhere("(c.last_activity_at < :cursorAt OR (c.last_activity_at = :cursorAt AND c.id < :cursorId))", {
      cursorAt: page.cursor.at,
      cursorId: page.cursor.id,
    });
  }
  return qb.orderBy("c.last_activity_at", "DESC").addOrderBy("c.id", "DESC").limit(page.limit + 1);
}

/** The page's rows and the next cursor, from the rows `applyPage` asked for. */
export function pageOf(rows: Conversation[], limit: number): { rows: Conversation[]; next: string | null } {
  if (rows.length <= limit) return { rows, next: null };
  const kept = rows.slice(0, limit);
  return { rows: kept, next: formatCursor(kept[kept.length - 1]) };
}
