import type { EntityManager } from "typeorm";
import { ConflictError, NotFoundError, lt, type HostContract } from "../../../host/contract";
import { Conversation } from "../../models/Conversation";
import type { ConversationAssignedEvent } from "../../api";
import { LivechatChannel } from "../../models/LivechatChannel";
import type { AssignmentService } from "../assignment/AssignmentService";
import type { OperatorProfiles } from "../OperatorProfiles";
import type { ChatWindows } from "./ChatWindows";
import type { ConversationMessages } from "./ConversationMessages";
import type { ConversationNotifier } from "./ConversationNotifier";
import { conversationDto, type OperatorConversationDto } from "./dto";
import { parseFieldTranslations, translated } from "../contentTranslations";
import { firstWaiting } from "./queueOrder";

/** The visitor's name goes with it: a start names its visitor once it knows the conversation's id. */
const ASSIGN =
  "UPDATE livechat_conversation SET operator_id = :operatorId, state = :state, assigned_at = :assignedAt, assignment_tier = :assignmentTier, " +
  "chatbot_step_id = :chatbotStepId, expert_assigned = :expertAssigned, visitor_name = :visitorName WHERE id = :id";

/**
 * Works run together at most. On SQLite a group runs without giving the event loop a turn, a start
 * costing about a millisecond: past a dozen or so, a bigger group saves little (the commit is already
 * shared) but holds up every other request, and the event loop's lag makes the host refuse requests.
 */
const TOGETHER_MAX = 16;

/** What the works run together (`lockedTogether`) share: reads made once for the whole group. */
export interface Together {
  /** The value `load` reads, read by the first work of the group that asks for `key`. */
  once<V>(key: string, load: () => Promise<V>): Promise<V>;
}

/** The assignment tier of a conversation an operator took from the Waiting list himself. */
export const TAKEN_TIER = "taken" satisfies ConversationAssignedEvent["tier"];

/**
 * Where conversations wait for an operator and how they leave the queue: assignment decisions taken
 * one at a time under the assignment lock, oldest waiting first.
 */
export class ConversationQueue {
  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
    private readonly assignment: AssignmentService,
    private readonly messages: ConversationMessages,
    private readonly windows: ChatWindows,
    private readonly notifier: ConversationNotifier,
  ) {}

  /** Runs `work` in a transaction holding the assignment lock; integrators hear of its assignments after commit. */
  locked<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.notifier.transaction(
      async (m) => {
        await this.assignment.lock(m);
        return work(m);
      },
      (run) => this.assignment.serialize(run),
    );
  }

  private together: { work: (m: EntityManager, group: Together) => Promise<unknown>; resolve: (value: unknown) => void; reject: (reason: unknown) => void }[] = [];
  private togetherScheduled = false;

  /**
   * Like `locked`, for a hot path (a visitor's start): works that arrive while the queue is busy run
   * together in the next transaction, up to `TOGETHER_MAX`, each in a savepoint of its own, so they
   * share one lock and one commit, and each decides knowing the assignments made before it. Each
   * caller hears of its work once the shared transaction committed; one that throws harms no other.
   * `group` holds what the works of a group read once for all of them.
   */
  lockedTogether<T>(work: (m: EntityManager, group: Together) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.together.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.togetherScheduled) this.scheduleTogether();
    });
  }

  private scheduleTogether(): void {
    this.togetherScheduled = true;
    let group: typeof this.together = [];
    this.assignment
      .serialize(async () => {
        // What arrives in the same turn of the event loop joins: on SQLite a group runs without giving
        // the event loop a turn, so requests read meanwhile would otherwise each make a group of one.
        await new Promise<void>((resolve) => setImmediate(resolve));
        group = this.together.splice(0, TOGETHER_MAX);
        this.togetherScheduled = false;
        if (this.together.length > 0) this.scheduleTogether();
        const read = new Map<string, Promise<unknown>>();
        const together: Together = {
          once: <V>(key: string, load: () => Promise<V>): Promise<V> => {
            let value = read.get(key) as Promise<V> | undefined;
            if (!value) {
              value = load();
              read.set(key, value);
              // A read that failed is tried again by the next work that needs it.
              value.catch(() => read.delete(key));
            }
            return value;
          },
        };
        const works = group.map((entry) => (m: EntityManager) => entry.work(m, together));
        return this.notifier.transactionEach((m) => this.assignment.lock(m), works).catch((error: unknown) => {
          // Nothing committed: the roster was told of assignments that never were.
          this.assignment.forgetRoster();
          throw error;
        });
      })
      .then(
        async ({ outcomes, emit }) => {
          await emit();
          outcomes.forEach((outcome, i) => (outcome.status === "fulfilled" ? group[i].resolve(outcome.value) : group[i].reject(outcome.reason)));
        },
        (error: unknown) => {
          for (const entry of group) entry.reject(error);
        },
      )
      .catch((error: unknown) => {
        for (const entry of group) entry.reject(error);
      });
  }

  /**
   * Assigns if someone can take it (caller holds the lock); tells the operator and the visitor.
   * Returns the operator (with the name visitors see), or null when nobody can take it now.
   * `exclude`: operators who may not get it (the one who transfers it away).
   */
  async assign(m: EntityManager, conversation: Conversation, channel: LivechatChannel, exclude: number[] = []): Promise<{ userId: number; name: string } | null> {
    const choice = await this.assignment.decide(m, conversation, channel.maxSessions, exclude);
    if (!choice) return null;
    conversation.operatorId = choice.userId;
    conversation.state = "open";
    conversation.assignedAt = this.host.clock.now();
    conversation.assignmentTier = choice.tier;
    conversation.chatbotStepId = null;
    if (choice.expertAssigned !== null) conversation.expertAssigned = choice.expertAssigned;
    const { operatorId, state, assignedAt, assignmentTier, chatbotStepId, expertAssigned, visitorName } = conversation;
    const [sql, parameters] = m.connection.driver.escapeQueryWithParameters(ASSIGN, {
      id: conversation.id,
      operatorId,
      state,
      assignedAt,
      assignmentTier,
      chatbotStepId,
      expertAssigned,
      visitorName,
    });
    await m.query(sql, parameters);
    const name = await this.handedOver(m, conversation, channel, choice.tier);
    return { userId: choice.userId, name };
  }

  /**
   * An operator takes a waiting conversation of the channel from the Waiting list, within the
   * channel's limit. Under the assignment lock (every instance), and the update changes the row only
   * while it still waits: two operators who click at once never both get it.
   */
  async take(conversationId: number, userId: number): Promise<void> {
    await this.locked(async (m) => {
      const conversation = await m.getRepository(Conversation).findOneBy({ id: conversationId });
      const channel = conversation && (await m.getRepository(LivechatChannel).findOneBy({ id: conversation.channelId }));
      // With the chatbot, a conversation is nobody's, not even to take.
      if (!conversation || !channel || conversation.state === "bot") throw new NotFoundError(lt("No such conversation for you."));
      if (conversation.state === "closed") throw new ConflictError(lt("This conversation has ended: there is nothing to take."));
      if (conversation.operatorId !== null) throw new ConflictError(lt("Another operator took this conversation first."));
      if (channel.maxSessions !== null) {
        const open = await m.getRepository(Conversation).countBy({ operatorId: userId, channelId: channel.id, state: "open" });
        if (open >= channel.maxSessions) {
          throw new ConflictError(lt("You reached the limit of {channel} (at most {max} at once for each operator): end a conversation before taking another."), {
            max: channel.maxSessions,
            channel: channel.name,
          });
        }
      }
      const now = this.host.clock.now();
      const taken = await m
        .createQueryBuilder()
        .update(Conversation)
        .set({ operatorId: userId, state: "open", assignedAt: now, assignmentTier: TAKEN_TIER, chatbotStepId: null })
        .where("id = :id AND state = 'waiting' AND operator_id IS NULL", { id: conversationId })
        .execute();
      if (!taken.affected) throw new ConflictError(lt("Another operator took this conversation first."));
      Object.assign(conversation, { operatorId: userId, state: "open", assignedAt: now, assignmentTier: TAKEN_TIER, chatbotStepId: null });
      await this.handedOver(m, conversation, channel, TAKEN_TIER);
      await this.notifier.queueChanged(m, channel.id, { left: [conversation.id] });
    });
  }

  /** What follows once a conversation is given to its operator: the welcome message, the window, the notifications (stored together). */
  private handedOver(m: EntityManager, conversation: Conversation, channel: LivechatChannel, tier: ConversationAssignedEvent["tier"]): Promise<string> {
    return this.notifier.gathered(m, () => this.tellHandedOver(m, conversation, channel, tier));
  }

  private async tellHandedOver(m: EntityManager, conversation: Conversation, channel: LivechatChannel, tier: ConversationAssignedEvent["tier"]): Promise<string> {
    const userId = conversation.operatorId as number;
    const name = (await this.profiles.displayNames([userId])).get(userId) ?? "";
    // Both sides see who took the conversation: from the queue, from the chatbot, or taken by an operator.
    await this.messages.addSystemWithin(m, conversation, { key: "operator_joined", params: { name } });
    if (channel.welcomeMessage && !conversation.chatbotScriptId) {
      const welcome = translated(channel.welcomeMessage, parseFieldTranslations(channel.translations).welcomeMessage ?? {}, conversation.visitorLang);
      await this.messages.addWithin(m, conversation, { kind: "operator", userId }, welcome, null, false);
    }
    await this.windows.openWithin(m, userId, conversation.id);
    // Built here, not read back: the rows are not visible to other connections before commit.
    const view: OperatorConversationDto = {
      ...conversationDto(conversation, channel.name, name, null),
      visitorName: conversation.visitorName,
      visitorLang: conversation.visitorLang,
      operatorId: conversation.operatorId,
      lastActivityAt: conversation.lastActivityAt.toISOString(),
      unread: 0,
      lastMessage: null,
    };
    await this.notifier.assigned(m, view, { conversationId: conversation.id, channelId: channel.id, operatorId: userId, tier }, conversation.assignedAt ?? this.host.clock.now());
    await this.notifier.conversationChanged(m, conversation, { channelName: channel.name, operatorName: name, place: null });
    return name;
  }

  /** Gives waiting conversations of the channel to free operators, oldest first. Returns the ids assigned. */
  async assignWaiting(channelId: number): Promise<number[]> {
    return this.locked(async (m) => {
      const channel = await m.getRepository(LivechatChannel).findOneBy({ id: channelId });
      if (!channel) return [];
      const assigned: number[] = [];
      // Read one at a time: the work is what gets assigned, not the length of the queue.
      for (let conversation = await firstWaiting(m, channelId); conversation; conversation = await firstWaiting(m, channelId)) {
        // Hard rules are the same for everyone in the queue: if the first cannot be served, nobody can.
        if (!(await this.assign(m, conversation, channel))) break;
        assigned.push(conversation.id);
      }
      await this.notifier.queueChanged(m, channelId, { left: assigned });
      return assigned;
    });
  }

  async channelsWithWaiting(): Promise<number[]> {
    const rows = await this.host.db
      .getRepository(Conversation)
      .createQueryBuilder("c")
      .select("DISTINCT c.channel_id", "channelId")
      .where("c.state = 'waiting'")
      .getRawMany<{ channelId: number }>();
    return rows.map((r) => Number(r.channelId));
  }
}
