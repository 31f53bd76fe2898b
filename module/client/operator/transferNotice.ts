import type { TransferOutcome } from "../../services/transfer/TransferService";
import { t } from "../shared/i18n";

/** What the operator reads once his transfer went through (the same words as the /transfer command's). */
export function transferNotice(outcome: TransferOutcome, fromChannelId: number): string {
  const vars = { name: outcome.operator?.name ?? "", channel: outcome.channel.name };
  if (outcome.channel.id === fromChannelId) return t("Transferred to {name}.", vars);
  if (outcome.operator) return t("Transferred to the channel {channel}: {name} has it now.", vars);
  return t("Transferred to the channel {channel}: nobody is available there, the visitor waits in its queue.", vars);
}
