import type { EntityManager } from "typeorm";
import { busAddress } from "../../../host/contract";
import { ChannelQueue } from "../../models/ChannelQueue";
import { Conversation } from "../../models/Conversation";

/*
 * The waiting queue of a channel, first come first served (by conversation id).
 *
 * Positions are not told to each waiting visitor: that would cost one stored notification per
 * waiting visitor at every move. Instead each change of the queue (conversations leaving it, or
 * joining it ahead of others, as a chatbot conversation forwarded late does) raises the channel's
 * queue version and publishes one notification on the channel's queue address, carrying the version
 * and the ids that left or joined. A widget knows its own id, its position and the version that
 * position was counted at; it adds the changes of later versions ahead of it. A newcomer joining the
 * end of the queue moves nobody, and is told nothing.
 */

/** The bus address of a channel's queue: what visitors waiting in it (or talking with its chatbot) listen to. */
export const queueAddress = (channelId: number): string => busAddress.record("livechat.queue", channelId);
/** Where the channel's operators hear that a visitor joined the end of its queue (which moves no waiting visitor). */
export const waitingAddress = (channelId: number): string => busAddress.record("livechat.waiting", channelId);

/** What the channel's queue notification carries: nothing about visitors but the ordering keys (conversation ids). */
export interface QueueChange {
  channelId: number;
  version: number;
  left: number[];
  joined: number[];
}

/** A waiting conversation's place (1 is next) and the channel's queue version it was counted at. */
export interface QueuePlace {
  position: number;
  version: number;
}

/** The channel's first waiting conversation, if any. */
export function firstWaiting(m: EntityManager, channelId: number): Promise<Conversation | null> {
  return m.getRepository(Conversation).findOne({ where: { channelId, state: "waiting" }, order: { id: "ASC" } });
}

/** The conversation's place in its channel's queue, with the version counted at; null when it is not waiting. */
export async function queuePlace(m: EntityManager, conversation: Conversation): Promise<QueuePlace | null> {
  if (conversation.state !== "waiting") return null;
  // One statement: the count and the version come from the same snapshot of the database.
  const row = await m
    .getRepository(Conversation)
    .createQueryBuilder("me")
    .select("(SELECT COUNT(*) FROM livechat_conversation w WHERE w.channel_id = me.channel_id AND w.state = 'waiting' AND w.id <= me.id)", "position")
    .addSelect("(SELECT q.version FROM livechat_channel_queue q WHERE q.channel_id = me.channel_id)", "version")
    .where("me.id = :id", { id: conversation.id })
    .getRawOne<{ position: number | string; version: number | string | null }>();
  if (!row) return null;
  return { position: Number(row.position), version: row.version === null ? 0 : Number(row.version) };
}

/** The conversation's place in its channel's queue (1 is next), or null when it is not waiting. */
export async function queuePosition(m: EntityManager, conversation: Conversation): Promise<number | null> {
  return (await queuePlace(m, conversation))?.position ?? null;
}

/** Raises the channel's queue version in the caller's transaction (which it serializes with other changes); returns it. */
export async function nextQueueVersion(m: EntityManager, channelId: number): Promise<number> {
  const repo = m.getRepository(ChannelQueue);
  await repo.createQueryBuilder().insert().values({ channelId, version: 0 }).orIgnore().execute();
  await repo.increment({ channelId }, "version", 1);
  return (await repo.findOneByOrFail({ channelId })).version;
}
