import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

/**
 * An answer button of a question step. Choosing it goes on with the next step, jumps to a later
 * step (`jumpToStepId`), or ends the script (`endsScript`).
 */
@Entity({ name: "livechat_chatbot_answer" })
@Index(["stepId", "sequence"])
export class ChatbotAnswer {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ name: "step_id", type: "integer" })
  stepId: number;

  @Column({ type: "integer" })
  sequence: number;

  @Column({ type: String, length: 128 })
  label: string;

  /** The same texts in other languages, as JSON by language code (see services/contentTranslations.ts). */
  @Column({ type: "text", nullable: true })
  translations: string | null;

  @Column({ name: "jump_to_step_id", type: "integer", nullable: true })
  jumpToStepId: number | null;

  @Column({ name: "ends_script", type: Boolean, default: false })
  endsScript: boolean;
}
