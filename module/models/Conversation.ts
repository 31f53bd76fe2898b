import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

/** `bot` while a chatbot script talks with the visitor and no operator has been asked for yet. */
export type ConversationState = "bot" | "waiting" | "open" | "closed";
export type ClosedReason = "visitor" | "operator" | "inactivity" | "chatbot";

/** A visitor's live chat in a channel: waiting for an operator, open with one, or closed. */
@Entity({ name: "livechat_conversation" })
// Open conversations per operator and channel, and each operator's last assignment: see AssignmentService.
@Index(["operatorId", "state", "channelId"])
@Index(["operatorId", "assignedAt"])
@Index(["channelId", "state", "id"])
@Index(["visitorKey", "id"])
// Reports read conversations by the day they started.
@Index("IDX_livechat_conversation_created", ["createdAt"])
// Ended conversations by end time, for the retention job.
@Index(["closedAt"])
// Discuss's lists, newest activity first, paged by (last activity, id).
@Index(["lastActivityAt", "id"])
@Index(["operatorId", "lastActivityAt", "id"])
export class Conversation {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ name: "channel_id", type: "integer" })
  channelId: number;

  /** Identifies a returning visitor (kept by the widget), to prefer the operator who served them before. */
  @Column({ name: "visitor_key", type: String, length: 64 })
  visitorKey: string;

  @Column({ name: "visitor_name", type: String, length: 64 })
  visitorName: string;

  @Column({ name: "visitor_lang", type: String, length: 16, nullable: true })
  visitorLang: string | null;

  /** SHA-256 of the visitor's token: the token itself is never stored. */
  @Index({ unique: true })
  @Column({ name: "visitor_token_hash", type: String, length: 64 })
  visitorTokenHash: string;

  @Column({ name: "operator_id", type: "integer", nullable: true })
  operatorId: number | null;

  @Column({ type: String, length: 16 })
  state: ConversationState;

  /** Which preference got the operator chosen (see chooseOperator), for reports. */
  @Column({ name: "assignment_tier", type: String, length: 32, nullable: true })
  assignmentTier: string | null;

  /** Whether the operator who took a forwarded conversation had the requested expertise (all of it). */
  @Column({ name: "expert_assigned", type: Boolean, nullable: true })
  expertAssigned: boolean | null;

  @Column({ name: "chatbot_script_id", type: "integer", nullable: true })
  chatbotScriptId: number | null;

  /** The chatbot step waiting for the visitor's answer; null when the bot is not waiting for one. */
  @Column({ name: "chatbot_step_id", type: "integer", nullable: true })
  chatbotStepId: number | null;

  @Column({ name: "created_at", type: Date })
  createdAt: Date;

  @Column({ name: "assigned_at", type: Date, nullable: true })
  assignedAt: Date | null;

  /** When an operator first wrote: kept here so reports need not search the messages. */
  @Column({ name: "first_reply_at", type: Date, nullable: true })
  firstReplyAt: Date | null;

  @Column({ name: "closed_at", type: Date, nullable: true })
  closedAt: Date | null;

  @Column({ name: "closed_reason", type: String, length: 16, nullable: true })
  closedReason: ClosedReason | null;

  /** The user who ended it, when an operator (or a manager) did. */
  @Column({ name: "closed_by_id", type: "integer", nullable: true })
  closedById: number | null;

  /** When it was started or last had a message: Discuss lists conversations by it. */
  @Column({ name: "last_activity_at", type: Date })
  lastActivityAt: Date;

  /** The page the visitor started the chat on, and the page that brought them there, as the widget told. */
  @Column({ name: "start_page_url", type: String, length: 2048, nullable: true })
  startPageUrl: string | null;

  @Column({ name: "referrer_url", type: String, length: 2048, nullable: true })
  referrerUrl: string | null;

  /** Last sign of the visitor (a request or a heartbeat from the widget). */
  @Column({ name: "last_visitor_seen_at", type: Date })
  lastVisitorSeenAt: Date;
}
