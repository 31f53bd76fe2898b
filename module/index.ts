import type { HostContract, ModuleDefinition } from "../host/contract";
import { installCannedResponses, loadCannedResponsesDemo } from "./cannedResponses";
import type { CannedResponses } from "./services/CannedResponses";
import { loadChatbotDemo } from "./chatbotDemo";
import { installCommands } from "./commands";
import { conversationEntities, installConversations, type ConversationServices } from "./conversations";
import { loadOperatorsDemo } from "./demo";
import { cannedResponseEntities, chatbotEntities } from "./models";
import { installOperators, operatorEntities, type OperatorServices } from "./operators";
import { installReports } from "./reports";

/** Per host: one process may run several hosts (tests, tools), each with its own services. */
const installed = new WeakMap<HostContract, { operators: OperatorServices; conversations: ConversationServices; canned: CannedResponses }>();

/** The Live Chat module, as the host loads it. */
const livechat: ModuleDefinition = {
  entities: [...operatorEntities, ...conversationEntities, ...chatbotEntities, ...cannedResponseEntities],
  install(host: HostContract) {
    const operators = installOperators(host);
    const conversations = installConversations(host, operators);
    const canned = installCannedResponses(host, operators, conversations);
    installReports(host, operators);
    installCommands(host, conversations);
    installed.set(host, { operators, conversations, canned });
  },
  async loadDemo(host: HostContract) {
    const services = installed.get(host);
    if (!services) return;
    await loadOperatorsDemo(host, services.operators);
    await loadChatbotDemo(host, services.conversations.chatbots);
    await loadCannedResponsesDemo(host, services.canned);
  },
};

export default livechat;
