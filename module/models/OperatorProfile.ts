import { Column, Entity, PrimaryColumn } from "typeorm";

/** What the module knows about an operator beyond the host user: the name shown to visitors. */
@Entity({ name: "livechat_operator_profile" })
export class OperatorProfile {
  @PrimaryColumn({ name: "user_id", type: "integer" })
  userId: number;

  /** Online Chat Name; empty means the user's own name is shown. */
  @Column({ name: "chat_name", type: String, length: 64, default: "" })
  chatName: string;
}
