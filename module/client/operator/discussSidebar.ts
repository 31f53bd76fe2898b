import type { OperatorConversationDto, OperatorConversationListDto } from "../../services/conversations/dto";
import { faIcon, h } from "../shared/dom";
import { locale, t } from "../shared/i18n";
import { initials } from "../shared/initials";
import { debounce } from "./debounce";
import { conversationTag } from "./discussView";
import { conversationPreview } from "./recentConversations";
import { shortTime } from "./shortTime";
import { waitingGroup } from "./waitingList";

/** What the sidebar asks of Discuss besides picking and taking: a new search, and the next page. */
export interface SidebarPaging {
  search(text: string): void;
  more(): void;
}

/**
 * Discuss's left panel: a search box, the visitors waiting in the operator's channels (to take), then
 * the operator's conversations grouped under their channel's name, each with its avatar, last
 * message and time, unread ones bold with a count, the selected one marked; "Load more" (or
 * scrolling to it) brings older ones. Unchanged data keeps the same elements (no flicker, focus stays).
 */
export class DiscussSidebar {
  private shown: string | null = null;
  private told: string | null = null;
  private readonly el: HTMLElement;
  private readonly searchInput: HTMLInputElement;
  private readonly moreButton: HTMLButtonElement;

  constructor(
    nav: HTMLElement,
    private readonly onPick: (id: number) => void,
    private readonly onTake: (id: number) => void,
    paging: SidebarPaging,
  ) {
    this.searchInput = h("input", {
      class: "form-control form-control-sm",
      props: { type: "search", placeholder: t("Search…"), maxLength: 100 },
      attrs: { "aria-label": t("Search conversations") },
    });
    const searchForm = h("form", { class: "o-discuss-search", attrs: { role: "search" } }, this.searchInput);
    searchForm.addEventListener("submit", (event) => {
      event.preventDefault();
      paging.search(this.searchInput.value);
    });
    const typed = debounce(() => paging.search(this.searchInput.value), 300);
    this.searchInput.addEventListener("input", typed);
    this.el = h("div", { class: "o-discuss-lists" }, h("p", { class: "o-discuss-sidebar-empty", text: t("Loading…") }));
    this.moreButton = h("button", {
      class: "btn btn-link btn-sm o-discuss-more",
      text: t("Load more"),
      props: { type: "button", hidden: true },
    });
    this.moreButton.addEventListener("click", () => paging.more());
    // Scrolling to the end of the list loads the next page, as the button would.
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !this.moreButton.hidden) paging.more();
    }).observe(this.moreButton);
    nav.replaceChildren(searchForm, this.el, this.moreButton);
  }

  render(data: OperatorConversationListDto, selected: number | null): void {
    const now = new Date();
    // Wait times move with the minute even when nothing else changed.
    const key = JSON.stringify([data, selected, this.told, data.waiting.length ? Math.floor(now.getTime() / 60_000) : 0]);
    if (key === this.shown) return;
    this.shown = key;
    this.el.replaceChildren();
    this.moreButton.hidden = data.next === null;
    if (this.told) this.el.append(h("p", { class: "alert alert-warning small py-2 mx-2", text: this.told, attrs: { role: "alert" } }));
    this.el.append(...waitingGroup(data.waiting, selected, now, (id) => this.pick(id), this.onTake));
    if (data.channels.length === 0 && data.waiting.length === 0) {
      const searching = this.searchInput.value.trim() !== "";
      this.el.append(
        h("p", {
          class: "o-discuss-sidebar-empty",
          text: searching
            ? t("No conversation matches this search.")
            : t("No live chat conversation yet. Join a channel under Live Chat → Channels to receive visitors."),
        }),
      );
    }
    for (const channel of data.channels) {
      const heading = h("h2", { class: "o-discuss-heading" }, faIcon("fa-headset"), ` ${channel.name}`);
      const list = h("ul", { class: "list-unstyled o-discuss-list", attrs: { "aria-label": channel.name } });
      list.append(...channel.conversations.map((c) => h("li", {}, this.entry(c, selected))));
      this.el.append(heading, list);
    }
  }

  /** Says something above the lists (a take that came too late) until the operator picks a conversation. */
  tell(message: string): void {
    this.told = message;
  }

  private pick(id: number): void {
    this.told = null;
    this.onPick(id);
  }

  /** Shows an error in place of the list; the next render draws the list again. */
  fail(message: string): void {
    this.shown = null;
    this.moreButton.hidden = true;
    this.el.replaceChildren(h("p", { class: "o-discuss-sidebar-empty text-danger", text: message, attrs: { role: "alert" } }));
  }

  /** Marks the selected conversation without drawing the list again. */
  select(id: number): void {
    this.el.querySelectorAll<HTMLElement>(".o-discuss-item").forEach((a) => {
      const on = Number(a.dataset.conversationId) === id;
      a.classList.toggle("active", on);
      if (on) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
  }

  private entry(c: OperatorConversationDto, selected: number | null): HTMLElement {
    const classes = ["o-discuss-item"];
    if (c.unread) classes.push("o-unread");
    if (c.state === "closed") classes.push("o-closed");
    if (c.id === selected) classes.push("active");
    const link = h("a", { class: classes.join(" "), props: { href: `?conversation=${c.id}` } });
    link.dataset.conversationId = String(c.id);
    if (c.id === selected) link.setAttribute("aria-current", "page");
    const time = h("time", {
      class: "o-discuss-time",
      text: shortTime(c.lastActivityAt),
      props: { dateTime: c.lastActivityAt, title: new Date(c.lastActivityAt).toLocaleString(locale()) },
    });
    const top = h("span", { class: "o-discuss-line" }, h("span", { class: "o-discuss-name", text: c.visitorName }), time);
    const bottom = h("span", { class: "o-discuss-line" }, h("span", { class: "o-discuss-preview", text: c.lastMessage ? conversationPreview(c) : "" }));
    const tag = conversationTag(c);
    if (tag) bottom.append(h("span", { class: "o-discuss-tag" + (tag.waiting ? " o-discuss-tag-waiting" : ""), text: tag.text }));
    if (c.unread) {
      bottom.append(h("span", { class: "badge rounded-pill o-discuss-count", text: String(c.unread), attrs: { "aria-label": t("{count} unread", { count: c.unread }) } }));
    }
    link.append(h("span", { class: "o-discuss-avatar", text: initials(c.visitorName), attrs: { "aria-hidden": "true" } }), h("span", { class: "o-discuss-text" }, top, bottom));
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      this.pick(c.id);
    });
    return link;
  }
}
