import type { EntityManager } from "typeorm";
import { ConversationRead } from "../../models/ConversationRead";

/**
 * Moves the operator's read position in the conversation to `lastMessageId`, which must be a message
 * of the conversation. Reading never goes backwards (an old tab must not mark read messages unread).
 */
export async function advanceReadPosition(m: EntityManager, conversationId: number, userId: number, lastMessageId: number): Promise<void> {
  const repo = m.getRepository(ConversationRead);
  const current = await repo.findOneBy({ conversationId, userId });
  if (current && current.lastReadMessageId >= lastMessageId) return;
  await repo.save({ conversationId, userId, lastReadMessageId: lastMessageId });
}
