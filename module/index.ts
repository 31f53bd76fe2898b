import type { HostContract, ModuleDefinition } from "../host/contract";
import { conversationEntities, installConversations } from "./conversations";
import { chatbotEntities } from "./models";
import { loadOperatorsDemo } from "./demo";
import { installOperators, operatorEntities, type OperatorServices } from "./operators";

/** Per host: one process may run several hosts (tests, tools), each with its own services. */
const installed = new WeakMap<HostContract, OperatorServices>();

/** The Live Chat module, as the host loads it. */
const livechat: ModuleDefinition = {
  entities: [...operatorEntities, ...conversationEntities, ...chatbotEntities],
  install(host: HostContract) {
    const operators = installOperators(host);
    installConversations(host, operators);
    installed.set(host, operators);
  },
  async loadDemo(host: HostContract) {
    const services = installed.get(host);
    if (services) await loadOperatorsDemo(host, services);
  },
};

export default livechat;
