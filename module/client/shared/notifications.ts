import type { ChannelLeftNotification } from "../../services/InactivityRule";
import type {
  ChatWindowDto,
  ConversationDto,
  MessageDto,
  OperatorConversationDto,
} from "../../services/conversations/dto";
import type { QueueChange } from "../../services/conversations/queueOrder";
import type { RatingDto } from "../../services/ratings/ConversationRatings";
import type { TypingSignal } from "../../services/conversations/TypingSignals";

/** The module's bus notifications, by type, with what each carries. */
export interface LivechatNotifications {
  "livechat.message": { message: MessageDto };
  "livechat.conversation": { conversation: ConversationDto };
  "livechat.conversation_assigned": { conversation: OperatorConversationDto };
  /** To the operator who had it: the conversation was transferred (`line` says to whom). */
  "livechat.conversation_transferred": { conversationId: number; line: MessageDto };
  "livechat.window": { windows: ChatWindowDto[] };
  /** To the operator: the visitor rated the ended conversation. */
  "livechat.rating": { conversationId: number; rating: RatingDto };
  "livechat.unread": { unreadConversations: number };
  /** The operator read a conversation up to a message (in any tab). */
  "livechat.read": { conversationId: number; lastMessageId: number };
  "livechat.channel_left": ChannelLeftNotification;
  /** To visitors of a channel's queue: conversations that left it or joined it (see QueuePlaceTracker). */
  "livechat.queue": QueueChange;
}

/** The module's bus signals (never stored), by type, with what each carries. */
export interface LivechatSignals {
  "livechat.typing": TypingSignal;
  /** To the channel's operators: a visitor joined the end of its queue. */
  "livechat.waiting": { channelId: number; conversationId: number };
}
