import { Entity, PrimaryColumn } from "typeorm";

/** Membership of a user in a group (only direct memberships; implied groups are derived). */
@Entity({ name: "host_user_group" })
export class UserGroup {
  @PrimaryColumn({ name: "user_id", type: "integer" })
  userId: number;

  @PrimaryColumn({ name: "group_id", type: String, length: 64 })
  groupId: string;
}
