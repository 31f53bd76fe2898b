import type { MessageDto } from "../../services/conversations/dto";
import { h } from "../shared/dom";
import { locale, t } from "../shared/i18n";
import { initials } from "../shared/initials";
import { MessageThread } from "../shared/messageThread";
import { messageText } from "../shared/messageText";
import { daySeparators } from "./daySeparators";
import { shortTime } from "./shortTime";

/** An operator's message row: avatar, author and time above the text; a system line on its own. */
function renderMessage(message: MessageDto): HTMLElement {
  const kind = message.author.kind;
  const item = h("li", { class: `o-msg o-msg-${kind}` });
  if (kind === "system") {
    item.append(h("span", { class: "o-msg-system", text: messageText(message, "operator") }));
    return item;
  }
  const time = h("time", {
    class: "o-msg-time",
    text: shortTime(message.createdAt),
    props: { dateTime: message.createdAt, title: new Date(message.createdAt).toLocaleString(locale()) },
  });
  item.append(
    h("span", { class: "o-msg-avatar", text: initials(message.author.name), attrs: { "aria-hidden": "true" } }),
    h(
      "div",
      { class: "o-msg-content" },
      h("div", { class: "o-msg-head" }, h("span", { class: "o-msg-author", text: message.author.name }), time),
      h("div", { class: "o-msg-body", text: message.body }),
    ),
  );
  return item;
}

/**
 * Whether the list follows a new message to the bottom: when the reader was there, or when it is the
 * operator's own; someone who scrolled up to read keeps their place.
 */
export function followsToBottom(message: MessageDto, readerAtBottom: boolean): boolean {
  return readerAtBottom || message.author.kind === "operator";
}

/** An empty message list with its accessible name, and the thread that fills it. */
export function operatorThread(): MessageThread {
  const list = h("ol", {
    class: "o-thread list-unstyled",
    props: { tabIndex: 0 },
    attrs: { "aria-label": t("Messages"), "aria-live": "polite" },
  });
  return new MessageThread(list, renderMessage, followsToBottom, (rows) => daySeparators(rows));
}
