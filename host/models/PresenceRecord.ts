import { Column, Entity, PrimaryColumn } from "typeorm";

/** When a user last showed real activity, and when an open tab of theirs was last seen. */
@Entity({ name: "host_presence" })
export class PresenceRecord {
  @PrimaryColumn({ name: "user_id", type: "integer" })
  userId: number;

  @Column({ name: "last_activity_at", type: Date, nullable: true })
  lastActivityAt: Date | null;

  @Column({ name: "last_seen_at", type: Date, nullable: true })
  lastSeenAt: Date | null;
}
