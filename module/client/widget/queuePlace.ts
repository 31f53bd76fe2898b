import type { ConversationDto } from "../../services/conversations/dto";
import type { QueueChange } from "../../services/conversations/queueOrder";

/** Changes held beyond a gap in the versions; past this many, the place should be asked again. */
const MAX_PENDING = 20;

/**
 * The visitor's live place in the queue. The helpdesk counts it when it answers, with the channel's
 * queue version it counted at; the channel's queue notifications then tell which conversations left
 * the queue or joined it, one version each (versions follow each other without gaps). A change
 * counts if it is newer than the count and concerns a conversation ahead of this one (a smaller id).
 * Changes may arrive before or after the count they are newer than, and out of order: those after a
 * gap wait for it.
 */
export class QueuePlaceTracker {
  private counted: { conversationId: number; position: number; version: number } | null = null;
  private readonly pending = new Map<number, QueueChange>();

  /** A conversation as the helpdesk answered it: a new count when it is waiting. */
  counts(conversation: ConversationDto): void {
    if (conversation.state !== "waiting" || conversation.queuePosition === null || conversation.queueVersion === null) {
      // Not in the queue (yet): changes seen meanwhile stay, a chatbot conversation may join it.
      this.counted = null;
      return;
    }
    // Answers can cross: a count older than the one held is not taken.
    if (this.counted?.conversationId === conversation.id && this.counted.version > conversation.queueVersion) return;
    this.counted = { conversationId: conversation.id, position: conversation.queuePosition, version: conversation.queueVersion };
    this.fold();
  }

  /** A notification of the channel's queue. */
  changed(change: QueueChange): void {
    if (this.counted && change.version <= this.counted.version) return;
    this.pending.set(change.version, change);
    if (this.pending.size > MAX_PENDING * 2) this.pending.delete(Math.min(...this.pending.keys()));
    this.fold();
  }

  /** The place now (1 is next), or null when not waiting. */
  position(): number | null {
    if (!this.counted) return null;
    let place = this.counted.position;
    for (const change of this.pending.values()) place += this.ahead(change);
    return Math.max(1, place);
  }

  /** Whether changes wait on a version that has not come: the widget should ask for its place again. */
  stale(): boolean {
    return this.counted !== null && this.pending.size > MAX_PENDING;
  }

  /** Applies the changes that follow the count without a gap; drops those it already includes. */
  private fold(): void {
    const counted = this.counted;
    if (!counted) return;
    for (const version of [...this.pending.keys()]) if (version <= counted.version) this.pending.delete(version);
    for (let next = this.pending.get(counted.version + 1); next; next = this.pending.get(counted.version + 1)) {
      counted.position += this.ahead(next);
      counted.version = next.version;
      this.pending.delete(next.version);
    }
  }

  /** How the change moves this conversation: +1 for each joining ahead of it, -1 for each leaving from ahead. */
  private ahead(change: QueueChange): number {
    const id = this.counted?.conversationId ?? 0;
    return change.joined.filter((other) => other < id).length - change.left.filter((other) => other < id).length;
  }
}
