import type { CannedSuggestion } from "../../services/CannedResponses";
import { h } from "../shared/dom";
import { cannedQueryAt, insertResponse, matchingResponses, type CannedQuery } from "./cannedMatch";

export interface CannedSource {
  /** The responses offered in this conversation, placeholders filled; asked once, on the first `:`. */
  load(): Promise<CannedSuggestion[]>;
  used(id: number): void;
}

let listCount = 0;

/**
 * The suggestion list under a composer's text: typing `:` and letters filters the canned responses;
 * arrows move, Enter or Tab inserts the chosen text for editing, Escape closes. The textarea stays a
 * text box that controls the list, and points screen readers at the active option.
 */
export class CannedSuggestions {
  readonly list: HTMLUListElement;
  private responses: Promise<CannedSuggestion[]> | null = null;
  private shown: CannedSuggestion[] = [];
  private active = 0;
  private at: CannedQuery | null = null;

  constructor(
    private readonly input: HTMLTextAreaElement,
    private readonly source: CannedSource,
    label: string,
  ) {
    listCount += 1;
    this.list = h("ul", { class: "o-canned list-unstyled shadow-sm", props: { hidden: true }, attrs: { role: "listbox", "aria-label": label } });
    this.list.id = `o-canned-${listCount}`;
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", this.list.id);
    input.addEventListener("input", () => void this.update());
    input.addEventListener("blur", () => this.close());
  }

  get open(): boolean {
    return !this.list.hidden;
  }

  /** Handles a key of the textarea; true when it was the list's (the composer must not also send). */
  handleKey(event: KeyboardEvent): boolean {
    if (!this.open) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.shown.length) % this.shown.length;
      this.render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      this.choose(this.shown[this.active]);
    } else if (event.key === "Escape") {
      this.close();
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  private async update(): Promise<void> {
    const at = cannedQueryAt(this.input.value, this.input.selectionStart);
    if (!at) return this.close();
    this.responses ??= this.source.load().catch(() => {
      this.responses = null;
      return [];
    });
    const all = await this.responses;
    // The text may have changed while the responses loaded: only the latest query counts.
    const now = cannedQueryAt(this.input.value, this.input.selectionStart);
    if (!now || now.start !== at.start || now.query !== at.query) return;
    this.at = at;
    this.shown = matchingResponses(all, at.query);
    this.active = 0;
    if (this.shown.length === 0) return this.close();
    this.render();
  }

  private render(): void {
    this.list.replaceChildren(
      ...this.shown.map((response, index) => {
        const item = h(
          "li",
          { class: "o-canned-item", attrs: { role: "option", "aria-selected": String(index === this.active) } },
          h("strong", { text: `:${response.shortcut}` }),
          h("span", { class: "o-canned-text", text: response.text }),
        );
        item.id = `${this.list.id}-${index}`;
        // mousedown, not click: the textarea keeps focus and the list is not closed by its blur first.
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          this.choose(response);
        });
        return item;
      }),
    );
    this.list.hidden = false;
    this.input.setAttribute("aria-activedescendant", `${this.list.id}-${this.active}`);
  }

  private choose(response: CannedSuggestion): void {
    if (!this.at) return;
    const result = insertResponse(this.input.value, this.input.selectionStart, this.at, response);
    this.close();
    this.input.value = result.text;
    this.input.setSelectionRange(result.caret, result.caret);
    this.input.dispatchEvent(new Event("input"));
    this.source.used(response.id);
  }

  private close(): void {
    this.list.hidden = true;
    this.at = null;
    this.input.removeAttribute("aria-activedescendant");
  }
}
