import { Column, Entity, PrimaryColumn } from "typeorm";

/** A group of users; declared by the host (`base.*`) or by a module's manifest. What it implies: GroupImplication. */
@Entity({ name: "host_group" })
export class Group {
  @PrimaryColumn({ type: String, length: 64 })
  id: string;

  @Column({ type: String, length: 128 })
  name: string;

  @Column({ type: String, length: 64 })
  module: string;
}
