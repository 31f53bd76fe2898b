import { Column, Entity, PrimaryColumn } from "typeorm";

/** A named setting, shared by every instance. */
@Entity({ name: "host_setting" })
export class Setting {
  @PrimaryColumn({ type: String, length: 128 })
  key: string;

  @Column({ type: "text" })
  value: string;
}
