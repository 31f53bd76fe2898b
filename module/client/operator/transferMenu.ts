import type { TransferChoices, TransferOutcome, TransferTarget } from "../../services/transfer/TransferService";
import { h } from "../shared/dom";
import { errorMessage } from "../shared/http";
import { t } from "../shared/i18n";
import { operatorApi } from "./operatorApi";

/** What the menu tells the window or Discuss it belongs to. */
export interface TransferListener {
  done(outcome: TransferOutcome): void;
  failed(message: string): void;
}

/**
 * The Transfer button of a conversation and its menu: the available operators of the channel and the
 * other channels, asked for each time it opens (who is free changes by the minute).
 */
export class TransferMenu {
  readonly el: HTMLElement;
  private readonly menu = h("div", { class: "o-transfer-menu dropdown-menu show", attrs: { role: "menu", "aria-label": t("Transfer to") }, props: { hidden: true } });

  constructor(
    private readonly conversationId: number,
    readonly button: HTMLButtonElement,
    private readonly listener: TransferListener,
  ) {
    button.setAttribute("aria-haspopup", "menu");
    button.setAttribute("aria-expanded", "false");
    this.el = h("div", { class: "o-transfer" }, button, this.menu);
    button.addEventListener("click", () => (this.menu.hidden ? void this.open() : this.close()));
    this.el.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || this.menu.hidden) return;
      event.stopPropagation();
      this.close();
      button.focus();
    });
    this.el.addEventListener("focusout", (event) => {
      if (!(event.relatedTarget instanceof Node && this.el.contains(event.relatedTarget))) this.close();
    });
  }

  set hidden(hidden: boolean) {
    this.el.hidden = hidden;
    if (hidden) this.close();
  }

  close(): void {
    this.menu.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
  }

  private async open(): Promise<void> {
    this.menu.replaceChildren(h("p", { class: "dropdown-item-text text-muted small mb-0", text: t("Loading…") }));
    this.menu.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    try {
      this.render(await operatorApi.transferChoices(this.conversationId));
    } catch (err) {
      this.close();
      this.listener.failed(errorMessage(err, ""));
    }
  }

  private render(choices: TransferChoices): void {
    const operators = choices.operators.map((o) => this.item(o.name, { operatorId: o.id }));
    const channels = choices.channels.map((c) => this.item(c.name, { channelId: c.id }));
    this.menu.replaceChildren(
      this.group(t("Operators"), operators.length ? operators : [h("p", { class: "dropdown-item-text text-muted small mb-0", text: t("No other operator of this channel is available now.") })]),
      ...(channels.length ? [this.group(t("Channels"), channels)] : []),
    );
    this.menu.querySelector<HTMLButtonElement>("[role=menuitem]")?.focus();
  }

  private group(label: string, items: HTMLElement[]): HTMLElement {
    return h("div", { attrs: { role: "group", "aria-label": label } }, h("h6", { class: "dropdown-header", text: label, attrs: { "aria-hidden": "true" } }), ...items);
  }

  private item(name: string, target: TransferTarget): HTMLButtonElement {
    const item = h("button", { class: "dropdown-item", text: name, props: { type: "button" }, attrs: { role: "menuitem" } });
    item.addEventListener("click", () => {
      this.menu.querySelectorAll("button").forEach((b) => (b.disabled = true));
      operatorApi.transfer(this.conversationId, target).then(
        (outcome) => {
          this.close();
          this.listener.done(outcome);
        },
        (err: unknown) => {
          this.close();
          this.listener.failed(errorMessage(err, ""));
        },
      );
    });
    return item;
  }
}
