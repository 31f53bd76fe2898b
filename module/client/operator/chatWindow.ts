import type { OperatorConversationDto } from "../../services/conversations/dto";
import type { RatingDto } from "../../services/ratings/ConversationRatings";
import { faIcon, h } from "../shared/dom";
import { answered, errorMessage } from "../shared/http";
import { t } from "../shared/i18n";
import { initials } from "../shared/initials";
import type { MessageThread } from "../shared/messageThread";
import { TypingIndicator } from "../shared/typingIndicator";
import { composer, type Composer } from "./composer";
import { cannedSource, operatorApi, type WindowState } from "./operatorApi";
import { operatorThread } from "./operatorThread";
import { readMarkToSend } from "./unread";
import { ratingLine } from "./ratingLine";
import { TransferMenu } from "./transferMenu";
import { toggledFold } from "./windowStack";

/** What a window asks of the chat windows around it. */
export interface WindowHost {
  /** Whether the operator can see the windows at all (page visible, not on Discuss). */
  visible(): boolean;
  /** The operator opens, folds or closes a window: stored on the server for every page and tab. */
  change(window: ChatWindow, state: WindowState | "closed"): void;
  /** The window has nothing to show (the conversation is gone or not the operator's any more). */
  drop(id: number): void;
}

function iconButton(label: string, icon: string): { button: HTMLButtonElement; icon: HTMLElement } {
  const i = faIcon(icon);
  const button = h("button", { class: "btn btn-sm o-chat-action", props: { type: "button", title: label }, attrs: { "aria-label": label } }, i);
  return { button, icon: i };
}

/** One chat window: header (visitor, unread, end, fold, close), thread and composer. */
export class ChatWindow {
  readonly el: HTMLElement;
  readonly thread: MessageThread;
  readonly composer: Composer;
  readonly title = h("h2", { class: "o-chat-title", text: t("Visitor") });
  private readonly subtitle = h("div", { class: "o-chat-subtitle" });
  private readonly avatar = h("span", { class: "o-chat-avatar", text: "…", attrs: { "aria-hidden": "true" } });
  private readonly badge = h("span", { class: "badge rounded-pill o-chat-unread", props: { hidden: true } });
  private readonly notice = h("p", { class: "o-chat-notice small text-muted", attrs: { role: "status" } });
  private readonly visitorTyping = new TypingIndicator("o-typing small text-muted");
  private readonly fold = iconButton(t("Fold"), "fa-minus");
  private readonly endButton: HTMLButtonElement;
  private readonly transfer: TransferMenu;
  state: WindowState;
  unread = 0;
  loaded = false;
  /** Not assigned yet when loaded: answering needs a new composer once it is. */
  waiting = false;
  private ended = false;
  private rated = false;
  private readUpTo = 0;

  constructor(
    readonly id: number,
    state: WindowState,
    private readonly host: WindowHost,
  ) {
    this.state = state;
    this.thread = operatorThread();
    this.composer = composer(async (text, clientMessageId) => {
      const res = await operatorApi.post(id, text, clientMessageId);
      this.thread.add(res.message);
      this.markRead();
    }, cannedSource(id), (text) => operatorApi.command(id, text), (typing) => operatorApi.typing(id, typing));
    const end = iconButton(t("End conversation"), "fa-right-from-bracket");
    this.endButton = end.button;
    const close = iconButton(t("Close"), "fa-xmark");
    this.transfer = new TransferMenu(id, iconButton(t("Transfer"), "fa-share").button, {
      // The conversation is not this operator's any more: his windows close (the bus tells his other tabs).
      done: () => host.change(this, "closed"),
      failed: (message) => (this.notice.textContent = message),
    });
    this.transfer.hidden = true;
    const header = h(
      "header",
      { class: "o-chat-header" },
      this.avatar,
      h("div", { class: "o-chat-titles" }, this.title, this.subtitle),
      this.badge,
      this.transfer.el,
      end.button,
      this.fold.button,
      close.button,
    );
    const body = h("div", { class: "o-chat-body" }, this.thread.list, this.visitorTyping.el, this.notice, this.composer.form);
    this.el = h("section", { class: "o-chat-window shadow", attrs: { "aria-label": t("Chat window") } }, header, body);
    this.el.dataset.conversationId = String(id);

    // Like Odoo, a click on the header's empty space folds or unfolds the window.
    header.addEventListener("click", (event) => {
      if (event.target instanceof Element && event.target.closest("button, .o-transfer")) return;
      host.change(this, toggledFold(this.state));
    });
    this.fold.button.addEventListener("click", () => host.change(this, toggledFold(this.state)));
    close.button.addEventListener("click", () => host.change(this, "closed"));
    end.button.addEventListener("click", () => {
      end.button.disabled = true;
      operatorApi.end(id).then(
        () => this.showEnded(),
        (err: unknown) => {
          end.button.disabled = false;
          this.notice.textContent = errorMessage(err, "");
        },
      );
    });
    this.el.addEventListener("focusin", () => this.markRead());
    this.el.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.state === "open") {
        host.change(this, "folded");
        this.fold.button.focus();
      }
    });
  }

  setState(state: WindowState): void {
    this.state = state;
    const folded = state === "folded";
    this.el.classList.toggle("o-folded", folded);
    this.fold.button.setAttribute("aria-label", folded ? t("Unfold") : t("Fold"));
    this.fold.button.title = folded ? t("Unfold") : t("Fold");
    this.fold.button.setAttribute("aria-expanded", folded ? "false" : "true");
    this.fold.icon.className = `fa-solid ${folded ? "fa-chevron-up" : "fa-minus"}`;
    if (state === "open") this.thread.scrollToEnd();
    this.markRead();
  }

  setUnread(count: number): void {
    this.unread = count;
    this.badge.textContent = String(count);
    this.badge.hidden = count === 0;
    this.badge.setAttribute("aria-label", t("{count} unread", { count }));
  }

  /** Marks what the operator sees as read: only an open window, on screen, once loaded. */
  markRead(): void {
    if (this.state !== "open" || !this.host.visible() || !this.loaded || this.el.hidden) return;
    const upTo = readMarkToSend(this.readUpTo, this.thread.lastId);
    this.setUnread(0);
    if (upTo === null) return;
    this.readUpTo = upTo;
    operatorApi.markRead(this.id, upTo).catch(() => {
      this.readUpTo = 0;
    });
  }

  /** The visitor typed (true) or stopped (false); their message or the end hides it too. */
  showTyping(typing: boolean): void {
    this.visitorTyping.show(this.title.textContent ?? "", typing && !this.ended);
  }

  /** A message arrived: the visitor's own ends their "is typing". */
  messageArrived(kind: string): void {
    if (kind === "visitor") this.visitorTyping.hide();
  }

  /** Read up to `upTo` somewhere else (another tab, Discuss): nothing left unread here if that is the last. */
  readElsewhere(upTo: number): void {
    this.readUpTo = Math.max(this.readUpTo, upTo);
    if (this.loaded && upTo >= this.thread.lastId) this.setUnread(0);
  }

  showEnded(): void {
    if (this.ended) return;
    this.ended = true;
    this.visitorTyping.hide();
    this.el.classList.add("o-ended");
    this.composer.disable(t("This conversation has ended."));
    this.endButton.hidden = true;
    this.transfer.hidden = true;
    this.notice.textContent = t("This conversation has ended.");
  }

  /** The visitor's rating, under the thread: on load, or live when the visitor rates. */
  showRating(rating: RatingDto): void {
    if (this.rated) return;
    this.rated = true;
    this.notice.before(ratingLine(rating));
  }

  async load(): Promise<void> {
    try {
      const data = await operatorApi.conversation(this.id);
      this.show(data.conversation);
      data.messages.forEach((m) => this.thread.add(m));
      this.loaded = true;
      this.setUnread(data.conversation.unread || 0);
      const state = data.conversation.state;
      this.transfer.hidden = state !== "open";
      if (state === "closed") this.showEnded();
      if (data.rating) this.showRating(data.rating);
      else if (state === "waiting" || state === "bot") {
        this.waiting = true;
        this.composer.disable(t("Waiting for an operator."));
        this.notice.textContent = t("This visitor is waiting in the queue.");
      }
      this.thread.scrollToEnd();
      this.markRead();
    } catch (err) {
      // Not ours any more (or gone): the window has nothing to show.
      if (answered(err) && (err.status === 404 || err.status === 403)) this.host.drop(this.id);
    }
  }

  private show(c: OperatorConversationDto): void {
    this.title.textContent = c.visitorName;
    this.avatar.textContent = initials(c.visitorName);
    this.subtitle.textContent = c.channel.name + (c.visitorLang ? ` · ${c.visitorLang}` : "");
  }
}
