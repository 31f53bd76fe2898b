import { h } from "./dom";
import { t } from "./i18n";

/** The receiver forgets "is typing" this long after the last refresh: a lost "stopped" does not leave it on. */
export const TYPING_EXPIRES_MS = 5000;

/** "Mitchell is typing…" under a thread: shown on a typing signal, hidden on stop, on their message, or when it expires. */
export class TypingIndicator {
  readonly el: HTMLElement;
  private timer: number | null = null;

  constructor(className: string) {
    this.el = h("p", { class: className, props: { hidden: true }, attrs: { role: "status", "aria-live": "polite" } });
  }

  /** `name` typed (true) or stopped (false). */
  show(name: string, typing: boolean): void {
    if (!typing) return this.hide();
    this.el.textContent = t("{name} is typing…", { name });
    this.el.hidden = false;
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.hide(), TYPING_EXPIRES_MS);
  }

  hide(): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    this.el.hidden = true;
    this.el.textContent = "";
  }
}
