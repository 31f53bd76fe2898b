// Discuss: live chat conversations grouped under their channel's name (unread ones bold, with a
// count), and the selected conversation with the same thread and composer as the chat windows.
// The URL keeps the selection (?conversation=<id>).
import type { EndedByDto, OperatorConversationDetailDto, OperatorConversationDto, OperatorConversationListDto } from "../../services/conversations/dto";
import { faIcon, h } from "../shared/dom";
import { onNotification, onSignal } from "../shared/hostBus";
import { answered, errorMessage } from "../shared/http";
import { t } from "../shared/i18n";
import { initials } from "../shared/initials";
import type { MessageThread } from "../shared/messageThread";
import { TypingIndicator } from "../shared/typingIndicator";
import { composer, type Composer } from "./composer";
import { ConversationPages } from "./conversationPages";
import { debounce } from "./debounce";
import { conversationDetails, endedText, waitingNotice } from "./discussView";
import { DiscussSidebar } from "./discussSidebar";
import { OPEN_WINDOW_EVENT } from "./openWindowEvent";
import { cannedSource, operatorApi } from "./operatorApi";
import { operatorThread } from "./operatorThread";
import { isUnassigned } from "./recentConversations";
import { shortTime } from "./shortTime";
import { TransferMenu } from "./transferMenu";
import { transferNotice } from "./transferNotice";
import { readMarkToSend } from "./unread";
import { visitorPanel, type VisitorPanel } from "./visitorPanel";

/** A backstop: the queues' notifications refresh the Waiting group as they move, a missed one within this. */
const SLOW_REFRESH_MS = 30_000;

/** The conversation shown in the main area. */
interface Shown {
  id: number;
  thread: MessageThread;
  composer: Composer;
  header: HTMLElement;
  endButton: HTMLButtonElement;
  takeButton: HTMLButtonElement;
  transfer: TransferMenu;
  panel: VisitorPanel;
  notice: HTMLElement;
  visitorName: string;
  visitorTyping: TypingIndicator;
  ended: boolean;
  transferred: boolean;
  /** The visitor's rating is shown (it may arrive while the conversation is on screen). */
  rated: boolean;
  waiting: boolean;
  readUpTo: number;
}

function idFromUrl(): number | null {
  return Number(new URLSearchParams(location.search).get("conversation")) || null;
}

const visible = () => document.visibilityState === "visible";

export function startDiscuss(sidebarEl: HTMLElement, main: HTMLElement): void {
  let selected = idFromUrl();
  let current: Shown | null = null;
  const pages = new ConversationPages((request) => operatorApi.conversations(request));
  const show = (load: Promise<OperatorConversationListDto | null>) =>
    load.then(
      (data) => {
        if (data) sidebar.render(data, selected);
      },
      (err: unknown) => sidebar.fail(errorMessage(err, "")),
    );
  const sidebar = new DiscussSidebar(
    sidebarEl,
    (id) => void select(id, true),
    (id) => take(id),
    { search: (text) => void show(pages.setSearch(text)), more: () => void show(pages.loadMore()) },
  );

  const refreshSidebar = () => show(pages.refresh());
  const refreshSoon = debounce(() => void refreshSidebar(), 150);

  function markRead(): void {
    if (!current || !visible()) return;
    const upTo = readMarkToSend(current.readUpTo, current.thread.lastId);
    if (upTo === null) return;
    const view = current;
    view.readUpTo = upTo;
    operatorApi
      .markRead(view.id, upTo)
      .then(refreshSidebar)
      .catch(() => {
        if (current) current.readUpTo = 0;
      });
  }

  /** Takes a waiting visitor: the conversation becomes this operator's and opens with a working composer. */
  function take(id: number): void {
    operatorApi.take(id).then(
      () => {
        void select(id, true);
        void refreshSidebar();
      },
      (err: unknown) => {
        const message = errorMessage(err, "");
        if (current && current.id === id) current.notice.textContent = message;
        else sidebar.tell(message);
        void refreshSidebar();
      },
    );
  }

  /** No more answers: the whole composer is disabled, and the line says who ended it once known. */
  function showEnded(view: Shown, endedBy: EndedByDto | null): void {
    const text = endedText(endedBy);
    view.notice.textContent = text;
    view.composer.disable(text);
    if (view.ended) return;
    view.ended = true;
    view.visitorTyping.hide();
    view.endButton.hidden = true;
    view.takeButton.hidden = true;
    view.transfer.hidden = true;
    view.header.classList.add("o-ended");
    // Ended elsewhere (by the visitor, another tab, a manager): ask who it was.
    if (!endedBy) {
      operatorApi.conversation(view.id).then(
        (data) => {
          if (current === view && data.endedBy) showEnded(view, data.endedBy);
        },
        () => undefined,
      );
    }
  }

  /** Transferred away: the operator reads why, and answers no more. */
  function showTransferred(view: Shown, notice: string): void {
    view.transferred = true;
    view.composer.disable(t("This conversation was transferred."));
    view.endButton.hidden = true;
    view.transfer.hidden = true;
    view.notice.textContent = notice;
  }

  /** Not assigned yet: the operator reads what the visitor left; answering starts once it is assigned. */
  function showWaiting(view: Shown, c: OperatorConversationDto): void {
    view.waiting = true;
    view.composer.disable(t("Waiting for an operator: answer once it is assigned."));
    view.endButton.hidden = true;
    view.notice.textContent = waitingNotice(c);
  }

  function showEmpty(text: string): void {
    main.replaceChildren(h("div", { class: "o-discuss-empty" }, faIcon("fa-comments"), h("p", { text })));
  }

  function renderConversation(data: OperatorConversationDetailDto): void {
    const c = data.conversation;
    const id = c.id;
    const end = h("button", { class: "btn btn-outline-secondary btn-sm", props: { type: "button" } }, faIcon("fa-right-from-bracket"), " " + t("End conversation"));
    const transcript = h(
      "a",
      { class: "btn btn-outline-secondary btn-sm", props: { href: `/livechat/api/conversations/${id}/transcript`, download: `livechat-${id}.txt` } },
      faIcon("fa-download"),
      " " + t("Transcript"),
    );
    const takeButton = h("button", { class: "btn btn-primary btn-sm", props: { type: "button", hidden: true } }, faIcon("fa-hand"), " " + t("Take"));
    takeButton.setAttribute("aria-label", t("Take the conversation with {name}", { name: c.visitorName }));
    takeButton.addEventListener("click", () => {
      takeButton.disabled = true;
      take(id);
    });
    const transferButton = h("button", { class: "btn btn-outline-secondary btn-sm", props: { type: "button" } }, faIcon("fa-share"), " " + t("Transfer"));
    const transfer = new TransferMenu(id, transferButton, {
      done: (outcome) => {
        if (current?.id === id) showTransferred(current, transferNotice(outcome, c.channel.id));
        void refreshSidebar();
      },
      failed: (message) => {
        if (current?.id === id) current.notice.textContent = message;
      },
    });
    transfer.hidden = c.state !== "open";
    // Actions sit together at the header's end; other controls join them there.
    const actions = h("div", { class: "o-discuss-actions" }, transcript, takeButton, transfer.el, end);
    const header = h(
      "header",
      { class: "o-discuss-header" },
      h("span", { class: "o-discuss-avatar o-discuss-avatar-lg", text: initials(c.visitorName), attrs: { "aria-hidden": "true" } }),
      h(
        "div",
        { class: "o-discuss-titles" },
        h("h1", { class: "h5 mb-0", text: c.visitorName }),
        h("div", { class: "text-muted small", text: conversationDetails(c, shortTime(c.createdAt)) }),
      ),
      actions,
    );
    const thread = operatorThread();
    const notice = h("p", { class: "o-discuss-notice small text-muted", attrs: { role: "status" } });
    const view: Shown = {
      id,
      thread,
      header,
      endButton: end,
      takeButton,
      transfer,
      panel: visitorPanel(data, (earlierId) => void select(earlierId, true)),
      notice,
      visitorName: c.visitorName,
      visitorTyping: new TypingIndicator("o-typing small text-muted"),
      ended: false,
      transferred: false,
      rated: false,
      waiting: false,
      readUpTo: 0,
      composer: composer(async (text, clientMessageId) => {
        thread.add((await operatorApi.post(id, text, clientMessageId)).message);
      }, cannedSource(id), (text) => operatorApi.command(id, text), (typing) => operatorApi.typing(id, typing)),
    };
    view.rated = data.rating !== null;
    // The thread, what goes under it (typing, notices), the composer; the visitor panel beside them.
    const below = h("div", { class: "o-discuss-below-thread" }, view.visitorTyping.el, notice);
    const conversation = h("div", { class: "o-discuss-conversation" }, thread.list, below, view.composer.form);
    main.replaceChildren(header, h("div", { class: "o-discuss-body" }, conversation, view.panel.el));
    current = view;
    data.messages.forEach((m) => thread.add(m));
    end.addEventListener("click", () => {
      end.disabled = true;
      operatorApi.end(id).then(
        () => {
          if (current === view) showEnded(view, null);
          void refreshSidebar();
        },
        (err: unknown) => {
          end.disabled = false;
          notice.textContent = errorMessage(err, "");
        },
      );
    });
    if (c.state === "closed") showEnded(view, data.endedBy);
    else if (isUnassigned(c)) {
      showWaiting(view, c);
      // A visitor in the queue of the operator's channel: his to take. With the chatbot: nobody's yet.
      takeButton.hidden = c.state !== "waiting";
    }
    thread.scrollToEnd();
    if (!view.ended) view.composer.input.focus();
    markRead();
  }

  async function select(id: number, push: boolean): Promise<void> {
    selected = id;
    if (push && idFromUrl() !== id) history.pushState(null, "", `?conversation=${id}`);
    sidebar.select(id);
    try {
      const data = await operatorApi.conversation(id);
      if (selected === id) renderConversation(data);
    } catch (err) {
      if (selected !== id) return;
      current = null;
      showEmpty(answered(err) && err.status === 404 ? t("This conversation does not exist or is not yours.") : errorMessage(err, ""));
    }
  }

  window.addEventListener("popstate", () => {
    const id = idFromUrl();
    if (id) void select(id, false);
    else {
      selected = null;
      current = null;
      showEmpty(t("Choose a conversation on the left."));
      void refreshSidebar();
    }
  });
  // The Messages menu asks for a conversation: here it opens in the main area, not in a window.
  document.addEventListener(OPEN_WINDOW_EVENT, (event) => void select(event.detail.conversationId, true));
  document.addEventListener("visibilitychange", markRead);
  main.addEventListener("focusin", markRead);

  void refreshSidebar().then(() => {
    if (selected) void select(selected, false);
  });

  const bus = window.hostBus;
  if (bus) {
    onNotification(bus, "livechat.message", ({ message }) => {
      if (current && message.conversationId === current.id) {
        if (message.author.kind === "visitor") current.visitorTyping.hide();
        current.thread.add(message);
        markRead();
      }
      refreshSoon();
    });
    onSignal(bus, "livechat.typing", ({ conversationId, typing }) => {
      if (current && conversationId === current.id && !current.ended) current.visitorTyping.show(current.visitorName, typing);
    });
    onNotification(bus, "livechat.conversation", ({ conversation }) => {
      if (current && conversation.id === current.id) {
        if (conversation.state === "closed") showEnded(current, null);
        // Assigned (to this operator) meanwhile: reload it with a working composer.
        else if (current.waiting && conversation.state === "open") void select(current.id, false);
      }
      refreshSoon();
    });
    onNotification(bus, "livechat.rating", ({ conversationId, rating }) => {
      if (!current || current.id !== conversationId || current.rated) return;
      current.rated = true;
      current.panel.showRating(rating);
    });
    onNotification(bus, "livechat.conversation_transferred", ({ conversationId, line }) => {
      if (current && current.id === conversationId) {
        current.thread.add(line);
        // The operator's own transfer says more (to whom it went): that notice stays.
        if (!current.transferred) showTransferred(current, t("This conversation was transferred: it is not yours any more."));
      }
      refreshSoon();
    });
    // Read elsewhere (a chat window, another tab), or a new conversation: the list follows.
    onNotification(bus, "livechat.unread", refreshSoon);
    onNotification(bus, "livechat.conversation_assigned", ({ conversation }) => {
      refreshSoon();
      if (current && current.waiting && conversation.id === current.id) void select(current.id, false);
    });
    // The queues of the operator's channels moved (taken, left, joined): the Waiting group follows.
    onNotification(bus, "livechat.queue", refreshSoon);
    onSignal(bus, "livechat.waiting", refreshSoon);
    bus.onReady(refreshSoon);
  }
  setInterval(() => {
    if (visible()) void refreshSidebar();
  }, SLOW_REFRESH_MS);
}
