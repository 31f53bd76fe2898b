import { Column, Entity, PrimaryColumn } from "typeorm";

/** A channel's waiting queue version (see queueOrder.ts): one row per channel that ever had a queue change. */
@Entity({ name: "livechat_channel_queue" })
export class ChannelQueue {
  @PrimaryColumn({ name: "channel_id", type: "integer" })
  channelId: number;

  @Column({ type: "integer", default: 0 })
  version: number;
}
