/** While typing, "typing" is sent again at most this often: the receiver forgets it after TYPING_EXPIRES_MS. */
export const TYPING_EVERY_MS = 2500;

/**
 * Tells the other side of a conversation that this side is typing, throttled: one "typing" when the
 * text starts, again every TYPING_EVERY_MS while it changes, and one "stopped" when the text is sent,
 * cleared or left (blur). A failed send is forgotten: the next keystroke tries again.
 */
export class TypingSender {
  private lastSentAt: number | null = null;

  constructor(
    private readonly send: (typing: boolean) => Promise<unknown>,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The composer's text changed. */
  changed(text: string): void {
    if (!text.trim()) return this.stopped();
    const now = this.now();
    if (this.lastSentAt !== null && now - this.lastSentAt < TYPING_EVERY_MS) return;
    this.lastSentAt = now;
    this.send(true).catch(() => {
      this.lastSentAt = null;
    });
  }

  /** The text was sent, cleared or left: "stopped", once, if "typing" was said. */
  stopped(): void {
    if (this.lastSentAt === null) return;
    this.lastSentAt = null;
    this.send(false).catch(() => undefined);
  }
}
