import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A language the host knows; only enabled ones can be chosen anywhere. */
@Entity({ name: "host_language" })
export class Language {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ type: String, length: 16, unique: true })
  code: string;

  @Column({ name: "iso_code", type: String, length: 8 })
  isoCode: string;

  @Column({ type: String, length: 64 })
  name: string;

  @Column({ type: Boolean, default: false })
  enabled: boolean;
}
