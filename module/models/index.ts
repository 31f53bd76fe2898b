import { ChannelMember } from "./ChannelMember";
import { ChatWindow } from "./ChatWindow";
import { Conversation } from "./Conversation";
import { ConversationRead } from "./ConversationRead";
import { Message } from "./Message";
import { ChannelMembershipEvent } from "./ChannelMembershipEvent";
import { Expertise } from "./Expertise";
import { ExpertiseOperator } from "./ExpertiseOperator";
import { LivechatChannel } from "./LivechatChannel";
import { OperatorLanguage } from "./OperatorLanguage";
import { OperatorProfile } from "./OperatorProfile";

export const operatorEntities = [
  OperatorProfile,
  OperatorLanguage,
  Expertise,
  ExpertiseOperator,
  LivechatChannel,
  ChannelMember,
  ChannelMembershipEvent,
];

export const conversationEntities = [Conversation, Message, ConversationRead, ChatWindow];
