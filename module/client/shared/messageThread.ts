import type { MessageDto } from "../../services/conversations/dto";
import { insertionIndex, ShownMessages } from "./messageOrder";

/** How far from the end a reader still counts as "at the bottom", in pixels. */
const BOTTOM_SLACK_PX = 40;

/**
 * A list of messages in the page: each shown once, in id order, however they arrive (loads, bus
 * notifications, answers to a post). How a message looks, and whether the list follows it to the
 * bottom, is up to the screen.
 */
export class MessageThread {
  private readonly shown = new ShownMessages();

  /** `arrange` lays out what is not a message (e.g. day separators, marked `data-separator`) once a message is in place. */
  constructor(
    readonly list: HTMLElement,
    private readonly render: (message: MessageDto) => HTMLElement,
    private readonly follow: (message: MessageDto, readerAtBottom: boolean) => boolean,
    private readonly arrange?: (list: HTMLElement) => void,
  ) {}

  get lastId(): number {
    return this.shown.lastId;
  }

  /** Adds a message in its place; false when it was already shown. */
  add(message: MessageDto): boolean {
    if (!this.shown.add(message.id)) return false;
    const item = this.render(message);
    item.dataset.messageId = String(message.id);
    item.dataset.createdAt = message.createdAt;
    const list = this.list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < BOTTOM_SLACK_PX;
    const rows = Array.from(list.children).filter((child) => !(child instanceof HTMLElement && child.dataset.separator));
    const before = insertionIndex(rows.map(rowId), message.id);
    list.insertBefore(item, before === null ? null : rows[before]);
    this.arrange?.(list);
    if (this.follow(message, atBottom)) this.scrollToEnd();
    return true;
  }

  scrollToEnd(): void {
    this.list.scrollTop = this.list.scrollHeight;
  }

  /** Forgets every message and keeps only `rows` (e.g. a greeting) in the list. */
  reset(...rows: Node[]): void {
    this.shown.clear();
    this.list.replaceChildren(...rows);
  }
}

function rowId(row: Element): number | null {
  const id = row instanceof HTMLElement ? row.dataset.messageId : undefined;
  return id ? Number(id) : null;
}
