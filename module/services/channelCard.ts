import type { HostUser } from "../../host/contract";
import type { ChannelWithMembers } from "./ChannelService";

/** A card of the Channels kanban, as the page and the Join/Leave JSON answers show it. */
export function channelCard({ channel, members }: ChannelWithMembers, user: HostUser) {
  return {
    id: channel.id,
    name: channel.name,
    maxSessions: channel.maxSessions,
    members: members.map((m) => ({ id: m.id, name: m.name })),
    memberCount: members.length,
    isMember: members.some((m) => m.id === user.id),
  };
}

export type ChannelCard = ReturnType<typeof channelCard>;
