// Channels kanban: Join / Leave without reloading the page, and cards that follow removals by the
// inactivity rule. Without this script the buttons still work as plain form posts.
import type { ChannelCard } from "../../services/channelCard";
import { h } from "../shared/dom";
import { onNotification } from "../shared/hostBus";
import { errorMessage, requestJson } from "../shared/http";
import { t } from "../shared/i18n";
import { initials } from "../shared/initials";

export function memberCountText(count: number): string {
  return t("{count} operators", { count });
}

/** What the card's button does next: leave a channel one is in, join one is not. */
export function joinAction(card: Pick<ChannelCard, "id" | "isMember">): { action: string; label: string; className: string } {
  return card.isMember
    ? { action: `/livechat/channels/${card.id}/leave`, label: t("Leave"), className: "btn btn-outline-secondary btn-sm" }
    : { action: `/livechat/channels/${card.id}/join`, label: t("Join"), className: "btn btn-primary btn-sm" };
}

function render(cardEl: Element, channel: ChannelCard): void {
  const form = cardEl.querySelector<HTMLFormElement>("[data-join-form]");
  const button = form?.querySelector("button");
  const members = cardEl.querySelector<HTMLElement>("[data-members]");
  const count = members?.querySelector<HTMLElement>("[data-member-count]");
  if (!form || !button || !members || !count) return;
  const next = joinAction(channel);
  form.action = next.action;
  button.textContent = next.label;
  button.className = next.className;
  members.querySelectorAll(".o-avatar").forEach((a) => a.remove());
  for (const m of channel.members) {
    members.insertBefore(h("span", { class: "o-avatar", text: initials(m.name), props: { title: m.name }, attrs: { "aria-label": m.name } }), count);
  }
  count.textContent = memberCountText(channel.memberCount);
}

function notice(text: string): void {
  const box = document.querySelector("[data-livechat-notice]");
  if (!box) return;
  box.textContent = text;
  box.classList.remove("d-none");
}

export function startChannelsKanban(): void {
  const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
  document.addEventListener("submit", (event) => {
    const form = event.target instanceof Element ? event.target.closest<HTMLFormElement>("[data-join-form]") : null;
    const card = form?.closest("[data-channel-id]");
    const button = form?.querySelector("button");
    if (!form || !card || !button) return;
    event.preventDefault();
    button.disabled = true;
    requestJson<{ channel: ChannelCard }>(
      form.action,
      {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json", "x-csrf-token": csrf },
        body: "{}",
        credentials: "same-origin",
      },
      t("The request failed"),
    )
      .then((res) => {
        render(card, res.channel);
        // The socket follows the queues of the channels one is in: it asks for its channels again.
        window.hostBus?.refresh();
      })
      .catch((err: unknown) => notice(errorMessage(err, t("The request failed."))))
      .finally(() => {
        button.disabled = false;
      });
  });

  const bus = window.hostBus;
  if (!bus) return;
  onNotification(bus, "livechat.channel_left", ({ channels }) => {
    for (const channel of channels) {
      const card = document.querySelector(`[data-channel-id="${channel.id}"]`);
      if (card) render(card, channel);
    }
    notice(t("You were inactive for too long and left your channels. Join again when you are back."));
    bus.refresh();
  });
}
