/** The ids of the messages a thread shows: each message is shown once, whatever the order it arrives in. */
export class ShownMessages {
  private readonly ids = new Set<number>();
  /** The newest message shown (0 when none): where to catch up from, and what to mark read. */
  lastId = 0;

  /** Records a message; false when it was already shown. */
  add(id: number): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    this.lastId = Math.max(this.lastId, id);
    return true;
  }

  clear(): void {
    this.ids.clear();
    this.lastId = 0;
  }
}

/**
 * Where a message goes among a thread's rows, given each row's message id (null for a row that is
 * not a message, such as a greeting): the index of the row it goes before, or null to append it.
 * Messages almost always arrive newest last, so the search runs from the end and stops at the first
 * row that is not newer.
 */
export function insertionIndex(rowIds: readonly (number | null)[], id: number): number | null {
  let before: number | null = null;
  for (let i = rowIds.length - 1; i >= 0; i--) {
    const rowId = rowIds[i];
    if (rowId !== null && rowId > id) before = i;
    else break;
  }
  return before;
}
