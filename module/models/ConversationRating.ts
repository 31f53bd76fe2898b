import { Column, Entity, PrimaryColumn } from "typeorm";

/** The faces a visitor may choose, as Odoo scores them: 5 satisfied, 3 okay, 1 dissatisfied. */
export const RATING_VALUES = [5, 3, 1] as const;
export type RatingValue = (typeof RATING_VALUES)[number];

/** A visitor's rating of an ended conversation: one per conversation, never edited. */
@Entity({ name: "livechat_conversation_rating" })
export class ConversationRating {
  @PrimaryColumn({ name: "conversation_id", type: "integer" })
  conversationId: number;

  @Column({ type: "integer" })
  value: RatingValue;

  @Column({ type: "text", nullable: true })
  comment: string | null;

  @Column({ name: "created_at", type: Date })
  createdAt: Date;
}
