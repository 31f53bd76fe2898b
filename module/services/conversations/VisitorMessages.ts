import { busAddress, ConflictError, lt, NotFoundError, type HostContract, type PublishedNotification } from "../../../host/contract";
import { messagePosted } from "../../api";
import type { ConversationMessages, PostResult } from "./ConversationMessages";
import { conversationAddress } from "./ConversationNotifier";
import type { MessageDto } from "./dto";
import { VISITOR_SEEN_EVERY_MS, VISITOR_TOKEN_AFTER_CLOSE_MS, type VisitorAccess, type VisitorConversation } from "./VisitorAccess";

/**
 * The message stored if the conversation takes it (not ended, not with the chatbot), with what the
 * post needs of the conversation: who hears of it, and whether the visitor's presence is due. A
 * second post with the same client message id stores nothing (the unique index decides, without a
 * lookup first). One statement: on a busy database every round trip counts.
 */
const INSERT =
  "INSERT INTO livechat_message (conversation_id, author_kind, author_user_id, body, client_message_id, created_at) " +
  "SELECT id, 'visitor', NULL, $2, $3, $4 FROM livechat_conversation WHERE id = $1 AND state <> 'closed' AND chatbot_step_id IS NULL " +
  "ON CONFLICT (conversation_id, client_message_id) DO NOTHING " +
  "RETURNING id, (SELECT operator_id FROM livechat_conversation WHERE id = $1) AS operator_id, " +
  "(SELECT last_visitor_seen_at < $5 FROM livechat_conversation WHERE id = $1) AS stale";
/**
 * PostgreSQL: the same, and in the same statement the conversation's last activity (and the
 * visitor's, when due), which then costs no statement of its own. SQLite has no writing subqueries.
 */
const INSERT_WITH_ACTIVITY =
  "WITH conversation AS (SELECT id, operator_id FROM livechat_conversation " +
  "WHERE id = $1 AND state <> 'closed' AND chatbot_step_id IS NULL), " +
  "inserted AS (INSERT INTO livechat_message (conversation_id, author_kind, author_user_id, body, client_message_id, created_at) " +
  "SELECT id, 'visitor', NULL, $2, $3, $4 FROM conversation ON CONFLICT (conversation_id, client_message_id) DO NOTHING RETURNING id), " +
  "activity AS (UPDATE livechat_conversation SET last_activity_at = $4, " +
  "last_visitor_seen_at = CASE WHEN last_visitor_seen_at < $5 THEN $4 ELSE last_visitor_seen_at END " +
  "WHERE id = $1 AND EXISTS (SELECT 1 FROM inserted)) " +
  "SELECT inserted.id, conversation.operator_id FROM inserted CROSS JOIN conversation";
/** Why nothing was stored: the conversation is gone, expired, with the chatbot or ended, or the message was stored before. */
const STATE = "SELECT state, chatbot_step_id, closed_at < $2 AS expired FROM livechat_conversation WHERE id = $1";
/** The message is the conversation's latest activity (Discuss lists by it); the visitor's presence is noted when due. */
const ACTIVITY = "UPDATE livechat_conversation SET last_activity_at = $1 WHERE id = $2";
const ACTIVITY_AND_SEEN = "UPDATE livechat_conversation SET last_activity_at = $1, last_visitor_seen_at = $1 WHERE id = $2";

const VISITOR = { kind: "visitor", userId: null } as const;

type Outcome = { kind: "posted"; message: MessageDto } | { kind: "chatbot" } | { kind: "again" } | { kind: "gone" } | { kind: "ended" };

/**
 * A visitor's message, the hot path: the token checked from memory, then one grouped write (see
 * `GroupedWrites`) that stores the message if the conversation takes it, then moves the
 * conversation's last activity (and the visitor's, when due; on PostgreSQL in the storing statement
 * itself) and stores both notifications in one statement, with the group's COMMIT; the message as
 * clients see it is built from what is in hand. The same behaviour as `ConversationMessages.post`,
 * which the rarer cases (a retry, the chatbot) still take.
 */
export class VisitorMessages {
  /** SQLite: the activity is a statement of its own, after the message. */
  private readonly activityApart: boolean;

  constructor(
    private readonly host: HostContract,
    private readonly visitors: VisitorAccess,
    private readonly messages: ConversationMessages,
  ) {
    this.activityApart = host.db.options.type !== "postgres";
  }

  /** Posts the message; null when the chatbot talks in this conversation (its answer is for `ChatbotRunner`). */
  async post(visitor: VisitorConversation, body: string, clientMessageId: string | null): Promise<PostResult | null> {
    const now = this.host.clock.now();
    const outcome = await this.host.writes.run(async (tx): Promise<Outcome> => {
      const [inserted] = await tx.query(this.activityApart ? INSERT : INSERT_WITH_ACTIVITY, [visitor.id, body, clientMessageId, now, new Date(now.getTime() - VISITOR_SEEN_EVERY_MS)]);
      if (!inserted) {
        const [row] = await tx.query(STATE, [visitor.id, new Date(now.getTime() - VISITOR_TOKEN_AFTER_CLOSE_MS)]);
        if (!row || Boolean(row.expired)) return { kind: "gone" };
        if (row.chatbot_step_id !== null) return { kind: "chatbot" };
        if (row.state === "closed" && !clientMessageId) return { kind: "ended" };
        return { kind: "again" };
      }
      const message: MessageDto = {
        id: Number(inserted.id),
        conversationId: visitor.id,
        author: { kind: "visitor", name: visitor.visitorName },
        body,
        createdAt: now.toISOString(),
      };
      // One payload object for both: the bus serialises it once.
      const payload = { message };
      // The visitor's socket that sent it reads the message in the answer.
      const notifications: PublishedNotification[] = [{ channel: conversationAddress(visitor.id), type: "livechat.message", payload, inAnswer: true }];
      if (inserted.operator_id !== null) notifications.push({ channel: busAddress.user(Number(inserted.operator_id)), type: "livechat.message", payload });
      // The activity and the notifications need nothing from each other, and the post nothing from
      // them: they go out at once, unawaited, so the group's COMMIT leaves with them.
      if (this.activityApart) void tx.query(inserted.stale ? ACTIVITY_AND_SEEN : ACTIVITY, [now, visitor.id]);
      void tx.publish(notifications);
      return { kind: "posted", message };
    });
    switch (outcome.kind) {
      case "posted":
        await messagePosted.emit(this.host.hooks, { conversationId: visitor.id, message: outcome.message });
        return { message: outcome.message, created: true };
      case "chatbot":
        return null;
      case "gone":
        this.visitors.forget(visitor.id);
        throw new NotFoundError(lt("No such conversation for this visitor."));
      case "ended":
        throw new ConflictError(lt("This conversation has ended: no more messages can be sent."));
      case "again": {
        // A retry of a message already stored (even if the conversation ended since): answer with it.
        const stored = clientMessageId ? await this.messages.stored(visitor.id, VISITOR, clientMessageId) : null;
        if (stored) return stored;
        throw new ConflictError(lt("This conversation has ended: no more messages can be sent."));
      }
    }
  }
}
