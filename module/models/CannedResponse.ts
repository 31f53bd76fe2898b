import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A canned response: text an operator inserts by typing `:` and its shortcut in a composer. */
@Entity({ name: "livechat_canned_response" })
export class CannedResponse {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  /** Lower-case letters, digits, `-` and `_`; unique. */
  @Column({ type: String, length: 32, unique: true })
  shortcut: string;

  @Column({ type: "text" })
  text: string;

  @Column({ name: "created_by", type: "integer" })
  createdBy: number;

  @Column({ name: "usage_count", type: "integer", default: 0 })
  usageCount: number;

  @Column({ name: "created_at", type: Date })
  createdAt: Date;
}
