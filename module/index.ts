import type { HostContract, ModuleDefinition } from "../host/contract";
import { loadChatbotDemo } from "./chatbotDemo";
import { conversationEntities, installConversations, type ConversationServices } from "./conversations";
import { loadOperatorsDemo } from "./demo";
import { chatbotEntities } from "./models";
import { installOperators, operatorEntities, type OperatorServices } from "./operators";

/** Per host: one process may run several hosts (tests, tools), each with its own services. */
const installed = new WeakMap<HostContract, { operators: OperatorServices; conversations: ConversationServices }>();

/** The Live Chat module, as the host loads it. */
const livechat: ModuleDefinition = {
  entities: [...operatorEntities, ...conversationEntities, ...chatbotEntities],
  install(host: HostContract) {
    const operators = installOperators(host);
    installed.set(host, { operators, conversations: installConversations(host, operators) });
  },
  async loadDemo(host: HostContract) {
    const services = installed.get(host);
    if (!services) return;
    await loadOperatorsDemo(host, services.operators);
    await loadChatbotDemo(host, services.conversations.chatbots);
  },
};

export default livechat;
