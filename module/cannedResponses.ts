import type { HostContract } from "../host/contract";
import { MANAGER_GROUP } from "./api";
import type { ConversationServices } from "./conversations";
import type { OperatorServices } from "./operators";
import { cannedResponseApi } from "./routes/cannedResponseApi";
import { cannedResponseRoutes } from "./routes/cannedResponseRoutes";
import { CannedResponses } from "./services/CannedResponses";

/** Canned responses: the configuration pages and what composers ask of them. */
export function installCannedResponses(host: HostContract, operators: OperatorServices, conversations: ConversationServices): CannedResponses {
  const responses = new CannedResponses(host, operators.channels);
  cannedResponseRoutes(host, responses);
  cannedResponseApi(host, responses, conversations.inbox, operators.profiles);
  return responses;
}

/** Demo responses, written by the first Live Chat administrator, offered in every channel. */
export async function loadCannedResponsesDemo(host: HostContract, responses: CannedResponses): Promise<void> {
  const [manager] = await host.users.inGroup(MANAGER_GROUP);
  if (!manager) return;
  await responses.save(null, { shortcut: "hello", text: "Hello {visitor_name}, I am {operator_name}. How can I help you?", channelIds: [] }, manager);
  await responses.save(null, { shortcut: "order", text: "Could you give me your order number, please?", channelIds: [] }, manager);
  await responses.save(null, { shortcut: "bye", text: "Thank you for chatting with us, {visitor_name}. Have a nice day!", channelIds: [] }, manager);
}
