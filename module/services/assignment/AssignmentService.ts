import { In, type EntityManager } from "typeorm";
import type { HostContract } from "../../../host/contract";
import { ChannelMember } from "../../models/ChannelMember";
import { Conversation } from "../../models/Conversation";
import { ConversationExpertise } from "../../models/ConversationExpertise";
import type { OperatorProfiles } from "../OperatorProfiles";
import { sqlDate } from "../sqlDate";
import { assignmentCandidates, assignmentRanking, type AssignmentContext } from "../../api";
import { rankCandidates, type AssignmentChoice, type AssignmentRequest, type Candidate } from "./chooseOperator";

export interface AssignmentDecision extends AssignmentChoice {
  /** Whether the operator has all the expertise the conversation asks for; null when it asks for none. */
  expertAssigned: boolean | null;
}

/** Any constant: the key of the PostgreSQL advisory lock that serializes assignment decisions. */
const ASSIGNMENT_LOCK_KEY = 7_340_001;

/**
 * Gathers the facts about a channel's operators and asks `chooseOperator`. Decisions are taken one
 * at a time, so two visitors starting at once are never both given the last free seat: on PostgreSQL
 * through a transaction-scoped advisory lock (every instance), on SQLite because transactions take
 * turns on its single connection.
 */
export class AssignmentService {
  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
  ) {}

  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Runs assignment transactions of this instance one after another. Without it, transactions
   * waiting for the advisory lock would hold every pooled connection while the lock holder needs one
   * more for its reads.
   */
  serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Call first inside the transaction that reads loads and writes the assignment. */
  async lock(m: EntityManager): Promise<void> {
    if (m.connection.options.type === "postgres") await m.query("SELECT pg_advisory_xact_lock($1)", [ASSIGNMENT_LOCK_KEY]);
  }

  /** The channel's members as the decision sees them, loads read through `m` (inside the lock). */
  async candidates(m: EntityManager, channelId: number): Promise<Candidate[]> {
    const memberIds = (await m.getRepository(ChannelMember).findBy({ channelId })).map((r) => r.userId);
    if (memberIds.length === 0) return [];
    const users = (await this.host.users.getMany(memberIds)).filter((u) => u.active);
    const ids = users.map((u) => u.id);
    if (ids.length === 0) return [];
    const [presence, languages, settings, loads, lastAssigned] = await Promise.all([
      this.host.presence.getMany(ids),
      this.profiles.spokenLanguages(ids),
      this.profiles.getMany(ids),
      m
        .getRepository(Conversation)
        .createQueryBuilder("c")
        .select("c.operator_id", "operatorId")
        .addSelect("COUNT(*)", "open")
        .addSelect("SUM(CASE WHEN c.channel_id = :channelId THEN 1 ELSE 0 END)", "inChannel")
        .where("c.state = 'open'")
        .andWhere("c.operator_id IN (:...ids)", { ids })
        .setParameter("channelId", channelId)
        .groupBy("c.operator_id")
        .getRawMany<{ operatorId: number; open: string | number; inChannel: string | number }>(),
      m
        .getRepository(Conversation)
        .createQueryBuilder("c")
        .select("c.operator_id", "operatorId")
        .addSelect("MAX(c.assigned_at)", "last")
        .where("c.operator_id IN (:...ids)", { ids })
        .groupBy("c.operator_id")
        .getRawMany<{ operatorId: number; last: unknown }>(),
    ]);
    const load = new Map(loads.map((r) => [Number(r.operatorId), { open: Number(r.open), inChannel: Number(r.inChannel) }]));
    const last = new Map(lastAssigned.map((r) => [Number(r.operatorId), sqlDate(r.last)]));
    return ids.map((userId) => ({
      userId,
      available: presence.get(userId)?.status === "online",
      openConversations: load.get(userId)?.open ?? 0,
      openInChannel: load.get(userId)?.inChannel ?? 0,
      lastAssignedAt: last.get(userId) ?? null,
      languages: languages.get(userId) ?? [],
      expertiseIds: settings.get(userId)?.expertiseIds ?? [],
    }));
  }

  /** The operator who last served this visitor, from their earlier conversations. */
  async previousOperator(m: EntityManager, conversation: Conversation): Promise<number | null> {
    const earlier = await m
      .getRepository(Conversation)
      .createQueryBuilder("c")
      .where("c.visitor_key = :key AND c.id <> :id AND c.operator_id IS NOT NULL", { key: conversation.visitorKey, id: conversation.id })
      .orderBy("c.id", "DESC")
      .getOne();
    return earlier?.operatorId ?? null;
  }

  /** The expertise the conversation asks for (from a chatbot's forward step), possibly none. */
  async requestedExpertise(m: EntityManager, conversationId: number): Promise<number[]> {
    const rows = await m.getRepository(ConversationExpertise).find({ where: { conversationId }, order: { expertiseId: "ASC" } });
    return rows.map((r) => r.expertiseId);
  }

  /**
   * Decides who takes `conversation` (already locked by the caller), or null when nobody can now.
   * `exclude`: operators who may not get it (the one who transfers it away).
   */
  async decide(m: EntityManager, conversation: Conversation, maxPerOperator: number | null, exclude: number[] = []): Promise<AssignmentDecision | null> {
    const expertiseIds = await this.requestedExpertise(m, conversation.id);
    const request: AssignmentRequest = {
      lang: conversation.visitorLang,
      expertiseIds,
      previousOperatorId: await this.previousOperator(m, conversation),
      maxPerOperator,
    };
    const context: AssignmentContext = { channelId: conversation.channelId, conversationId: conversation.id, request };
    const members = (await this.candidates(m, conversation.channelId)).filter((c) => !exclude.includes(c.userId));
    const candidates = await assignmentCandidates.apply(this.host.hooks, members, context);
    const ranked = rankCandidates(candidates, request);
    // A ranker may re-order or drop choices, never add someone the rules left out.
    const allowed = new Map(ranked.map((choice) => [choice.userId, choice]));
    const reranked = await assignmentRanking.apply(this.host.hooks, ranked, context);
    const choice = reranked.map((c) => allowed.get(c.userId)).find((c) => c !== undefined);
    if (!choice) return null;
    const chosen = candidates.find((c) => c.userId === choice.userId);
    const expertAssigned = expertiseIds.length ? expertiseIds.every((id) => chosen?.expertiseIds.includes(id) ?? false) : null;
    return { ...choice, expertAssigned };
  }

  /** Members of a channel who could take a conversation right now (for the visitor's "available"). */
  async anyoneAvailable(channelId: number, maxPerOperator: number | null): Promise<boolean> {
    const candidates = await this.candidates(this.host.db.manager, channelId);
    return candidates.some((c) => c.available && (maxPerOperator === null || c.openInChannel < maxPerOperator));
  }

  async channelsOf(userId: number): Promise<number[]> {
    return (await this.host.db.getRepository(ChannelMember).findBy({ userId: In([userId]) })).map((r) => r.channelId);
  }
}
