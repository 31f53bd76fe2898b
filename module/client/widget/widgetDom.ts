import { h, svgIcon } from "../shared/dom";
import { t } from "../shared/i18n";
import { initials } from "../shared/initials";
import type { ConversationView, HeaderView } from "./widgetView";

export const BUBBLE_ICON = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
const MINIMIZE_ICON = "M5 11h14v2H5z";
const SEND_ICON = "M2 21l21-9L2 3v7l15 2-15 2z";

/** The widget's elements: a launcher button and the chat window it opens. */
export function buildWidget() {
  // Icons drawn in SVG: no icon font or emoji font is needed on the visitor's site.
  const launcherText = h("span", { class: "lcw-launcher-text", text: t("Chat with us") });
  const launcherBadge = h("span", { class: "lcw-launcher-badge", props: { hidden: true } });
  const launcher = h(
    "button",
    { class: "lcw-launcher", props: { type: "button" }, attrs: { "aria-label": t("Chat with us") } },
    svgIcon(BUBBLE_ICON, "lcw-launcher-icon"),
    launcherText,
    launcherBadge,
  );

  const avatar = h("span", { class: "lcw-header-avatar", attrs: { "aria-hidden": "true" } });
  const title = h("h2", { class: "lcw-title", text: t("Live chat") });
  const subtitle = h("div", { class: "lcw-subtitle" });
  const endButton = h("button", {
    class: "lcw-end",
    text: t("End"),
    props: { type: "button", title: t("End conversation") },
    attrs: { "aria-label": t("End conversation") },
  });
  const closeButton = h(
    "button",
    { class: "lcw-close", props: { type: "button", title: t("Minimize") }, attrs: { "aria-label": t("Minimize chat") } },
    svgIcon(MINIMIZE_ICON, "lcw-close-icon"),
  );
  const header = h("header", { class: "lcw-header" }, avatar, h("div", { class: "lcw-titles" }, title, subtitle), endButton, closeButton);
  const status = h("p", { class: "lcw-status", props: { hidden: true }, attrs: { role: "status" } });
  const greeting = h("li", { class: "lcw-greeting", props: { hidden: true } });
  const thread = h("ol", { class: "lcw-thread", attrs: { "aria-label": t("Messages"), "aria-live": "polite" } }, greeting);
  const input = h("textarea", {
    props: { rows: 1, maxLength: 4000, placeholder: t("Type your message…") },
    attrs: { "aria-label": t("Your message") },
  });
  const send = h(
    "button",
    { class: "lcw-send", props: { type: "submit", title: t("Send") }, attrs: { "aria-label": t("Send") } },
    svgIcon(SEND_ICON, "lcw-send-icon"),
  );
  const form = h("form", { class: "lcw-composer" }, input, send);
  const error = h("p", { class: "lcw-error", attrs: { role: "alert" } });
  const choices = h("div", { class: "lcw-choices", props: { hidden: true }, attrs: { role: "group", "aria-label": t("Answers") } });
  const restart = h("button", { class: "lcw-restart", text: t("Start a new conversation"), props: { type: "button", hidden: true } });
  const panel = h(
    "section",
    { class: "lcw-window", props: { hidden: true }, attrs: { "aria-label": t("Live chat") } },
    header,
    status,
    thread,
    error,
    choices,
    form,
    restart,
  );

  /** The operator's (or bot's) initials, or a chat bubble while nobody has answered yet. */
  const setAvatar = (name: string | null) => {
    if (name) avatar.textContent = initials(name);
    else avatar.replaceChildren(svgIcon(BUBBLE_ICON, "lcw-header-icon"));
  };
  setAvatar(null);

  return { launcher, launcherText, launcherBadge, panel, title, subtitle, setAvatar, endButton, closeButton, status, thread, greeting, form, input, error, choices, restart };
}

export type WidgetDom = ReturnType<typeof buildWidget>;

/** Shows a conversation's state: header, notice, the chatbot's answer buttons, composer or restart. */
export function showConversation(dom: WidgetDom, view: ConversationView, onAnswer: (label: string) => void): void {
  dom.title.textContent = view.title;
  dom.setAvatar(view.avatarName);
  dom.subtitle.textContent = view.subtitle;
  dom.choices.replaceChildren(
    ...view.answers.map((label) => {
      const choice = h("button", { class: "lcw-choice", text: label, props: { type: "button" } });
      choice.addEventListener("click", () => onAnswer(label));
      return choice;
    }),
  );
  dom.choices.hidden = view.answers.length === 0;
  dom.input.placeholder = view.placeholder;
  dom.status.textContent = view.status;
  dom.status.hidden = !view.status;
  dom.status.classList.toggle("lcw-status-ended", view.ended);
  dom.form.hidden = view.ended;
  dom.endButton.hidden = view.ended;
  dom.restart.hidden = !view.ended;
  dom.greeting.hidden = true;
}

/** Before the conversation starts: the channel's name and welcome message. */
export function showIntro(dom: WidgetDom, view: HeaderView & { greeting: string }): void {
  dom.title.textContent = view.title;
  dom.setAvatar(view.avatarName);
  dom.subtitle.textContent = view.subtitle;
  dom.greeting.textContent = view.greeting;
  dom.greeting.hidden = !view.greeting;
  dom.status.hidden = true;
  dom.form.hidden = false;
  dom.endButton.hidden = true;
  dom.restart.hidden = true;
  dom.choices.hidden = true;
}
