import { IsNull, Not, type EntityManager } from "typeorm";
import type { HostContract } from "../../../host/contract";
import { ChatWindow } from "../../models/ChatWindow";
import { isUniqueViolation } from "../uniqueViolation";
import type { ConversationNotifier } from "./ConversationNotifier";
import type { ChatWindowDto } from "./dto";

/**
 * The operator's chat windows: which conversations are open or folded, kept on the server across
 * pages and tabs. A closed window keeps its row (with `closedAt`), so it opens again as it was.
 */
export class ChatWindows {
  constructor(
    private readonly host: HostContract,
    private readonly notifier: ConversationNotifier,
  ) {}

  async list(userId: number): Promise<ChatWindowDto[]> {
    const rows = await this.host.db.getRepository(ChatWindow).find({ where: { userId, closedAt: IsNull() }, order: { openedAt: "ASC", conversationId: "ASC" } });
    return rows.map((w) => ({ conversationId: w.conversationId, state: w.state }));
  }

  async set(userId: number, conversationId: number, state: ChatWindowDto["state"] | "closed"): Promise<void> {
    const repo = this.host.db.getRepository(ChatWindow);
    const now = this.host.clock.now();
    if (state === "closed") {
      await repo.update({ userId, conversationId, closedAt: IsNull() }, { closedAt: now });
    } else {
      const existing = await repo.findOneBy({ userId, conversationId });
      // A window shown again comes in as the newest.
      const openedAt = existing && !existing.closedAt ? existing.openedAt : now;
      await repo.save({ userId, conversationId, state, openedAt, closedAt: null });
    }
    await this.notifier.windowsChanged(userId, await this.list(userId));
  }

  /**
   * Something new happened in the operator's conversation: its window shows again if it was closed,
   * folded if it was folded, and every tab is told. Nothing changes (and nobody is told) if it shows.
   */
  async reopen(userId: number, conversationId: number): Promise<ChatWindowDto[]> {
    const repo = this.host.db.getRepository(ChatWindow);
    const now = this.host.clock.now();
    const existing = await repo.findOneBy({ userId, conversationId });
    if (existing && !existing.closedAt) return this.list(userId);
    // Every tab of the operator asks at once: only the first changes anything and tells the others.
    if (existing) {
      const result = await repo.update({ userId, conversationId, closedAt: Not(IsNull()) }, { closedAt: null, openedAt: now });
      if (!result.affected) return this.list(userId);
    } else {
      try {
        await repo.insert({ userId, conversationId, state: "open", openedAt: now, closedAt: null });
      } catch (error) {
        if (isUniqueViolation(error)) return this.list(userId);
        throw error;
      }
    }
    const windows = await this.list(userId);
    await this.notifier.windowsChanged(userId, windows);
    return windows;
  }

  /** Opens a window for a conversation just given to the operator, unless one shows already. */
  async openWithin(m: EntityManager, userId: number, conversationId: number): Promise<void> {
    // One statement: a window already open (or folded) stays as it is; a closed one opens again.
    const [sql, parameters] = m.connection.driver.escapeQueryWithParameters(
      "INSERT INTO livechat_chat_window (user_id, conversation_id, state, opened_at, closed_at) VALUES (:userId, :conversationId, 'open', :now, NULL) " +
        "ON CONFLICT (user_id, conversation_id) DO UPDATE SET state = 'open', opened_at = excluded.opened_at, closed_at = NULL " +
        "WHERE livechat_chat_window.closed_at IS NOT NULL",
      { userId, conversationId, now: this.host.clock.now() },
    );
    await m.query(sql, parameters);
  }

  /** Closes the operator's window of a conversation that is not his any more (his tabs hear of it from the notifier). */
  async closeWithin(m: EntityManager, userId: number, conversationId: number): Promise<void> {
    await m.getRepository(ChatWindow).delete({ userId, conversationId });
  }
}
