import { Column, Entity, PrimaryColumn } from "typeorm";

/** When a user last showed real activity, when an open tab of theirs was last seen, and how many tabs are open. */
@Entity({ name: "host_presence" })
export class PresenceRecord {
  @PrimaryColumn({ name: "user_id", type: "integer" })
  userId: number;

  @Column({ name: "last_activity_at", type: Date, nullable: true })
  lastActivityAt: Date | null;

  @Column({ name: "last_seen_at", type: Date, nullable: true })
  lastSeenAt: Date | null;

  /** Open bus sockets of the user on every instance (each tab keeps one). */
  @Column({ name: "open_tabs", type: "integer", default: 0 })
  openTabs: number;

  /** When the user's last open socket closed: past a short grace (a reload), the user is offline. */
  @Column({ name: "tabs_closed_at", type: Date, nullable: true })
  tabsClosedAt: Date | null;
}
