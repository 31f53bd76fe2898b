/**
 * A timestamp read from a raw query: a Date on PostgreSQL, text on SQLite, where typeorm stores UTC
 * as `YYYY-MM-DD HH:MM:SS.SSS` without a zone (which `new Date` would read as local time).
 */
export function sqlDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(" ", "T")}Z`);
}
