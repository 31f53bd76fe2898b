import { busAddress, type HostContract } from "../../host/contract";
import type { ChannelService } from "./ChannelService";
import { channelCard, type ChannelCard } from "./channelCard";

export const INACTIVITY_SETTING = "livechat.inactivity_minutes";
export const DEFAULT_INACTIVITY_MINUTES = 30;
export const INACTIVITY_JOB = "livechat.remove_inactive_operators";

/** What the operator's pages receive when they were taken out of channels: the cards as they are now. */
export interface ChannelLeftNotification {
  channelIds: number[];
  reason: "inactivity";
  channels: ChannelCard[];
}

/**
 * Operators with no real activity for more than the threshold (30 minutes by default) count as
 * disconnected: they leave every channel they joined, with the reason recorded, and are told so.
 * Safe to run twice: an operator already removed is not removed (nor told) again.
 */
export async function removeInactiveOperators(host: HostContract, channels: ChannelService): Promise<Map<number, number[]>> {
  const minutes = await host.settings.getNumber(INACTIVITY_SETTING, DEFAULT_INACTIVITY_MINUTES);
  const before = new Date(host.clock.now().getTime() - minutes * 60_000);
  const removed = new Map<number, number[]>();
  for (const userId of await channels.membersIdleSince(before)) {
    // Asked again just before removing: an operator who came back, or joined a channel again, while
    // the job went through the others keeps what they have now.
    if ((await host.presence.inactiveSince([userId], before)).length === 0) continue;
    const left = await channels.removeEverywhere(userId, "inactivity", { joinedBefore: before });
    if (left.length === 0) continue;
    removed.set(userId, left);
    const user = await host.users.get(userId);
    const cards = user ? await Promise.all(left.map(async (id) => channelCard(await channels.get(id), user))) : [];
    await host.bus.publish<ChannelLeftNotification>(busAddress.user(userId), "livechat.channel_left", {
      channelIds: left,
      reason: "inactivity",
      channels: cards,
    });
  }
  if (removed.size) host.logger.info("livechat: removed inactive operators from their channels", { operators: [...removed.keys()] });
  return removed;
}
