import type { HostContract } from "../host/contract";
import { channelJoined, OPERATOR_GROUP } from "./api";
import { conversationEntities } from "./models";
import type { OperatorServices } from "./operators";
import { allConversationsRoutes } from "./routes/allConversationsRoutes";
import { operatorApi } from "./routes/operatorApi";
import { chatbotRoutes } from "./routes/chatbotRoutes";
import { settingsRoutes } from "./routes/settingsRoutes";
import { transferApi } from "./routes/transferApi";
import { translationRoutes } from "./routes/translationRoutes";
import { uiRoutes } from "./routes/uiRoutes";
import { visitorApi } from "./routes/visitorApi";
import { AssignmentService } from "./services/assignment/AssignmentService";
import { ChatbotRunner, type ChatbotConversations } from "./services/chatbot/ChatbotRunner";
import { ChatbotScripts } from "./services/chatbot/ChatbotScripts";
import { ConversationRatings } from "./services/ratings/ConversationRatings";
import { ChatWindows } from "./services/conversations/ChatWindows";
import { ConversationLifecycle } from "./services/conversations/ConversationLifecycle";
import { ConversationMessages } from "./services/conversations/ConversationMessages";
import { ConversationNotifier } from "./services/conversations/ConversationNotifier";
import { ConversationQueue } from "./services/conversations/ConversationQueue";
import { ConversationRetention, RETENTION_DEFAULT_DAYS, RETENTION_JOB, RETENTION_SETTING } from "./services/conversations/ConversationRetention";
import { OperatorInbox } from "./services/conversations/OperatorInbox";
import { TypingSignals } from "./services/conversations/TypingSignals";
import { VisitorAccess } from "./services/conversations/VisitorAccess";
import { queueAddress, waitingAddress } from "./services/conversations/queueOrder";
import { TransferService } from "./services/transfer/TransferService";
import { VisitorPanel } from "./services/conversations/VisitorPanel";
import { VisitorMessages } from "./services/conversations/VisitorMessages";
import { OperatorMessages } from "./services/conversations/OperatorMessages";

export interface ConversationServices {
  assignment: AssignmentService;
  lifecycle: ConversationLifecycle;
  messages: ConversationMessages;
  queue: ConversationQueue;
  inbox: OperatorInbox;
  windows: ChatWindows;
  visitors: VisitorAccess;
  visitorMessages: VisitorMessages;
  operatorMessages: OperatorMessages;
  chatbot: ChatbotRunner;
  chatbots: ChatbotScripts;
  ratings: ConversationRatings;
  transfers: TransferService;
  visitorPanel: VisitorPanel;
  typing: TypingSignals;
}

export { conversationEntities };

export const ASSIGN_WAITING_JOB = "livechat.assign_waiting";
export const CLOSE_ABANDONED_JOB = "livechat.close_abandoned_conversations";
export const VISITOR_TIMEOUT_SETTING = "livechat.visitor_timeout_minutes";

/** Visitor conversations: assignment, the waiting queue, messages, the visitor and operator APIs. */
export function installConversations(host: HostContract, operators: OperatorServices): ConversationServices {
  const { profiles } = operators;
  const assignment = new AssignmentService(host, profiles);
  const chatbots = new ChatbotScripts(host);
  const notifier = new ConversationNotifier(host, profiles);
  notifier.onSeatChange((change) => assignment.seatChanged(change));
  const visitors = new VisitorAccess(host);
  const messages = new ConversationMessages(host, profiles, chatbots, visitors, notifier);
  const windows = new ChatWindows(host, notifier);
  const queue = new ConversationQueue(host, profiles, assignment, messages, windows, notifier);
  const inbox = new OperatorInbox(host, profiles, assignment, messages, notifier);
  const forChatbot: ChatbotConversations = {
    locked: (work) => queue.locked(work),
    postAnswer: (conversation, body, clientMessageId) => messages.post(conversation, { kind: "visitor", userId: null }, body, clientMessageId),
    say: async (m, conversation, text) => {
      await messages.addWithin(m, conversation, { kind: "bot", userId: null }, text, null, false);
    },
    assign: async (m, conversation, channel) => (await queue.assign(m, conversation, channel)) !== null,
    changed: (m, conversation) => notifier.conversationChanged(m, conversation),
    joinedQueue: (m, conversation) => notifier.queueChanged(m, conversation.channelId, { joined: [conversation.id] }),
    closed: (m, conversation) => notifier.closed(m, { conversationId: conversation.id, channelId: conversation.channelId, reason: "chatbot" }),
  };
  const chatbot = new ChatbotRunner(host, chatbots, forChatbot);
  const lifecycle = new ConversationLifecycle(host, profiles, queue, messages, notifier, chatbot);
  const ratings = new ConversationRatings(host, notifier);
  const transfers = new TransferService(host, profiles, assignment, queue, messages, windows, notifier);
  const visitorPanel = new VisitorPanel(host, profiles, assignment, inbox);
  const typing = new TypingSignals(host);
  const visitorMessages = new VisitorMessages(host, visitors, messages);
  const operatorMessages = new OperatorMessages(host, profiles);
  const services: ConversationServices = {
    assignment,
    lifecycle,
    messages,
    queue,
    inbox,
    windows,
    visitors,
    visitorMessages,
    operatorMessages,
    chatbot,
    chatbots,
    ratings,
    transfers,
    visitorPanel,
    typing,
  };

  host.bus.authorizeVisitors((token) => visitors.busChannels(token));
  // Operators follow the queues of their channels, for Discuss's Waiting group (ids only, as visitors do).
  host.bus.addUserChannels(async (user) =>
    user.groups.includes(OPERATOR_GROUP) ? (await operators.channels.channelIdsOf(user.id)).flatMap((id) => [queueAddress(id), waitingAddress(id)]) : [],
  );
  visitorApi(host, services, operators.channels);
  operatorApi(host, services);
  transferApi(host, transfers, inbox);
  allConversationsRoutes(host, inbox, operators.channels, operators.expertise);
  uiRoutes(host, operators.channels);
  settingsRoutes(host);
  chatbotRoutes(host, chatbots, operators.expertise);
  translationRoutes(host, chatbots);

  // Capacity appears when an operator joins, when a conversation ends (ConversationLifecycle.end), and
  // when an operator comes back online: the job covers the last case.
  channelJoined.on(host.hooks, async ({ channelId }) => {
    await queue.assignWaiting(channelId);
  });
  host.scheduler.register(ASSIGN_WAITING_JOB, 10_000, async () => {
    for (const channelId of await queue.channelsWithWaiting()) await queue.assignWaiting(channelId);
  });
  host.scheduler.register(CLOSE_ABANDONED_JOB, 60_000, async () => {
    await lifecycle.closeAbandoned(await host.settings.getNumber(VISITOR_TIMEOUT_SETTING, 15));
  });
  const retention = new ConversationRetention(host);
  host.scheduler.register(RETENTION_JOB, 3600_000, async () => {
    await retention.deleteEnded(await host.settings.getNumber(RETENTION_SETTING, RETENTION_DEFAULT_DAYS));
  });
  return services;
}
