import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

export type MembershipAction = "joined" | "left";
/** Who caused it: the operator, a manager editing the channel, or the inactivity rule. */
export type MembershipReason = "self" | "manager" | "inactivity";

/** The history of who joined and left which channel, when and why. */
@Entity({ name: "livechat_channel_membership_event" })
@Index(["channelId", "at"])
export class ChannelMembershipEvent {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ name: "channel_id", type: "integer" })
  channelId: number;

  @Column({ name: "user_id", type: "integer" })
  userId: number;

  @Column({ type: String, length: 8 })
  action: MembershipAction;

  @Column({ type: String, length: 16 })
  reason: MembershipReason;

  /** The user who made the change (the operator, or the manager); null for the inactivity rule. */
  @Column({ name: "actor_id", type: "integer", nullable: true })
  actorId: number | null;

  @Column({ type: Date })
  at: Date;
}
