import type { EntityManager } from "typeorm";
import { Conversation } from "../../models/Conversation";

/** The channel's waiting conversations, first come first served. */
export function waitingConversations(m: EntityManager, channelId: number): Promise<Conversation[]> {
  return m.getRepository(Conversation).find({ where: { channelId, state: "waiting" }, order: { id: "ASC" } });
}

/** The conversation's place in its channel's queue (1 is next), or null when it is not waiting. */
export async function queuePosition(m: EntityManager, conversation: Conversation): Promise<number | null> {
  if (conversation.state !== "waiting") return null;
  return m
    .getRepository(Conversation)
    .createQueryBuilder("c")
    .where("c.channel_id = :channelId AND c.state = 'waiting' AND c.id <= :id", { channelId: conversation.channelId, id: conversation.id })
    .getCount();
}
