import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

/** An area of Live Chat Expertise, such as Billing. */
@Entity({ name: "livechat_expertise" })
export class Expertise {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ type: String, length: 64 })
  name: string;

  /** The name lower-cased, unique: two expertise may not differ only by case. */
  @Column({ name: "name_key", type: String, length: 64, unique: true })
  nameKey: string;
}
