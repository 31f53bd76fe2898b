import { Column, Entity, PrimaryColumn } from "typeorm";

/** A visitor's answer to a chatbot step, kept on the conversation for the operator. */
@Entity({ name: "livechat_conversation_answer" })
export class ConversationAnswer {
  @PrimaryColumn({ name: "conversation_id", type: "integer" })
  conversationId: number;

  @PrimaryColumn({ name: "step_id", type: "integer" })
  stepId: number;

  /** The question as it was asked, so the record reads well even if the script changes later. */
  @Column({ type: "text" })
  question: string;

  @Column({ type: "text" })
  value: string;
}
