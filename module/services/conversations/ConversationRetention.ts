import { In } from "typeorm";
import type { HostContract } from "../../../host/contract";
import { Conversation } from "../../models/Conversation";
import { Message } from "../../models/Message";

export const RETENTION_SETTING = "livechat.retention_days";
export const RETENTION_DEFAULT_DAYS = 180;
export const RETENTION_JOB = "livechat.delete_old_conversations";

/** Conversations deleted per transaction, and transactions per run: a run's work is bounded, the next run goes on. */
export interface RetentionLimits {
  batch: number;
  maxBatches: number;
}
const LIMITS: RetentionLimits = { batch: 200, maxBatches: 25 };

/**
 * Deletes what ended long ago: conversations closed more than the retention setting's days ago, with
 * their messages; what else belongs to them (ratings, chatbot answers, requested expertise, operators' read
 * positions and chat windows) goes with them through the database's cascades.
 */
export class ConversationRetention {
  constructor(
    private readonly host: HostContract,
    private readonly limits: RetentionLimits = LIMITS,
  ) {}

  /** Deletes conversations ended more than `days` ago, at most `batch` × `maxBatches` per call; returns how many. */
  async deleteEnded(days: number): Promise<number> {
    const { batch, maxBatches } = this.limits;
    const before = new Date(this.host.clock.now().getTime() - days * 24 * 3600_000);
    let deleted = 0;
    for (let round = 0; round < maxBatches; round++) {
      const rows = await this.host.db
        .getRepository(Conversation)
        .createQueryBuilder("c")
        .select("c.id", "id")
        .where("c.closed_at < :before AND c.state = 'closed'", { before })
        .orderBy("c.closed_at", "ASC")
        .limit(batch)
        .getRawMany<{ id: number | string }>();
      const ids = rows.map((r) => Number(r.id));
      if (ids.length === 0) break;
      await this.host.db.transaction(async (m) => {
        await m.getRepository(Message).delete({ conversationId: In(ids) });
        await m.getRepository(Conversation).delete({ id: In(ids), state: "closed" });
      });
      deleted += ids.length;
      if (ids.length < batch) break;
    }
    return deleted;
  }
}
