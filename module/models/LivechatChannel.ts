import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A live chat channel: where visitors start conversations and operators join to answer them. */
@Entity({ name: "livechat_channel" })
export class LivechatChannel {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ type: String, length: 128 })
  name: string;

  @Column({ name: "welcome_message", type: "text", default: "" })
  welcomeMessage: string;

  /** Text of the visitor's chat button. */
  @Column({ name: "button_text", type: String, length: 64, default: "Have a question? Chat with us." })
  buttonText: string;

  /** The same texts in other languages, as JSON by language code (see services/contentTranslations.ts). */
  @Column({ type: "text", nullable: true })
  translations: string | null;

  /** Limit of simultaneous conversations per operator; null means no limit. */
  @Column({ name: "max_sessions", type: "integer", nullable: true })
  maxSessions: number | null;

  /** A chatbot script that talks with visitors first; null for none. */
  @Column({ name: "chatbot_script_id", type: "integer", nullable: true })
  chatbotScriptId: number | null;

  @Column({ name: "created_at", type: Date })
  createdAt: Date;
}
