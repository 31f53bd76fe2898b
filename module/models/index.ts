import { CannedResponse } from "./CannedResponse";
import { CannedResponseChannel } from "./CannedResponseChannel";
import { ChannelMember } from "./ChannelMember";
import { ChannelQueue } from "./ChannelQueue";
import { ChatbotAnswer } from "./ChatbotAnswer";
import { ChatbotScript } from "./ChatbotScript";
import { ChatbotStep } from "./ChatbotStep";
import { ChatbotStepExpertise } from "./ChatbotStepExpertise";
import { ConversationAnswer } from "./ConversationAnswer";
import { ConversationExpertise } from "./ConversationExpertise";
import { ChatWindow } from "./ChatWindow";
import { Conversation } from "./Conversation";
import { ConversationRating } from "./ConversationRating";
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

export const conversationEntities = [Conversation, ConversationRating, ConversationExpertise, Message, ConversationRead, ChatWindow, ChannelQueue];

export const chatbotEntities = [ChatbotScript, ChatbotStep, ChatbotStepExpertise, ChatbotAnswer, ConversationAnswer];

export const cannedResponseEntities = [CannedResponse, CannedResponseChannel];
