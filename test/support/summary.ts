/** Counts the whole run ends with, as CI logs and people scanning them read it. */
export interface RunCounts {
  passes: number;
  failures: number;
  pending: number;
}

/** `N passed, N failed`, plus `, N skipped` when some tests were pending or skipped. */
export function summaryLine(counts: RunCounts): string {
  const line = `${counts.passes} passed, ${counts.failures} failed`;
  return counts.pending > 0 ? `${line}, ${counts.pending} skipped` : line;
}
