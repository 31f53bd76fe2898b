import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** A login session, stored so that it survives a restart and is shared by every instance. */
@Entity({ name: "host_session" })
export class Session {
  @PrimaryColumn({ type: String, length: 128 })
  sid: string;

  @Column({ type: "text" })
  data: string;

  @Index()
  @Column({ name: "expires_at", type: Date })
  expiresAt: Date;
}
