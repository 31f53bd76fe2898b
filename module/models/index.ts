import { ChannelMember } from "./ChannelMember";
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
