import { growWithText, isSendKey } from "../shared/composing";
import { faIcon, h } from "../shared/dom";
import { answered, errorMessage } from "../shared/http";
import { parseCommand } from "../../services/commands/commandText";
import { t } from "../shared/i18n";
import { LostMessage, withNetworkRetry } from "../shared/sending";
import { TypingSender } from "../shared/typingSender";
import { CannedSuggestions, type CannedSource } from "./cannedSuggestions";

export interface Composer {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  /** No more answers (the conversation ended, or is not assigned yet): `reason` in place of the text. */
  disable(reason: string): void;
}

/**
 * The operator's composer, in chat windows and Discuss: Enter sends, Shift+Enter adds a line. A send
 * lost by the network is retried with the same client id, and sending the same text again after an
 * error reuses it too, so a message is never stored twice. With `canned`, `:` and a shortcut insert a
 * canned response. With `typing`, the visitor is told (throttled) that the operator is typing.
 */
export function composer(
  send: (text: string, clientMessageId: string) => Promise<void>,
  canned?: CannedSource,
  runCommand?: (text: string) => Promise<string>,
  typing?: (typing: boolean) => Promise<unknown>,
): Composer {
  const input = h("textarea", {
    class: "form-control form-control-sm",
    props: { rows: 1, maxLength: 4000, placeholder: t("Write a message…") },
    attrs: { "aria-label": t("Message") },
  });
  const sendButton = h(
    "button",
    { class: "btn btn-sm o-composer-send", props: { type: "submit", title: t("Send (Enter)") }, attrs: { "aria-label": t("Send") } },
    faIcon("fa-paper-plane"),
  );
  const error = h("div", { class: "o-composer-error text-danger small", attrs: { role: "alert" } });
  // What a /command answered: for this operator only, never posted.
  const notice = h("div", { class: "o-composer-notice small text-muted", attrs: { role: "status" } });
  const form = h("form", { class: "o-composer" }, input, sendButton, error, notice);
  const suggestions = canned ? new CannedSuggestions(input, canned, t("Canned Responses")) : null;
  if (suggestions) form.append(suggestions.list);
  const lost = new LostMessage();
  const typingSender = typing ? new TypingSender(typing) : null;
  const grow = () => growWithText(input, 120);

  async function command(text: string, run: (text: string) => Promise<string>): Promise<void> {
    input.value = "";
    grow();
    error.textContent = "";
    notice.textContent = "";
    try {
      notice.textContent = await run(text);
    } catch (err) {
      error.textContent = errorMessage(err, t("The command failed."));
      if (!input.value) input.value = text;
    }
  }

  async function submit(): Promise<void> {
    const text = input.value.trim();
    if (!text || input.disabled) return;
    if (runCommand && parseCommand(text)) return command(text, runCommand);
    notice.textContent = "";
    const id = lost.idFor(text);
    input.value = "";
    grow();
    typingSender?.stopped();
    error.textContent = "";
    try {
      await withNetworkRetry(() => send(text, id), 600);
    } catch (err) {
      error.textContent = errorMessage(err, t("The message could not be sent."));
      if (!answered(err)) lost.remember(text, id);
      if (!input.value) {
        input.value = text;
        grow();
      }
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit();
  });
  input.addEventListener("keydown", (event) => {
    if (suggestions?.handleKey(event)) return;
    if (isSendKey(event)) {
      event.preventDefault();
      void submit();
    }
  });
  input.addEventListener("input", () => {
    grow();
    typingSender?.changed(input.value);
  });
  input.addEventListener("blur", () => typingSender?.stopped());
  return {
    form,
    input,
    disable(reason) {
      // Every control, including those other features add to the form.
      form.querySelectorAll<HTMLButtonElement | HTMLTextAreaElement | HTMLInputElement>("button, textarea, input").forEach((control) => {
        control.disabled = true;
      });
      form.setAttribute("aria-disabled", "true");
      input.placeholder = reason;
    },
  };
}
