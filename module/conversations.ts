import type { HostContract } from "../host/contract";
import { conversationEntities } from "./models";
import type { OperatorServices } from "./operators";
import { operatorApi } from "./routes/operatorApi";
import { chatbotRoutes } from "./routes/chatbotRoutes";
import { uiRoutes } from "./routes/uiRoutes";
import { visitorApi } from "./routes/visitorApi";
import { AssignmentService } from "./services/assignment/AssignmentService";
import { CHANNEL_JOINED_EVENT, type ChannelJoinedEvent } from "./services/ChannelService";
import { ChatbotRunner } from "./services/chatbot/ChatbotRunner";
import { ChatbotScripts } from "./services/chatbot/ChatbotScripts";
import { ConversationService } from "./services/conversations/ConversationService";

export interface ConversationServices {
  assignment: AssignmentService;
  conversations: ConversationService;
  chatbots: ChatbotScripts;
}

export { conversationEntities };

export const ASSIGN_WAITING_JOB = "livechat.assign_waiting";
export const CLOSE_ABANDONED_JOB = "livechat.close_abandoned_conversations";
export const VISITOR_TIMEOUT_SETTING = "livechat.visitor_timeout_minutes";

/** Visitor conversations: assignment, the waiting queue, messages, the visitor and operator APIs. */
export function installConversations(host: HostContract, operators: OperatorServices): ConversationServices {
  const assignment = new AssignmentService(host, operators.profiles);
  const conversations = new ConversationService(host, operators.profiles, assignment);
  const chatbots = new ChatbotScripts(host);
  conversations.chatbot = new ChatbotRunner(host, chatbots, conversations, assignment);
  host.bus.authorizeVisitors((token) => conversations.visitorChannels(token));
  visitorApi(host, conversations, assignment, operators.channels);
  operatorApi(host, conversations);
  uiRoutes(host, operators.channels);
  chatbotRoutes(host, chatbots, operators.expertise);

  // Capacity appears when an operator joins, when a conversation ends (ConversationService.end), and
  // when an operator comes back online: the job covers the last case.
  host.hooks.on<ChannelJoinedEvent>(CHANNEL_JOINED_EVENT, async ({ channelId }) => {
    await conversations.assignWaiting(channelId);
  });
  host.scheduler.register(ASSIGN_WAITING_JOB, 10_000, async () => {
    for (const channelId of await conversations.channelsWithWaiting()) await conversations.assignWaiting(channelId);
  });
  host.scheduler.register(CLOSE_ABANDONED_JOB, 60_000, async () => {
    await conversations.closeAbandoned(await host.settings.getNumber(VISITOR_TIMEOUT_SETTING, 15));
  });
  return { assignment, conversations, chatbots };
}
