import type { Cell } from "./LivechatReports";

/**
 * A report table as CSV (RFC 4180, UTF-8 with a byte order mark so spreadsheets read accents). Text
 * that a spreadsheet would take for a formula (= + - @ at the start) gets a leading apostrophe: a
 * visitor's comment must never run as a formula on a manager's machine.
 */
export function toCsv(columns: string[], rows: Cell[][]): string {
  const lines = [columns, ...rows].map((row) => row.map(csvCell).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

export function csvCell(cell: Cell): string {
  if (cell === null) return "";
  if (typeof cell === "number") return String(cell);
  const safe = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
