import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A chatbot script: what the bot says and asks, step by step, before a person takes over. */
@Entity({ name: "livechat_chatbot_script" })
export class ChatbotScript {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ type: String, length: 128 })
  name: string;

  /** The name visitors see on the bot's messages. */
  @Column({ name: "bot_name", type: String, length: 64 })
  botName: string;
}
