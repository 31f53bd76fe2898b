// Operator chat windows, bottom right of every page. Which windows are open or folded is kept on the
// server (/livechat/api/windows), so they come back on every page and every tab follows the others
// through `livechat.window` notifications.
import type { ChatWindowDto } from "../../services/conversations/dto";
import { faIcon, h } from "../shared/dom";
import { onNotification, onSignal } from "../shared/hostBus";
import { t } from "../shared/i18n";
import { ChatWindow, type WindowHost } from "./chatWindow";
import { debounce } from "./debounce";
import { OPEN_WINDOW_EVENT } from "./openWindowEvent";
import { operatorApi, type WindowState } from "./operatorApi";
import { countsAsUnread } from "./unread";
import { WindowStack, windowRoom } from "./windowStack";

/** The "+N" menu of the windows that do not fit the screen. */
function buildMore() {
  const button = h("button", {
    class: "btn btn-sm shadow o-chat-more-button",
    props: { type: "button" },
    attrs: { "data-bs-toggle": "dropdown", "aria-expanded": "false" },
  });
  const count = h("span");
  button.append(faIcon("fa-comments"), count);
  const menu = h("ul", { class: "dropdown-menu dropdown-menu-end" });
  const el = h("div", { class: "dropup o-chat-more", props: { hidden: true } }, button, menu);
  return { el, button, count, menu };
}

export function startChatWindows(root: HTMLElement): void {
  const windows = new WindowStack<ChatWindow>();
  // On Discuss, the conversation opens in the page itself; windows stay (hidden) and come back elsewhere.
  const onDiscuss = document.querySelector("[data-discuss-main]") !== null;
  root.classList.toggle("o-on-discuss", onDiscuss);
  const more = buildMore();
  root.append(more.el);

  const host: WindowHost = {
    visible: () => !onDiscuss && document.visibilityState === "visible",
    change,
    drop: remove,
  };

  function change(w: ChatWindow, state: WindowState | "closed"): void {
    if (state === "closed") remove(w.id);
    else w.setState(state);
    operatorApi.setWindow(w.id, state).catch(() => {
      /* the next page load shows the server's state */
    });
  }

  function remove(id: number): void {
    const w = windows.remove(id);
    if (!w) return;
    w.el.remove();
    layout();
  }

  function open(id: number, state: WindowState): ChatWindow {
    const existing = windows.get(id);
    if (existing) {
      if (existing.state !== state) existing.setState(state);
      return existing;
    }
    const w = new ChatWindow(id, state, host);
    windows.add(id, w);
    root.append(w.el);
    w.setState(state);
    layout();
    void w.load();
    return w;
  }

  function toFront(w: ChatWindow): void {
    windows.toFront(w.id);
    root.append(w.el);
    layout();
  }

  function sync(list: ChatWindowDto[]): void {
    windows.closedBy(list).forEach(remove);
    list.forEach((x) => open(x.conversationId, x.state));
  }

  /** Shows as many windows as fit, newest first; the others wait behind the "+N" menu. */
  function layout(): void {
    const hidden = windows.hidden(windowRoom(window.innerWidth));
    for (const w of windows.all()) {
      const wasHidden = w.el.hidden;
      w.el.hidden = hidden.includes(w);
      if (wasHidden && !w.el.hidden) w.markRead();
    }
    more.el.hidden = hidden.length === 0;
    more.count.textContent = ` +${hidden.length}`;
    more.button.setAttribute("aria-label", t("{count} more chat windows", { count: hidden.length }));
    more.menu.replaceChildren(
      ...hidden.map((w) => {
        const pick = h("button", {
          class: "dropdown-item" + (w.unread ? " fw-bold" : ""),
          text: w.title.textContent ?? "",
          props: { type: "button" },
        });
        pick.addEventListener("click", () => {
          toFront(w);
          if (w.state !== "open") change(w, "open");
        });
        return h("li", {}, pick);
      }),
    );
  }

  const refreshAll = () =>
    operatorApi.windows().then(
      (data) => sync(data.windows),
      () => {
        /* retried on the next bus connection */
      },
    );

  void refreshAll();
  window.addEventListener("resize", debounce(layout, 150));
  document.addEventListener("visibilitychange", () => windows.all().forEach((w) => w.markRead()));

  document.addEventListener(OPEN_WINDOW_EVENT, (event) => {
    if (onDiscuss) return;
    const w = open(event.detail.conversationId, "open");
    toFront(w);
    change(w, "open");
    if (w.state === "open" && w.loaded) w.composer.input.focus();
  });

  const bus = window.hostBus;
  if (!bus) return;
  onNotification(bus, "livechat.conversation_assigned", ({ conversation }) => open(conversation.id, "open"));
  onNotification(bus, "livechat.window", ({ windows: list }) => sync(list));
  // Read in another tab (or Discuss): this tab's window agrees at once.
  onNotification(bus, "livechat.read", ({ conversationId, lastMessageId }) => {
    windows.get(conversationId)?.readElsewhere(lastMessageId);
    layout();
  });
  onNotification(bus, "livechat.rating", ({ conversationId, rating }) => windows.get(conversationId)?.showRating(rating));
  // Transferred to someone else: the server closed the window already.
  onNotification(bus, "livechat.conversation_transferred", ({ conversationId }) => remove(conversationId));
  onNotification(bus, "livechat.message", ({ message }) => {
    const w = windows.get(message.conversationId);
    if (!w) {
      // The visitor wrote in a conversation of mine whose window I had closed: the server shows it
      // again as it was (folded if it was), once, and every tab follows its `livechat.window`.
      if (message.author.kind === "visitor") {
        operatorApi.reopenWindow(message.conversationId).then(
          (data) => sync(data.windows),
          () => {
            /* the next page load shows the server's state */
          },
        );
      }
      return;
    }
    w.messageArrived(message.author.kind);
    // Before the window's first load, the message is kept; the load brings the server's unread count.
    if (!w.thread.add(message) || !w.loaded) return;
    if (countsAsUnread(message, w.state === "open" && host.visible())) w.setUnread(w.unread + 1);
    w.markRead();
    layout();
  });
  onSignal(bus, "livechat.typing", ({ conversationId, typing }) => windows.get(conversationId)?.showTyping(typing));
  onNotification(bus, "livechat.conversation", ({ conversation }) => {
    const w = windows.get(conversation.id);
    if (!w) return;
    if (conversation.state === "closed") w.showEnded();
    else if (w.waiting && conversation.state === "open") {
      // Assigned meanwhile: build it again with a working composer.
      const state = w.state;
      remove(w.id);
      open(conversation.id, state);
    }
  });
  // After a reconnection, missed notifications were replayed; the server's list is the truth.
  bus.onReady(() => void refreshAll());
}
