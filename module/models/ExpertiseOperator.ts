import { Entity, PrimaryColumn } from "typeorm";

/** An operator having an expertise: the one relation both the profile and the expertise form edit. */
@Entity({ name: "livechat_expertise_operator" })
export class ExpertiseOperator {
  @PrimaryColumn({ name: "expertise_id", type: "integer" })
  expertiseId: number;

  @PrimaryColumn({ name: "user_id", type: "integer" })
  userId: number;
}
