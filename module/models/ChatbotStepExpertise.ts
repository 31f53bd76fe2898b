import { Entity, Index, PrimaryColumn } from "typeorm";

/** An expertise a chatbot's forward step asks for. */
@Entity({ name: "livechat_chatbot_step_expertise" })
@Index(["expertiseId"])
export class ChatbotStepExpertise {
  @PrimaryColumn({ name: "step_id", type: "integer" })
  stepId: number;

  @PrimaryColumn({ name: "expertise_id", type: "integer" })
  expertiseId: number;
}
