import { QueryFailedError } from "typeorm";

/**
 * Whether a write failed because another one stored the same key first: the loser of a race that a
 * read-then-write check cannot prevent (two tabs, two instances).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  // PostgreSQL's unique_violation, and SQLite's unique and primary key constraint codes.
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
