import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

export const STEP_TYPES = ["message", "question", "text", "textarea", "email", "phone", "forward"] as const;
export type ChatbotStepType = (typeof STEP_TYPES)[number];

/** One step of a script, in `sequence` order. */
@Entity({ name: "livechat_chatbot_step" })
@Index(["scriptId", "sequence"])
export class ChatbotStep {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ name: "script_id", type: "integer" })
  scriptId: number;

  @Column({ type: "integer" })
  sequence: number;

  @Column({ type: String, length: 16 })
  type: ChatbotStepType;

  /** What the bot says at this step (the question, for questions). */
  @Column({ type: "text" })
  text: string;

  /** The same texts in other languages, as JSON by language code (see services/contentTranslations.ts). */
  @Column({ type: "text", nullable: true })
  translations: string | null;

  /** The script ends after this step instead of going on with the next one. */
  @Column({ name: "ends_script", type: Boolean, default: false })
  endsScript: boolean;
}
