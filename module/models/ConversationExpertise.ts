import { Entity, Index, PrimaryColumn } from "typeorm";

/** An expertise requested for a conversation (by a chatbot's forward step): assignment prefers operators who have it. */
@Entity({ name: "livechat_conversation_expertise" })
@Index(["expertiseId"])
export class ConversationExpertise {
  @PrimaryColumn({ name: "conversation_id", type: "integer" })
  conversationId: number;

  @PrimaryColumn({ name: "expertise_id", type: "integer" })
  expertiseId: number;
}
