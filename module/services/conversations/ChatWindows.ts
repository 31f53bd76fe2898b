import type { EntityManager } from "typeorm";
import type { HostContract } from "../../../host/contract";
import { ChatWindow } from "../../models/ChatWindow";
import type { ConversationNotifier } from "./ConversationNotifier";
import type { ChatWindowDto } from "./dto";

/** The operator's chat windows: which conversations are open or folded, kept on the server across pages. */
export class ChatWindows {
  constructor(
    private readonly host: HostContract,
    private readonly notifier: ConversationNotifier,
  ) {}

  async list(userId: number): Promise<ChatWindowDto[]> {
    const rows = await this.host.db.getRepository(ChatWindow).find({ where: { userId }, order: { openedAt: "ASC", conversationId: "ASC" } });
    return rows.map((w) => ({ conversationId: w.conversationId, state: w.state }));
  }

  async set(userId: number, conversationId: number, state: ChatWindowDto["state"] | "closed"): Promise<void> {
    const repo = this.host.db.getRepository(ChatWindow);
    if (state === "closed") {
      await repo.delete({ userId, conversationId });
    } else {
      const existing = await repo.findOneBy({ userId, conversationId });
      await repo.save({ userId, conversationId, state, openedAt: existing?.openedAt ?? this.host.clock.now() });
    }
    await this.notifier.windowsChanged(userId, await this.list(userId));
  }

  /** Opens a window for a conversation just given to the operator, unless one is there already. */
  async openWithin(m: EntityManager, userId: number, conversationId: number): Promise<void> {
    const existing = await m.getRepository(ChatWindow).findOneBy({ userId, conversationId });
    if (!existing) await m.getRepository(ChatWindow).insert({ userId, conversationId, state: "open", openedAt: this.host.clock.now() });
  }

  /** Closes the operator's window of a conversation that is not his any more (his tabs hear of it from the notifier). */
  async closeWithin(m: EntityManager, userId: number, conversationId: number): Promise<void> {
    await m.getRepository(ChatWindow).delete({ userId, conversationId });
  }
}
