import { In, type EntityManager } from "typeorm";
import type { HostContract } from "../../../host/contract";
import { ChannelMember } from "../../models/ChannelMember";
import type { Conversation } from "../../models/Conversation";
import { operatorSettingsSaved, type OperatorProfiles } from "../OperatorProfiles";
import { assignmentCandidates, assignmentRanking, type AssignmentContext } from "../../api";
import { AssignmentRoster, type ChoosingView, type SeatChange } from "./AssignmentRoster";
import { rankCandidates, type AssignmentChoice, type AssignmentRequest, type Candidate } from "./chooseOperator";

export interface AssignmentDecision extends AssignmentChoice {
  /** Whether the operator has all the expertise the conversation asks for; null when it asks for none. */
  expertAssigned: boolean | null;
}

/** The operators who may take a conversation, best first, one at a time. */
interface Ranking {
  next(): AssignmentChoice | null;
  expertiseOf(userId: number): readonly number[];
}

/** Rankings made again within one decision when the operator chosen had changed meanwhile; past it the one chosen is kept. */
const MAX_RANKINGS = 20;

/** Any constant: the key of the PostgreSQL advisory lock that serializes assignment decisions. */
const ASSIGNMENT_LOCK_KEY = 7_340_001;

/**
 * Gathers the facts about a channel's operators and asks `chooseOperator`. Decisions are taken one
 * at a time, so two visitors starting at once are never both given the last free seat: on PostgreSQL
 * through a transaction-scoped advisory lock (every instance), on SQLite because transactions take
 * turns on its single connection.
 */
export class AssignmentService {
  private readonly roster: AssignmentRoster;

  constructor(
    private readonly host: HostContract,
    profiles: OperatorProfiles,
  ) {
    this.roster = new AssignmentRoster(host, profiles);
    host.presence.onChange((userId) => this.roster.presenceChanged(userId));
    host.users.onChange((userId) => this.roster.operatorChanged(userId));
    operatorSettingsSaved.on(host.hooks, ({ userId }) => this.roster.operatorChanged(userId));
  }

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

  /** The channel's members as the decision sees them (fresh objects: hooks may change them). */
  candidates(m: EntityManager, channelId: number): Promise<Candidate[]> {
    return this.roster.candidates(m, channelId);
  }

  /** A conversation's seat changed, committed: the roster follows. */
  seatChanged(change: SeatChange): void {
    this.roster.seatChanged(change);
  }

  /** Assignments the roster was told of did not commit: everything is read again from the database. */
  forgetRoster(): void {
    this.roster.forget();
  }

  /**
   * One active member of the channel for a transfer to them: presence and open conversations read
   * from the database rather than the roster, then through other modules' candidate filters, which
   * keep someone they leave out from ever being given the conversation, whoever chooses. "none": not
   * a member; "filtered": a filter left them out.
   */
  async member(m: EntityManager, conversation: Conversation, userId: number, maxPerOperator: number | null): Promise<Candidate | "none" | "filtered"> {
    const members = await this.roster.candidates(m, conversation.channelId);
    const member = members.find((c) => c.userId === userId);
    if (!member) return "none";
    const { online, open } = await this.roster.fromDatabase(m, conversation.channelId, userId);
    const current = { ...member, available: online, openInChannel: open };
    const kept = await this.filtered(m, conversation, maxPerOperator, members.map((c) => (c.userId === userId ? current : c)));
    return kept.find((c) => c.userId === userId) ?? "filtered";
  }

  /** The channel's members as assignment sees them for this conversation: after other modules' candidate filters. */
  async candidatesFor(m: EntityManager, conversation: Conversation, maxPerOperator: number | null): Promise<Candidate[]> {
    return this.filtered(m, conversation, maxPerOperator, await this.roster.candidates(m, conversation.channelId));
  }

  /** `members` as other modules' candidate filters return them (as they are when none is installed). */
  private async filtered(m: EntityManager, conversation: Conversation, maxPerOperator: number | null, members: Candidate[]): Promise<Candidate[]> {
    if (!assignmentCandidates.has(this.host.hooks)) return members;
    const request = await this.requestOf(m, conversation, maxPerOperator);
    return assignmentCandidates.apply(this.host.hooks, members, { channelId: conversation.channelId, conversationId: conversation.id, request });
  }

  /** What filters and rankers are told the conversation asks for. */
  private async requestOf(m: EntityManager, conversation: Conversation, maxPerOperator: number | null): Promise<AssignmentRequest> {
    return {
      lang: conversation.visitorLang,
      // Only a chatbot's forward step asks for expertise.
      expertiseIds: conversation.chatbotScriptId === null ? [] : await this.requestedExpertise(m, conversation.id),
      previousOperatorId: await this.previousOperator(m, conversation),
      maxPerOperator,
    };
  }

  /** The operator who last served this visitor, from their earlier conversations (one index lookup). */
  async previousOperator(m: EntityManager, conversation: Conversation): Promise<number | null> {
    const [row] = (await m.query(
      ...escape(
        m,
        "SELECT operator_id FROM livechat_conversation WHERE visitor_key = :key AND id <> :id AND operator_id IS NOT NULL ORDER BY id DESC LIMIT 1",
        { key: conversation.visitorKey, id: conversation.id },
      ),
    )) as { operator_id: unknown }[];
    return row ? Number(row.operator_id) : null;
  }

  /** The expertise the conversation asks for (from a chatbot's forward step), possibly none. */
  async requestedExpertise(m: EntityManager, conversationId: number): Promise<number[]> {
    const rows = (await m.query(
      ...escape(m, "SELECT expertise_id FROM livechat_conversation_expertise WHERE conversation_id = :conversationId ORDER BY expertise_id", { conversationId }),
    )) as { expertise_id: unknown }[];
    return rows.map((r) => Number(r.expertise_id));
  }

  /**
   * Decides who takes `conversation` (already locked by the caller), or null when nobody can now.
   * `exclude`: operators who may not get it (the one who transfers it away). The roster ranks; the
   * one chosen is confirmed from the database (online, under the limit) before being returned, and
   * when nobody can take it the roster is read again once before saying so.
   */
  async decide(m: EntityManager, conversation: Conversation, maxPerOperator: number | null, exclude: number[] = []): Promise<AssignmentDecision | null> {
    const request = await this.requestOf(m, conversation, maxPerOperator);
    const expertiseIds = request.expertiseIds;
    const context: AssignmentContext = { channelId: conversation.channelId, conversationId: conversation.id, request };
    // Other modules' filters see every candidate; without any, the roster finds the best one itself, in one pass.
    const hooked = assignmentCandidates.has(this.host.hooks) || assignmentRanking.has(this.host.hooks);
    let fallback: "none" | "recounted" | "reloaded" = "none";
    for (let round = 0; ; round++) {
      const view = await this.roster.view(m, conversation.channelId);
      const ranking = hooked ? await this.hookedRanking(view, request, context, exclude) : this.rosterRanking(view, request, exclude);
      let rankAgain = false;
      for (let choice = ranking.next(); choice; choice = ranking.next()) {
        const verdict = await this.roster.confirm(m, conversation.channelId, choice.userId, maxPerOperator);
        if (verdict === "no") continue;
        if (verdict === "changed" && round < MAX_RANKINGS) {
          rankAgain = true;
          break;
        }
        const have = ranking.expertiseOf(choice.userId);
        const expertAssigned = expertiseIds.length ? expertiseIds.every((id) => have.includes(id)) : null;
        return { ...choice, expertAssigned };
      }
      if (rankAgain) continue;
      // Nobody, says the roster. Those it has at the limit may have ended conversations on another
      // instance: read them again; then, unless it was read whole a moment ago, the whole channel.
      const full = this.roster.atLimit(view, maxPerOperator, exclude);
      if (fallback === "none" && full.length > 0) {
        fallback = "recounted";
        await this.roster.readAgain(m, full);
      } else if (fallback !== "reloaded" && this.roster.mayReload(conversation.channelId)) {
        fallback = "reloaded";
        await this.roster.reload(m, conversation.channelId);
      } else {
        return null;
      }
    }
  }

  /** Those who may take it, best first, as the rules and other modules' filters rank them. */
  private async hookedRanking(view: ChoosingView, request: AssignmentRequest, context: AssignmentContext, exclude: number[]): Promise<Ranking> {
    const members = this.roster.candidatesOf(view).filter((c) => !exclude.includes(c.userId));
    const candidates = await assignmentCandidates.apply(this.host.hooks, members, context);
    const ranked = rankCandidates(candidates, request);
    // A ranker may re-order or drop choices, never add someone the rules left out.
    const allowed = new Map(ranked.map((choice) => [choice.userId, choice]));
    const reranked = await assignmentRanking.apply(this.host.hooks, ranked, context);
    const list = reranked.flatMap((entry) => allowed.get(entry.userId) ?? []);
    let i = 0;
    return {
      next: () => list[i++] ?? null,
      expertiseOf: (userId) => candidates.find((c) => c.userId === userId)?.expertiseIds ?? [],
    };
  }

  /** Those who may take it, best first, each found when asked for: the first costs one pass over the roster, no list. */
  private rosterRanking(view: ChoosingView, request: AssignmentRequest, exclude: number[]): Ranking {
    const skip = new Set(exclude);
    return {
      next: () => {
        const choice = this.roster.choose(view, request, skip);
        if (choice) skip.add(choice.userId);
        return choice;
      },
      expertiseOf: (userId) => this.roster.expertiseOf(userId),
    };
  }

  /** Members of a channel who could take a conversation right now (for the visitor's "available"). */
  async anyoneAvailable(channelId: number, maxPerOperator: number | null): Promise<boolean> {
    const candidates = await this.roster.candidates(this.host.db.manager, channelId, true);
    return candidates.some((c) => c.available && (maxPerOperator === null || c.openInChannel < maxPerOperator));
  }

  async channelsOf(userId: number): Promise<number[]> {
    return (await this.host.db.getRepository(ChannelMember).findBy({ userId: In([userId]) })).map((r) => r.channelId);
  }
}

/** A statement with `:name` parameters in the driver's own placeholders. */
function escape(m: EntityManager, sql: string, parameters: Record<string, unknown>): [string, unknown[]] {
  return m.connection.driver.escapeQueryWithParameters(sql, parameters);
}
