import type { ChatWindowDto } from "../../services/conversations/dto";

/** A window's width plus the gap between windows, in pixels. */
export const WINDOW_SLOT_PX = 320;
/** The page's margin beside the windows, in pixels. */
const MARGIN_PX = 24;

/** How many windows fit side by side in a viewport this wide: at least one. */
export function windowRoom(viewportWidth: number): number {
  return Math.max(1, Math.floor((viewportWidth - MARGIN_PX) / WINDOW_SLOT_PX));
}

/**
 * The operator's chat windows by conversation, in opening order: the newest is the rightmost.
 * When they do not all fit, the newest are shown and the oldest wait behind a "+N" menu.
 */
export class WindowStack<W> {
  private readonly windows = new Map<number, W>();

  get(id: number): W | undefined {
    return this.windows.get(id);
  }

  ids(): number[] {
    return [...this.windows.keys()];
  }

  all(): W[] {
    return [...this.windows.values()];
  }

  /** Adds a window as the newest. */
  add(id: number, window: W): void {
    this.windows.set(id, window);
  }

  /** Makes a window the newest, e.g. when the operator picks it in the Messages menu. */
  toFront(id: number): void {
    const window = this.windows.get(id);
    if (window === undefined) return;
    this.windows.delete(id);
    this.windows.set(id, window);
  }

  remove(id: number): W | undefined {
    const window = this.windows.get(id);
    this.windows.delete(id);
    return window;
  }

  /** The windows that wait behind the "+N" menu when `room` fit; the "+N" button takes one place. */
  hidden(room: number): W[] {
    const list = this.all();
    const shown = list.length > room ? Math.max(1, room - 1) : list.length;
    return list.slice(0, list.length - shown);
  }

  /** What to close to match the server's list: the windows it no longer has. */
  closedBy(wanted: readonly ChatWindowDto[]): number[] {
    const keep = new Set(wanted.map((w) => w.conversationId));
    return this.ids().filter((id) => !keep.has(id));
  }
}

/** Folding toggles between open and folded. */
export function toggledFold(state: ChatWindowDto["state"]): ChatWindowDto["state"] {
  return state === "folded" ? "open" : "folded";
}
