import type { MessageDto } from "../../services/conversations/dto";
import { h } from "../shared/dom";
import { locale } from "../shared/i18n";
import { initials } from "../shared/initials";
import { messageText } from "../shared/messageText";
import { messageAuthor } from "./widgetView";

function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
}

/** A message as the visitor sees it: author and time above the text; a system line on its own. */
export function renderMessage(message: MessageDto): HTMLElement {
  const kind = message.author.kind;
  const item = h("li", { class: `lcw-msg lcw-${kind}` });
  if (kind === "system") {
    item.textContent = messageText(message, "visitor");
    if (message.system) item.dataset.systemKey = message.system.key;
    return item;
  }
  const author = messageAuthor(message);
  const name = h("span", { class: "lcw-author" });
  if (author.avatarName) name.append(h("span", { class: "lcw-avatar", text: initials(author.avatarName), attrs: { "aria-hidden": "true" } }));
  name.append(author.label);
  const time = h("time", { class: "lcw-time", text: timeOfDay(message.createdAt), props: { dateTime: message.createdAt } });
  item.append(h("span", { class: "lcw-meta" }, name, time), h("span", { class: "lcw-body", text: message.body }));
  return item;
}
