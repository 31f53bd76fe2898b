import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

export type AuthorKind = "visitor" | "operator" | "bot" | "system";

/** A message of a conversation: plain text, stored before anyone is told about it. */
@Entity({ name: "livechat_message" })
@Index(["conversationId", "id"])
@Index(["conversationId", "clientMessageId"], { unique: true })
export class Message {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ name: "conversation_id", type: "integer" })
  conversationId: number;

  @Column({ name: "author_kind", type: String, length: 16 })
  authorKind: AuthorKind;

  @Column({ name: "author_user_id", type: "integer", nullable: true })
  authorUserId: number | null;

  /** Plain text; for a system line, its English text (readers see it rendered from key and parameters). */
  @Column({ type: "text" })
  body: string;

  /** What a system line says (see services/conversations/systemLines.ts); null for other messages. */
  @Column({ name: "system_key", type: String, length: 32, nullable: true })
  systemKey: string | null;

  /** A system line's parameters as JSON (`{"name":"Marc"}`); null for other messages. */
  @Column({ name: "system_params", type: "text", nullable: true })
  systemParams: string | null;

  /** The sender's id for this message: a retried post with the same id is the same message. */
  @Column({ name: "client_message_id", type: String, length: 64, nullable: true })
  clientMessageId: string | null;

  @Column({ name: "created_at", type: Date })
  createdAt: Date;
}
