import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** A login session, stored so that it survives a restart and is shared by every instance. */
@Entity({ name: "host_session" })
export class Session {
  /** SHA-256 of the session id: a leaked table does not hand out live cookies. */
  @PrimaryColumn({ type: String, length: 128 })
  sid: string;

  @Column({ type: "text" })
  data: string;

  @Index()
  @Column({ name: "expires_at", type: Date })
  expiresAt: Date;

  /** When the session was opened (at login): it ends a fixed time later, however active. */
  @Column({ name: "created_at", type: Date })
  createdAt: Date;

  /** The logged-in user, so that a password change can end the user's other sessions. */
  @Index()
  @Column({ name: "user_id", type: "integer", nullable: true })
  userId: number | null;
}
