import type { OperatorConversationDto, OperatorConversationListDto } from "../../services/conversations/dto";
import { faIcon, h } from "../shared/dom";
import { t } from "../shared/i18n";
import { initials } from "../shared/initials";
import { messageText } from "../shared/messageText";
import { conversationTag } from "./discussView";
import { waitingGroup } from "./waitingList";

/**
 * Discuss's left panel: the visitors waiting in the operator's channels (to take), then the
 * operator's conversations grouped under their channel's name, unread ones bold with a count, the
 * selected one marked. Unchanged data keeps the same elements (no flicker, focus stays).
 */
export class DiscussSidebar {
  private shown: string | null = null;
  private told: string | null = null;

  constructor(
    private readonly el: HTMLElement,
    private readonly onPick: (id: number) => void,
    private readonly onTake: (id: number) => void,
  ) {}

  render(data: OperatorConversationListDto, selected: number | null): void {
    const now = new Date();
    // Wait times move with the minute even when nothing else changed.
    const key = JSON.stringify([data, selected, this.told, data.waiting.length ? Math.floor(now.getTime() / 60_000) : 0]);
    if (key === this.shown) return;
    this.shown = key;
    this.el.replaceChildren();
    if (this.told) this.el.append(h("p", { class: "alert alert-warning small py-2 mx-2", text: this.told, attrs: { role: "alert" } }));
    this.el.append(...waitingGroup(data.waiting, selected, now, (id) => this.pick(id), this.onTake));
    if (data.channels.length === 0 && data.waiting.length === 0) {
      this.el.append(
        h("p", {
          class: "o-discuss-sidebar-empty",
          text: t("No live chat conversation yet. Join a channel under Live Chat → Channels to receive visitors."),
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
    this.el.replaceChildren(h("p", { class: "o-discuss-sidebar-empty text-danger", text: message }));
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
    const text = h("span", { class: "o-discuss-text" }, h("span", { class: "o-discuss-name", text: c.visitorName }));
    if (c.lastMessage) text.append(h("span", { class: "o-discuss-preview", text: messageText(c.lastMessage, "operator") }));
    link.append(h("span", { class: "o-discuss-avatar", text: initials(c.visitorName), attrs: { "aria-hidden": "true" } }), text);
    const tag = conversationTag(c);
    if (tag) link.append(h("span", { class: "o-discuss-tag" + (tag.waiting ? " o-discuss-tag-waiting" : ""), text: tag.text }));
    if (c.unread) {
      link.append(h("span", { class: "badge rounded-pill o-discuss-count", text: String(c.unread), attrs: { "aria-label": t("{count} unread", { count: c.unread }) } }));
    }
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      this.pick(c.id);
    });
    return link;
  }
}
