import { Column, Entity, PrimaryColumn } from "typeorm";

export type ChatWindowState = "open" | "folded";

/** An operator's chat window, kept on the server so it survives page changes and shows on every tab. */
@Entity({ name: "livechat_chat_window" })
export class ChatWindow {
  @PrimaryColumn({ name: "user_id", type: "integer" })
  userId: number;

  @PrimaryColumn({ name: "conversation_id", type: "integer" })
  conversationId: number;

  @Column({ type: String, length: 8 })
  state: ChatWindowState;

  @Column({ name: "opened_at", type: Date })
  openedAt: Date;

  /** When the operator closed it, null while it shows: kept so it opens again as it was (folded or not). */
  @Column({ name: "closed_at", type: Date, nullable: true })
  closedAt: Date | null;
}
