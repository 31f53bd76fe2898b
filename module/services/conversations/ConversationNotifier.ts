import type { EntityManager } from "typeorm";
import { busAddress, type HostContract } from "../../../host/contract";
import {
  conversationAssigned,
  conversationClosed,
  conversationStarted,
  messagePosted,
  type ConversationAssignedEvent,
  type ConversationClosedEvent,
  type ConversationStartedEvent,
  type MessagePostedEvent,
} from "../../api";
import type { Conversation } from "../../models/Conversation";
import type { SeatChange } from "../assignment/AssignmentRoster";
import { LivechatChannel } from "../../models/LivechatChannel";
import type { OperatorProfiles } from "../OperatorProfiles";
import type { RatingDto } from "../ratings/ConversationRatings";
import { conversationDto, type ChatWindowDto, type ConversationDto, type MessageDto, type OperatorConversationDto } from "./dto";
import { nextQueueVersion, queueAddress, queuePlace, waitingAddress, type QueueChange, type QueuePlace } from "./queueOrder";

/** The bus address a visitor's widget listens to for their conversation. */
export const conversationAddress = (conversationId: number): string => busAddress.record("livechat.conversation", conversationId);

/** What the caller already knows about a conversation's view, to spare the lookups. */
export interface KnownView {
  channelName: string;
  operatorName: string | null;
  place: QueuePlace | null;
}

/**
 * The one place where what happens to conversations is told: bus notifications to visitors and
 * operators (stored in the caller's transaction, so they go out only if it commits), and the typed
 * events integrators listen to (emitted after commit).
 */
export class ConversationNotifier {
  /** Integrator events recorded inside a transaction, emitted once it committed (dropped with it otherwise). */
  private readonly pending = new WeakMap<EntityManager, (() => Promise<void>)[]>();
  /** Seat changes recorded inside a transaction, told once it committed. */
  private readonly seats = new WeakMap<EntityManager, SeatChange[]>();
  private readonly seatListeners: ((change: SeatChange) => void)[] = [];
  /** Notifications being gathered in a transaction (see `gathered`). */
  private readonly gathering = new WeakMap<EntityManager, { channel: string; type: string; payload: unknown }[]>();

  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
  ) {}

  /**
   * Runs `work` in a transaction (inside `around`, e.g. the assignment queue), then emits the events it
   * recorded. Seat changes are told first, still inside `around`: the next assignment decision already
   * knows them.
   */
  async transaction<T>(work: (m: EntityManager) => Promise<T>, around: (run: () => Promise<T>) => Promise<T> = (run) => run()): Promise<T> {
    let manager: EntityManager | null = null;
    const result = await around(async () => {
      const done = await this.host.db.transaction((m) => {
        manager = m;
        return work(m);
      });
      for (const change of (manager && this.seats.get(manager)) ?? []) for (const listener of this.seatListeners) listener(change);
      return done;
    });
    const events = manager ? (this.pending.get(manager) ?? []) : [];
    for (const emit of events) await emit();
    return result;
  }

  /**
   * Runs each of `works` in one transaction, after `first` (e.g. taking the assignment lock), each in
   * a savepoint of its own: one that throws is rolled back alone and fails alone, the others commit
   * together (one commit for all). Seat changes of each are told as soon as it succeeded, so the next
   * one decides knowing them; should the transaction then fail, they were told but never committed,
   * which the caller must undo. `emit` emits the events of those that committed: call it once out of
   * the assignment queue, as `transaction` does.
   */
  async transactionEach<T>(
    first: (m: EntityManager) => Promise<void>,
    works: ((m: EntityManager) => Promise<T>)[],
  ): Promise<{ outcomes: PromiseSettledResult<T>[]; emit: () => Promise<void> }> {
    const succeeded: EntityManager[] = [];
    const outcomes = await this.host.db.transaction(async (m) => {
      await first(m);
      const runner = m.queryRunner;
      if (!runner) throw new Error("a transaction without its query runner");
      const results: PromiseSettledResult<T>[] = [];
      for (const work of works) {
        // A manager of its own (same connection, same transaction) keys its events and seat changes.
        const own = m.connection.createEntityManager(runner);
        await runner.startTransaction();
        try {
          const value = await work(own);
          await runner.commitTransaction();
          results.push({ status: "fulfilled", value });
        } catch (reason) {
          await runner.rollbackTransaction();
          results.push({ status: "rejected", reason });
          continue;
        }
        succeeded.push(own);
        for (const change of this.seats.get(own) ?? []) for (const listener of this.seatListeners) listener(change);
      }
      return results;
    });
    const emit = async () => {
      for (const own of succeeded) for (const event of this.pending.get(own) ?? []) await event();
    };
    return { outcomes, emit };
  }

  /** Hears every committed change of a conversation's seat (assigned, transferred, ended), in commit order. */
  onSeatChange(listener: (change: SeatChange) => void): void {
    this.seatListeners.push(listener);
  }

  private afterCommit(m: EntityManager, emit: () => Promise<void>): void {
    this.pending.set(m, [...(this.pending.get(m) ?? []), emit]);
  }

  private seatChanged(m: EntityManager, change: SeatChange): void {
    this.seats.set(m, [...(this.seats.get(m) ?? []), change]);
  }

  // ---- bus notifications -------------------------------------------------------------------

  /**
   * Runs `work`, then stores the notifications it made through this notifier in `m` in one statement
   * (in the order made): what a conversation changing hands tells its visitor and operator is one
   * write instead of one per notification.
   */
  async gathered<T>(m: EntityManager, work: () => Promise<T>): Promise<T> {
    if (this.gathering.has(m)) return work();
    const list: { channel: string; type: string; payload: unknown }[] = [];
    this.gathering.set(m, list);
    let value: T;
    try {
      value = await work();
    } finally {
      this.gathering.delete(m);
    }
    await this.host.bus.publishAll(list, m);
    return value;
  }

  private async publish(m: EntityManager, channel: string, type: string, payload: unknown): Promise<void> {
    const list = this.gathering.get(m);
    if (list) list.push({ channel, type, payload });
    else await this.host.bus.publish(channel, type, payload, m);
  }

  /** Tells the visitor and the operator the conversation's state. */
  async conversationChanged(m: EntityManager, conversation: Conversation, known?: KnownView): Promise<void> {
    let dto: ConversationDto;
    if (known) {
      dto = conversationDto(conversation, known.channelName, known.operatorName, known.place);
    } else {
      const names = conversation.operatorId ? await this.profiles.displayNames([conversation.operatorId]) : new Map<number, string>();
      const channel = await m.getRepository(LivechatChannel).findOneBy({ id: conversation.channelId });
      dto = conversationDto(
        conversation,
        channel?.name ?? "",
        conversation.operatorId ? (names.get(conversation.operatorId) ?? null) : null,
        await queuePlace(m, conversation),
      );
    }
    // One payload for both: gathered, it is made text once.
    const payload = { conversation: dto };
    await this.publish(m, conversationAddress(conversation.id), "livechat.conversation", payload);
    if (conversation.operatorId) {
      await this.publish(m, busAddress.user(conversation.operatorId), "livechat.conversation", payload);
    }
  }

  /**
   * Tells the channel's queue that conversations left it or joined it ahead of others: one
   * notification, whatever the queue's length; each widget works out its own place (queueOrder.ts).
   */
  async queueChanged(m: EntityManager, channelId: number, change: { left?: number[]; joined?: number[] }): Promise<void> {
    const left = change.left ?? [];
    const joined = change.joined ?? [];
    if (left.length === 0 && joined.length === 0) return;
    const payload: QueueChange = { channelId, version: await nextQueueVersion(m, channelId), left, joined };
    await this.publish(m, queueAddress(channelId), "livechat.queue", payload);
  }

  /**
   * To the channel's operators: a visitor joined the end of the queue. A signal (never stored), so the
   * visitors already waiting, whose places do not move, are told nothing.
   */
  async joinedQueueEnd(channelId: number, conversationId: number): Promise<void> {
    await this.host.bus.signal(waitingAddress(channelId), "livechat.waiting", { channelId, conversationId });
  }

  /** A stored message, to the visitor and (unless `toOperator` is false) the conversation's operator. */
  async messageStored(m: EntityManager, conversation: Conversation, message: MessageDto, toOperator: boolean): Promise<void> {
    const payload = { message };
    await this.publish(m, conversationAddress(conversation.id), "livechat.message", payload);
    if (toOperator && conversation.operatorId) {
      await this.publish(m, busAddress.user(conversation.operatorId), "livechat.message", payload);
    }
  }

  /** The operator's new conversation (opens a chat window), and the event for integrators after commit. */
  async assigned(m: EntityManager, view: OperatorConversationDto, event: ConversationAssignedEvent, assignedAt: Date): Promise<void> {
    await this.publish(m, busAddress.user(event.operatorId), "livechat.conversation_assigned", { conversation: view });
    this.seatChanged(m, { conversationId: event.conversationId, channelId: event.channelId, operatorId: event.operatorId, open: true, assignedAt });
    this.afterCommit(m, () => conversationAssigned.emit(this.host.hooks, event));
  }

  /**
   * The operator who had the conversation lost it to a transfer: his windows and lists let it go, on
   * every tab; `line` says to whom.
   */
  async transferredAway(m: EntityManager, userId: number, line: MessageDto, channelId: number): Promise<void> {
    await this.publish(m, busAddress.user(userId), "livechat.conversation_transferred", { conversationId: line.conversationId, line });
    this.seatChanged(m, { conversationId: line.conversationId, channelId, operatorId: null, open: false, assignedAt: null });
  }

  /** The visitor rated the ended conversation: its operator's window and Discuss show it. */
  async rated(m: EntityManager, operatorId: number, conversationId: number, rating: RatingDto): Promise<void> {
    await this.publish(m, busAddress.user(operatorId), "livechat.rating", { conversationId, rating });
  }

  async unreadChanged(userId: number, unreadConversations: number): Promise<void> {
    await this.host.bus.publish(busAddress.user(userId), "livechat.unread", { unreadConversations });
  }

  /** Every tab of the operator: the conversation is read up to this message (their windows and lists follow). */
  async readChanged(userId: number, conversationId: number, lastMessageId: number): Promise<void> {
    await this.host.bus.publish(busAddress.user(userId), "livechat.read", { conversationId, lastMessageId });
  }

  async windowsChanged(userId: number, windows: ChatWindowDto[]): Promise<void> {
    await this.host.bus.publish(busAddress.user(userId), "livechat.window", { windows });
  }

  // ---- integrator events: recorded in the transaction, emitted after it committed -------------

  started(m: EntityManager, event: ConversationStartedEvent): void {
    this.afterCommit(m, () => conversationStarted.emit(this.host.hooks, event));
  }

  closed(m: EntityManager, event: ConversationClosedEvent): void {
    this.seatChanged(m, { conversationId: event.conversationId, channelId: event.channelId, operatorId: null, open: false, assignedAt: null });
    this.afterCommit(m, () => conversationClosed.emit(this.host.hooks, event));
  }

  posted(m: EntityManager, event: MessagePostedEvent): void {
    this.afterCommit(m, () => messagePosted.emit(this.host.hooks, event));
  }
}
