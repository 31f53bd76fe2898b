import { busAddress, type HostContract, type HostUser, type PublishedNotification } from "../../../host/contract";
import { messagePosted } from "../../api";
import type { OperatorProfiles } from "../OperatorProfiles";
import type { PostResult } from "./ConversationMessages";
import { conversationAddress } from "./ConversationNotifier";
import type { MessageDto } from "./dto";

/**
 * The message stored when the conversation is the operator's own and not ended; a second post with
 * the same client message id stores nothing (the unique index decides, without a lookup first).
 */
const INSERT =
  "INSERT INTO livechat_message (conversation_id, author_kind, author_user_id, body, client_message_id, created_at) " +
  "SELECT id, 'operator', $2, $3, $4, $5 FROM livechat_conversation WHERE id = $1 AND operator_id = $2 AND state <> 'closed' " +
  "ON CONFLICT (conversation_id, client_message_id) DO NOTHING RETURNING id";
/** The conversation's latest activity (Discuss lists by it), and its first reply unless an earlier message was. */
const ACTIVITY = "UPDATE livechat_conversation SET last_activity_at = $1, first_reply_at = COALESCE(first_reply_at, $1) WHERE id = $2";
/** The operator has read up to their own message; reading never goes backwards. */
const READ =
  "INSERT INTO livechat_conversation_read (conversation_id, user_id, last_read_message_id) VALUES ($1, $2, $3) " +
  "ON CONFLICT (conversation_id, user_id) DO UPDATE SET last_read_message_id = excluded.last_read_message_id " +
  "WHERE livechat_conversation_read.last_read_message_id < excluded.last_read_message_id";

/**
 * An operator's message in a conversation of their own, the common case: one grouped write (see
 * `GroupedWrites`) stores it if the conversation takes it, then moves the conversation's activity and
 * first reply, the operator's read position, and stores both notifications, with the group's COMMIT;
 * the message as clients see it is built from what is in hand. Anything else (a manager answering
 * another's conversation, an ended one, a retry, no such conversation) stores nothing here and is
 * for `ConversationMessages.post`, which answers it as before.
 */
export class OperatorMessages {
  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
  ) {}

  /** Posts the message; null when it was not stored here (see above). */
  async post(conversationId: number, user: HostUser, body: string, clientMessageId: string | null): Promise<PostResult | null> {
    const name = (await this.profiles.displayNames([user.id])).get(user.id) ?? user.name;
    const now = this.host.clock.now();
    const message = await this.host.writes.run(async (tx): Promise<MessageDto | null> => {
      const [inserted] = await tx.query(INSERT, [conversationId, user.id, body, clientMessageId, now]);
      if (!inserted) return null;
      const message: MessageDto = {
        id: Number(inserted.id),
        conversationId,
        author: { kind: "operator", name },
        body,
        createdAt: now.toISOString(),
      };
      // One payload object for both: the bus serialises it once.
      const payload = { message };
      const notifications: PublishedNotification[] = [
        { channel: conversationAddress(conversationId), type: "livechat.message", payload },
        { channel: busAddress.user(user.id), type: "livechat.message", payload },
      ];
      // None of these needs the others, nor the post anything of them: they go out at once, unawaited,
      // so the group's COMMIT leaves with them.
      void tx.query(ACTIVITY, [now, conversationId]);
      void tx.query(READ, [conversationId, user.id, message.id]);
      void tx.publish(notifications);
      return message;
    });
    if (!message) return null;
    await messagePosted.emit(this.host.hooks, { conversationId, message });
    return { message, created: true };
  }
}
