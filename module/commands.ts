import type { HostContract } from "../host/contract";
import type { ConversationServices } from "./conversations";
import { commandApi } from "./routes/commandApi";
import { ComposerCommands } from "./services/commands/ComposerCommands";

/** `/commands` in operators' composers: /help, /end, /transfer and those other modules add. */
export function installCommands(host: HostContract, conversations: ConversationServices): ComposerCommands {
  const commands = new ComposerCommands(host, conversations.inbox, conversations.lifecycle, conversations.transfers);
  commandApi(host, commands, conversations.inbox);
  return commands;
}
