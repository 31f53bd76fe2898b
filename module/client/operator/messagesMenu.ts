// The Messages icon in the menu bar: a badge with the number of conversations that have unread
// messages, and a dropdown of recent conversations (unread ones bold); choosing one opens its chat
// window (the chat windows store the new state on the server).
import type { OperatorConversationDto, OperatorConversationListDto } from "../../services/conversations/dto";
import { h } from "../shared/dom";
import { onNotification } from "../shared/hostBus";
import { t } from "../shared/i18n";
import { initials } from "../shared/initials";
import { debounce } from "./debounce";
import { openWindowEvent } from "./openWindowEvent";
import { operatorApi } from "./operatorApi";
import { conversationPreview, isUnassigned, messagesButtonText, recentConversations } from "./recentConversations";
import { relativeTime, shortTime } from "./shortTime";

/** Messages left by visitors waiting in the queue reach no operator's bus channel: refresh slowly too. */
const SLOW_REFRESH_MS = 60_000;

export function startMessagesMenu(root: HTMLElement): void {
  const button = root.querySelector("button");
  const badge = root.querySelector<HTMLElement>("[data-unread-badge]");
  const list = root.querySelector<HTMLElement>("[data-conversation-list]");
  if (!button || !badge || !list) return;

  const setCount = (count: number): void => {
    badge.textContent = String(count);
    badge.hidden = count === 0;
    const text = messagesButtonText(count);
    button.setAttribute("aria-label", text.label);
    button.title = text.title;
  };

  function item(c: OperatorConversationDto): HTMLElement {
    const line = h("span", { class: "o-messages-line" }, h("span", { class: "o-messages-name", text: c.visitorName }));
    if (c.lastMessage) {
      const time = h("time", { class: "o-messages-time", text: relativeTime(c.lastMessage.createdAt), props: { title: shortTime(c.lastMessage.createdAt) } });
      time.dateTime = c.lastMessage.createdAt;
      line.append(time);
    }
    const pick = h(
      "button",
      { class: "dropdown-item o-messages-item" + (c.unread ? " o-unread" : ""), props: { type: "button" } },
      h("span", { class: "o-messages-avatar", text: initials(c.visitorName), attrs: { "aria-hidden": "true" } }),
      h("span", { class: "o-messages-text" }, line, h("span", { class: "o-messages-preview", text: conversationPreview(c) })),
    );
    if (c.unread) pick.append(h("span", { class: "badge rounded-pill text-bg-primary", text: String(c.unread), attrs: { "aria-label": t("{count} unread", { count: c.unread }) } }));
    pick.addEventListener("click", () => {
      // Not assigned yet: nothing to answer in a window, Discuss shows it.
      if (isUnassigned(c) && !document.querySelector("[data-discuss-main]")) location.assign(`/livechat/discuss?conversation=${c.id}`);
      else document.dispatchEvent(openWindowEvent(c.id));
    });
    return h("li", {}, pick);
  }

  let shown: string | null = null;
  const render = (data: OperatorConversationListDto): void => {
    setCount(data.unreadConversations);
    // Unchanged data keeps the same elements: no flicker under the pointer of someone choosing.
    const key = JSON.stringify(data);
    if (key === shown) return;
    shown = key;
    const all = h("a", { class: "small", text: t("Open Discuss"), props: { href: "/livechat/discuss" } });
    const header = h("li", {}, h("h6", { class: "dropdown-header d-flex align-items-center" }, h("span", { class: "me-auto", text: t("Live chat") }), all));
    const items = recentConversations(data);
    list.replaceChildren(
      header,
      ...(items.length ? items.map(item) : [h("li", { class: "dropdown-item-text text-muted small", text: t("No conversations yet.") })]),
    );
  };

  const refresh = debounce(() => {
    operatorApi.conversations().then(render, () => {
      /* keep the last known count */
    });
  }, 150);

  refresh();
  root.addEventListener("show.bs.dropdown", refresh);
  const bus = window.hostBus;
  if (bus) {
    for (const type of ["livechat.message", "livechat.conversation", "livechat.conversation_assigned", "livechat.conversation_transferred", "livechat.unread"] as const) {
      onNotification(bus, type, refresh);
    }
    bus.onReady(refresh);
  }
  setInterval(() => {
    if (document.visibilityState === "visible") refresh();
  }, SLOW_REFRESH_MS);
}
