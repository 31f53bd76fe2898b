import { Entity, Index, PrimaryColumn } from "typeorm";

/** Membership of `groupId` implies membership of `impliedGroupId` (a manager is also an operator). */
@Entity({ name: "host_group_implication" })
@Index(["impliedGroupId"])
export class GroupImplication {
  @PrimaryColumn({ name: "group_id", type: String, length: 64 })
  groupId: string;

  @PrimaryColumn({ name: "implied_group_id", type: String, length: 64 })
  impliedGroupId: string;
}
