// Discuss's visitor panel, beside the thread: who the visitor is, where the chat started, what they
// told the chatbot, their rating, and their earlier conversations (those the operator may open).
import type { ConversationState } from "../../models/Conversation";
import type { OperatorConversationDetailDto } from "../../services/conversations/dto";
import type { RatingDto } from "../../services/ratings/ConversationRatings";
import { h } from "../shared/dom";
import { locale, t } from "../shared/i18n";
import { initials } from "../shared/initials";
import { ratingLine } from "./ratingLine";
import { shortTime } from "./shortTime";

type Detail = OperatorConversationDetailDto;

/** "French (France)" for `fr_FR`, in the reader's language; the code itself when Intl does not know it. */
export function languageName(code: string, lang = locale()): string {
  const tag = code.replace(/_/g, "-");
  try {
    return new Intl.DisplayNames([lang], { type: "language", languageDisplay: "standard" }).of(tag) ?? code;
  } catch {
    return code;
  }
}

/** A state as the lists name it. */
export function stateLabel(state: ConversationState): string {
  if (state === "bot") return t("With the chatbot");
  if (state === "waiting") return t("Waiting");
  if (state === "open") return t("Open");
  return t("Ended");
}

function field(list: HTMLElement, label: string, value: Node | string): void {
  list.append(h("dt", { text: label }), h("dd", {}, value));
}

/** An address shown without its scheme, opened in a new tab without telling the site where from. */
function pageLink(url: string): HTMLAnchorElement {
  return h("a", {
    text: url.replace(/^https?:\/\//, ""),
    props: { href: url, target: "_blank", rel: "noopener noreferrer", title: url },
  });
}

function section(title: string, ...content: Node[]): HTMLElement {
  return h("section", { class: "o-panel-section" }, h("h3", { class: "o-panel-title", text: title }), ...content);
}

/** The panel's element, and a way to show a rating that arrives while it is on screen. */
export interface VisitorPanel {
  el: HTMLElement;
  showRating(rating: RatingDto): void;
}

/** The panel for one conversation; `onOpen` opens an earlier conversation in Discuss. */
export function visitorPanel(data: Detail, onOpen: (id: number) => void): VisitorPanel {
  const v = data.visitor;
  const panel = h("aside", { class: "o-discuss-panel", attrs: { "aria-label": t("Visitor information") } });
  panel.append(
    h(
      "header",
      { class: "o-panel-header" },
      h("span", { class: "o-discuss-avatar o-discuss-avatar-lg", text: initials(v.name), attrs: { "aria-hidden": "true" } }),
      h("h2", { class: "h6 mb-0", text: v.name }),
    ),
  );
  const facts = h("dl", { class: "o-panel-facts" });
  if (v.lang) field(facts, t("Language"), languageName(v.lang));
  if (v.startPage) field(facts, t("Started on"), pageLink(v.startPage));
  if (v.referrer) field(facts, t("Referrer"), pageLink(v.referrer));
  if (v.email) field(facts, t("Email"), h("a", { text: v.email, props: { href: `mailto:${v.email}` } }));
  if (v.phone) field(facts, t("Phone"), h("a", { text: v.phone, props: { href: `tel:${v.phone.replace(/[^+\d]/g, "")}` } }));
  if (facts.childElementCount) panel.append(facts);
  // What the visitor told the chatbot before the hand-off.
  if (data.answers.length) {
    const answers = h("dl", { class: "o-discuss-answers", attrs: { "aria-label": t("Visitor's answers") } });
    for (const a of data.answers) answers.append(h("dt", { text: a.question }), h("dd", { text: a.value }));
    panel.append(section(t("Chatbot answers"), answers));
  }
  const rating = section(t("Rating"));
  rating.hidden = true;
  const showRating = (value: RatingDto) => {
    rating.append(ratingLine(value));
    rating.hidden = false;
  };
  if (data.rating) showRating(data.rating);
  panel.append(rating);
  const earlier = h("ul", { class: "list-unstyled o-panel-earlier", attrs: { "aria-label": t("Earlier conversations") } });
  for (const c of v.earlier) {
    const link = h(
      "a",
      { props: { href: `?conversation=${c.id}` } },
      h("span", { class: "o-panel-earlier-date", text: shortTime(c.createdAt) }),
      h("span", { class: "text-muted", text: ` · ${c.channelName} · ${stateLabel(c.state)}` + (c.operatorName ? ` · ${c.operatorName}` : "") }),
    );
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      onOpen(c.id);
    });
    earlier.append(h("li", {}, link));
  }
  panel.append(
    section(t("Earlier conversations"), v.earlier.length ? earlier : h("p", { class: "text-muted small mb-0", text: t("No earlier conversation.") })),
  );
  return { el: panel, showRating };
}
