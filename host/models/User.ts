import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A person who logs in to the host. Modules keep their own data about users in their own tables. */
@Entity({ name: "host_user" })
export class User {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ type: String, length: 64, unique: true })
  login: string;

  @Column({ type: String, length: 128 })
  name: string;

  @Column({ name: "password_hash", type: String, length: 255 })
  passwordHash: string;

  @Column({ name: "lang_code", type: String, length: 16 })
  langCode: string;

  @Column({ type: Boolean, default: true })
  active: boolean;

  @Column({ name: "created_at", type: Date })
  createdAt: Date;
}
