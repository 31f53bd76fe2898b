/**
 * The Live Chat module's public API: everything a module that depends on `livechat` may use, besides
 * `host/contract.ts`. Anything else in `module/` may change without notice.
 *
 * Extension points are typed hooks: `assignmentCandidates.add(host.hooks, handler)` to filter the
 * operators a conversation may go to, `conversationClosed.on(host.hooks, handler)` to hear about an
 * end, and so on. Events are emitted after the change is committed.
 */
import { EventHook, FilterHook, type HostUser } from "../host/contract";
import type { ClosedReason } from "./models/Conversation";
import type { AssignmentChoice, AssignmentRequest, Candidate } from "./services/assignment/chooseOperator";
import type { MessageDto } from "./services/conversations/dto";

export type { ClosedReason, ConversationState } from "./models/Conversation";
export type { AuthorKind } from "./models/Message";
export type { AssignmentChoice, AssignmentRequest, Candidate, PreferenceTier } from "./services/assignment/chooseOperator";
export type {
  ChannelInfoDto,
  ChatWindowDto,
  ConversationDto,
  MessageDto,
  OperatorConversationDetailDto,
  OperatorConversationDto,
  OperatorConversationListDto,
  StartedConversationDto,
} from "./services/conversations/dto";

/** Live Chat / Operator: may join channels and answer visitors. */
export const OPERATOR_GROUP = "livechat.user";
/** Live Chat / Administrator: manages channels, expertise, chatbots and operators; sees every conversation. */
export const MANAGER_GROUP = "livechat.manager";

/** What assignment filters and rankers know about the conversation being assigned. */
export interface AssignmentContext {
  channelId: number;
  conversationId: number;
  request: AssignmentRequest;
}

/**
 * The channel's operators as assignment sees them (availability, load, languages, expertise), before
 * the decision: return them filtered (someone removed is never chosen) or with facts changed.
 */
export const assignmentCandidates = new FilterHook<Candidate[], AssignmentContext>("livechat.assignment_candidates");

/**
 * Those who may take the conversation now, best first, as the module ranked them: return them
 * re-ordered (the first one gets it) or shortened. Handlers cannot add anyone.
 */
export const assignmentRanking = new FilterHook<AssignmentChoice[], AssignmentContext>("livechat.assignment_ranking");

export interface ConversationStartedEvent {
  conversationId: number;
  channelId: number;
}

export interface ConversationAssignedEvent {
  conversationId: number;
  channelId: number;
  operatorId: number;
  /**
   * The preference that chose the operator, `taken` when an operator took it from the Waiting list,
   * or `transferred` when another operator (or a manager) transferred it to him.
   */
  tier: AssignmentChoice["tier"] | "taken" | "transferred";
}

export interface ConversationClosedEvent {
  conversationId: number;
  channelId: number;
  reason: ClosedReason;
}

/** A message a visitor or an operator posted (not the bot's or the system's). */
export interface MessagePostedEvent {
  conversationId: number;
  message: MessageDto;
}

export interface ChannelJoinedEvent {
  channelId: number;
  userId: number;
}

/** A visitor started a conversation (the chatbot, the queue or an operator has it by now). */
export const conversationStarted = new EventHook<ConversationStartedEvent>("livechat.conversation_created");
/** An operator was given a conversation. */
export const conversationAssigned = new EventHook<ConversationAssignedEvent>("livechat.conversation_assigned");
/** A conversation ended: by the visitor, the operator, the chatbot or inactivity. */
export const conversationClosed = new EventHook<ConversationClosedEvent>("livechat.conversation_closed");
export const messagePosted = new EventHook<MessagePostedEvent>("livechat.message_posted");
/** An operator joined a channel (waiting visitors may now be served). */
export const channelJoined = new EventHook<ChannelJoinedEvent>("livechat.channel_joined");

/** What a composer command is run with: the conversation it was typed in, by whom, and what followed the name. */
export interface ComposerCommandContext {
  conversationId: number;
  user: HostUser;
  /** The text after `/name `, trimmed. */
  args: string;
  /** The operator's language (a locale code such as `fr_FR`), for the words the command answers. */
  lang: string;
}

/**
 * A `/command` operators type in a composer instead of a message. `run` answers a short notice shown
 * to the operator only (nothing is posted unless the command posts it); throwing a DomainError shows
 * its message instead.
 */
export interface ComposerCommand {
  /** Typed after `/`: lower-case letters, digits, `-` and `_`. */
  name: string;
  /** One line for `/help`, in `lang`: the declaring module translates its own words. */
  describe(lang: string): string;
  run(context: ComposerCommandContext): Promise<string>;
}

/** The commands of the composer, after `/help` and `/end`: add yours by returning the list with it. */
export const composerCommands = new FilterHook<ComposerCommand[], { user: HostUser }>("livechat.composer_commands");
