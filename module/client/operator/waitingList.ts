// Discuss's Waiting group: visitors in the queues of the operator's channels, longest waiting first,
// each with how long it has waited and a Take button. Never unread: they are nobody's yet.
import type { OperatorConversationDto } from "../../services/conversations/dto";
import { faIcon, h } from "../shared/dom";
import { t } from "../shared/i18n";
import { initials } from "../shared/initials";
import { messageText } from "../shared/messageText";

/** How long a visitor has waited, in words: under a minute, minutes, then hours. */
export function waitedFor(since: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 60_000));
  if (minutes < 1) return t("waiting for less than a minute");
  if (minutes < 60) return t("waiting for {count} min", { count: minutes });
  return t("waiting for {count} h", { count: Math.floor(minutes / 60) });
}

/** The Waiting heading and list, or nothing when nobody waits. */
export function waitingGroup(
  waiting: OperatorConversationDto[],
  selected: number | null,
  now: Date,
  onPick: (id: number) => void,
  onTake: (id: number) => void,
): HTMLElement[] {
  if (waiting.length === 0) return [];
  const heading = h("h2", { class: "o-discuss-heading" }, faIcon("fa-hourglass-half"), ` ${t("Waiting")}`);
  const list = h("ul", { class: "list-unstyled o-discuss-list o-discuss-waiting", attrs: { "aria-label": t("Waiting") } });
  for (const c of waiting) {
    const link = h("a", { class: "o-discuss-item" + (c.id === selected ? " active" : ""), props: { href: `?conversation=${c.id}` } });
    link.dataset.conversationId = String(c.id);
    if (c.id === selected) link.setAttribute("aria-current", "page");
    const text = h("span", { class: "o-discuss-text" }, h("span", { class: "o-discuss-name", text: c.visitorName }));
    text.append(h("span", { class: "o-discuss-preview", text: c.lastMessage ? messageText(c.lastMessage, "operator") : c.channel.name }));
    link.append(
      h("span", { class: "o-discuss-avatar", text: initials(c.visitorName), attrs: { "aria-hidden": "true" } }),
      text,
      h("span", { class: "o-discuss-tag o-discuss-tag-waiting", text: waitedFor(c.createdAt, now) }),
    );
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      onPick(c.id);
    });
    const take = h("button", {
      class: "btn btn-primary btn-sm o-discuss-take",
      text: t("Take"),
      props: { type: "button" },
      attrs: { "aria-label": t("Take the conversation with {name}", { name: c.visitorName }) },
    });
    take.addEventListener("click", () => {
      take.disabled = true;
      onTake(c.id);
    });
    list.append(h("li", { class: "o-discuss-waiting-item" }, link, take));
  }
  return [heading, list];
}
