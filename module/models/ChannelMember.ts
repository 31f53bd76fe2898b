import { Column, Entity, PrimaryColumn } from "typeorm";

/** An operator who joined a channel and may be assigned its conversations. */
@Entity({ name: "livechat_channel_member" })
export class ChannelMember {
  @PrimaryColumn({ name: "channel_id", type: "integer" })
  channelId: number;

  @PrimaryColumn({ name: "user_id", type: "integer" })
  userId: number;

  @Column({ name: "joined_at", type: Date })
  joinedAt: Date;
}
