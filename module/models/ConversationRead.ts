import { Column, Entity, PrimaryColumn } from "typeorm";

/** How far an operator has read a conversation; unread counts are derived from it. */
@Entity({ name: "livechat_conversation_read" })
export class ConversationRead {
  @PrimaryColumn({ name: "conversation_id", type: "integer" })
  conversationId: number;

  @PrimaryColumn({ name: "user_id", type: "integer" })
  userId: number;

  @Column({ name: "last_read_message_id", type: "integer" })
  lastReadMessageId: number;
}
