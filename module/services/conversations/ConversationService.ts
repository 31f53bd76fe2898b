import { In, type EntityManager } from "typeorm";
import { ConflictError, DomainError, NotFoundError, type HostContract, type HostUser } from "../../../host/contract";
import { ChatWindow } from "../../models/ChatWindow";
import { Conversation, type ClosedReason, type ConversationState } from "../../models/Conversation";
import { ConversationAnswer } from "../../models/ConversationAnswer";
import { ConversationRead } from "../../models/ConversationRead";
import { LivechatChannel } from "../../models/LivechatChannel";
import { Message, type AuthorKind } from "../../models/Message";
import type { AssignmentService } from "../assignment/AssignmentService";
import type { OperatorProfiles } from "../OperatorProfiles";
import {
  conversationDto,
  messageDto,
  type ChatWindowDto,
  type ConversationDto,
  type MessageDto,
  type OperatorConversationDto,
  type StartedConversationDto,
} from "./dto";
import { hashVisitorToken, newVisitorKey, newVisitorToken, visitorTokenMatches } from "./visitorToken";

/** The bus channel a visitor's widget listens to. */
export const visitorBusChannel = (conversationId: number) => `livechat.conversation:${conversationId}`;

export const CONVERSATION_CREATED_EVENT = "livechat.conversation_created";
export const CONVERSATION_CLOSED_EVENT = "livechat.conversation_closed";

export interface StartInput {
  visitorKey: string | null;
  visitorName: string | null;
  lang: string | null;
}

export interface PostResult {
  message: MessageDto;
  /** False when the client message id had been posted before: the stored message is returned. */
  created: boolean;
}

const SYSTEM_NAME = "System";

/** How long after its end a conversation's token still opens its bus channel (a reload shows the end). */
const VISITOR_BUS_AFTER_CLOSE_MS = 60 * 60_000;
/** Visitor activity is written at most this often: far finer than the minutes of the inactivity timeout. */
const VISITOR_SEEN_EVERY_MS = 15_000;

/** What the conversation service needs from a chatbot (set by the chatbot feature). */
export interface ChatbotHooks {
  /** Runs the script's first steps inside the start transaction. */
  begin(m: EntityManager, conversation: Conversation, channel: LivechatChannel): Promise<void>;
  /** The bot's name and the step waiting for an answer, for the visitor's view. */
  view(conversation: Conversation): Promise<ConversationDto["chatbot"]>;
  botNames(scriptIds: number[]): Promise<Map<number, string>>;
  /** The visitor's answer to the step the bot waits at. */
  answer(conversation: Conversation, body: string, clientMessageId: string | null): Promise<PostResult>;
}

/** The life of a conversation: start and assignment, messages, reading, ending, and the waiting queue. */
export class ConversationService {
  chatbot: ChatbotHooks | null = null;

  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
    private readonly assignment: AssignmentService,
  ) {}

  // ---- visitors ----------------------------------------------------------------------------

  async start(channelId: number, input: StartInput): Promise<StartedConversationDto> {
    const token = newVisitorToken();
    const visitorKey = input.visitorKey ?? newVisitorKey();
    const started = await this.assignment.serialize(() => this.host.db.transaction(async (m) => {
      const channel = await m.getRepository(LivechatChannel).findOneBy({ id: channelId });
      if (!channel) throw new NotFoundError("This live chat channel does not exist.");
      const now = this.host.clock.now();
      const conversation = await m.getRepository(Conversation).save({
        channelId,
        visitorKey,
        visitorName: input.visitorName || "Visitor",
        visitorLang: input.lang,
        visitorTokenHash: hashVisitorToken(token),
        operatorId: null,
        state: "waiting" as ConversationState,
        assignmentTier: null,
        createdAt: now,
        assignedAt: null,
        closedAt: null,
        closedReason: null,
        lastVisitorSeenAt: now,
      });
      if (!input.visitorName) {
        conversation.visitorName = `Visitor #${conversation.id}`;
        await m.getRepository(Conversation).update({ id: conversation.id }, { visitorName: conversation.visitorName });
      }
      await this.assignment.lock(m);
      if (channel.chatbotScriptId && this.chatbot) {
        conversation.state = "bot";
        conversation.chatbotScriptId = channel.chatbotScriptId;
        await m.getRepository(Conversation).save(conversation);
        await this.chatbot.begin(m, conversation, channel);
        return { conversation, view: null };
      }
      const operator = await this.assignWithin(m, conversation, channel);
      // A newcomer joins the end of the queue: nobody else's position changes, and the newcomer
      // learns theirs from this answer, counted while the queue cannot change.
      const position = conversation.state === "waiting" ? await this.queuePosition(m, conversation) : null;
      return { conversation, view: conversationDto(conversation, channel.name, operator?.name ?? null, position) };
    }));
    const { conversation, view } = started;
    await this.host.hooks.emit(CONVERSATION_CREATED_EVENT, { conversationId: conversation.id, channelId });
    // The chatbot may have moved the conversation on (to an operator, or to the queue): read it back.
    return { conversation: view ?? (await this.visitorView(await this.load(conversation.id))), token, visitorKey };
  }

  /** The conversation a visitor token opens, if it is this one; anything else is 404 (no hint it exists). */
  async forVisitor(conversationId: number, token: string | null): Promise<Conversation> {
    const conversation = token ? await this.host.db.getRepository(Conversation).findOneBy({ id: conversationId }) : null;
    if (!conversation || !token || !visitorTokenMatches(token, conversation.visitorTokenHash)) {
      throw new NotFoundError("No such conversation for this visitor.");
    }
    return conversation;
  }

  /** Bus channels a visitor token may listen to: its conversation's, until a while after it ended. */
  async visitorChannels(token: string): Promise<string[] | null> {
    const conversation = await this.host.db.getRepository(Conversation).findOneBy({ visitorTokenHash: hashVisitorToken(token) });
    if (!conversation) return null;
    const endedLongAgo =
      conversation.closedAt !== null && this.host.clock.now().getTime() - conversation.closedAt.getTime() > VISITOR_BUS_AFTER_CLOSE_MS;
    return endedLongAgo ? null : [visitorBusChannel(conversation.id)];
  }

  /** Records that the visitor is still there; a write at most every 15 s per conversation (a hot path). */
  async visitorSeen(conversation: Conversation, m: EntityManager = this.host.db.manager): Promise<void> {
    const now = this.host.clock.now();
    if (now.getTime() - conversation.lastVisitorSeenAt.getTime() < VISITOR_SEEN_EVERY_MS) return;
    await m.getRepository(Conversation).update({ id: conversation.id }, { lastVisitorSeenAt: now });
  }

  async visitorView(conversation: Conversation): Promise<ConversationDto> {
    const [channel, names, position] = await Promise.all([
      this.host.db.getRepository(LivechatChannel).findOneBy({ id: conversation.channelId }),
      conversation.operatorId ? this.profiles.displayNames([conversation.operatorId]) : Promise.resolve(new Map<number, string>()),
      this.queuePosition(this.host.db.manager, conversation),
    ]);
    const operatorName = conversation.operatorId ? (names.get(conversation.operatorId) ?? null) : null;
    const dto = conversationDto(conversation, channel?.name ?? "", operatorName, position);
    if (conversation.chatbotScriptId && this.chatbot) dto.chatbot = await this.chatbot.view(conversation);
    return dto;
  }

  // ---- messages ----------------------------------------------------------------------------

  async messages(conversationId: number, after = 0, limit = 200): Promise<MessageDto[]> {
    const rows = await this.host.db
      .getRepository(Message)
      .createQueryBuilder("m")
      .where("m.conversation_id = :conversationId AND m.id > :after", { conversationId, after })
      .orderBy("m.id", "ASC")
      .limit(limit)
      .getMany();
    return this.messageDtos(rows);
  }

  /**
   * Stores a message, then tells the visitor and the operator (after commit). The same client
   * message id again returns the stored message instead of a second one.
   */
  async post(
    conversation: Conversation,
    author: { kind: AuthorKind; userId: number | null },
    body: string,
    clientMessageId: string | null,
  ): Promise<PostResult> {
    if (clientMessageId) {
      const existing = await this.host.db.getRepository(Message).findOneBy({ conversationId: conversation.id, clientMessageId });
      if (existing) return { message: (await this.messageDtos([existing]))[0], created: false };
    }
    try {
      const message = await this.host.db.transaction(async (m) => {
        const current = await m.getRepository(Conversation).findOneByOrFail({ id: conversation.id });
        if (current.state === "closed") throw new ConflictError("This conversation has ended: no more messages can be sent.");
        const saved = await this.addMessageWithin(m, current, author, body, clientMessageId);
        if (author.kind === "visitor") await this.visitorSeen(current, m);
        if (author.kind === "operator" && author.userId) await this.markReadWithin(m, current.id, author.userId, saved.id);
        return saved;
      });
      return { message, created: true };
    } catch (err) {
      // Two identical retries racing: the unique index let one through; answer with it.
      if (clientMessageId && !(err instanceof DomainError)) {
        const existing = await this.host.db.getRepository(Message).findOneBy({ conversationId: conversation.id, clientMessageId });
        if (existing) return { message: (await this.messageDtos([existing]))[0], created: false };
      }
      throw err;
    }
  }

  /** Ends the conversation (twice is fine) and frees the operator's seat for the queue. */
  async end(conversation: Conversation, reason: ClosedReason, byUser: HostUser | null = null): Promise<ConversationDto> {
    await this.close(conversation, reason, byUser, null);
    return this.visitorView(await this.load(conversation.id));
  }

  /**
   * Closes the conversation unless it is closed already, or, with `visitorGoneSince`, unless the
   * visitor was seen since then (a heartbeat that arrived while the abandoned ones were being closed).
   * Returns whether it closed it.
   */
  private async close(conversation: Conversation, reason: ClosedReason, byUser: HostUser | null, visitorGoneSince: Date | null): Promise<boolean> {
    const closed = await this.host.db.transaction(async (m) => {
      const current = await m.getRepository(Conversation).findOneByOrFail({ id: conversation.id });
      if (current.state === "closed") return false;
      if (visitorGoneSince && current.lastVisitorSeenAt >= visitorGoneSince) return false;
      const wasWaiting = current.state === "waiting";
      current.state = "closed";
      current.closedAt = this.host.clock.now();
      current.closedReason = reason;
      await m.getRepository(Conversation).save(current);
      const text =
        reason === "visitor"
          ? "The visitor ended the conversation."
          : reason === "operator"
            ? `${byUser ? (await this.profiles.displayNames([byUser.id])).get(byUser.id) : "The operator"} ended the conversation.`
            : "The visitor left the conversation.";
      await this.addMessageWithin(m, current, { kind: "system", userId: null }, text, null);
      await this.publishConversation(m, current);
      // Those behind a visitor who left the queue move up.
      if (wasWaiting) await this.publishQueue(m, current.channelId);
      return true;
    });
    if (closed) {
      await this.host.hooks.emit(CONVERSATION_CLOSED_EVENT, { conversationId: conversation.id, channelId: conversation.channelId, reason });
      await this.assignWaiting(conversation.channelId);
    }
    return closed;
  }

  // ---- the waiting queue -------------------------------------------------------------------

  /** Gives waiting conversations of the channel to free operators, oldest first. Returns the ids assigned. */
  async assignWaiting(channelId: number): Promise<number[]> {
    return this.assignment.serialize(() => this.host.db.transaction(async (m) => {
      const channel = await m.getRepository(LivechatChannel).findOneBy({ id: channelId });
      if (!channel) return [];
      await this.assignment.lock(m);
      const waiting = await m.getRepository(Conversation).find({ where: { channelId, state: "waiting" }, order: { id: "ASC" } });
      const assigned: number[] = [];
      for (const conversation of waiting) {
        // Hard rules are the same for everyone in the queue: if the first cannot be served, nobody can.
        if (!(await this.assignWithin(m, conversation, channel))) break;
        assigned.push(conversation.id);
      }
      if (assigned.length) await this.publishQueue(m, channelId);
      return assigned;
    }));
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

  /** Closes conversations (with the bot, waiting or open) whose visitor has not been seen for `minutes`; returns how many. */
  async closeAbandoned(minutes: number): Promise<number> {
    const before = new Date(this.host.clock.now().getTime() - minutes * 60_000);
    const stale = await this.host.db
      .getRepository(Conversation)
      .createQueryBuilder("c")
      .where("c.state IN ('bot', 'waiting', 'open') AND c.last_visitor_seen_at < :before", { before })
      .orderBy("c.id", "ASC")
      .getMany();
    let closed = 0;
    for (const conversation of stale) if (await this.close(conversation, "inactivity", null, before)) closed++;
    return closed;
  }

  // ---- operators ---------------------------------------------------------------------------

  /** A conversation the user may see: their own; unassigned ones of their channels; any for managers. */
  async forOperator(conversationId: number, user: HostUser): Promise<Conversation> {
    const conversation = await this.host.db.getRepository(Conversation).findOneBy({ id: conversationId });
    if (!conversation || !(await this.canSee(conversation, user))) throw new NotFoundError("No such conversation for you.");
    return conversation;
  }

  async canSee(conversation: Conversation, user: HostUser): Promise<boolean> {
    if (this.host.users.hasGroup(user, "livechat.manager")) return true;
    if (conversation.operatorId === user.id) return true;
    return conversation.operatorId === null && (await this.assignment.channelsOf(user.id)).includes(conversation.channelId);
  }

  async listForOperator(user: HostUser, state: "open" | "closed" | "all" = "all", limit = 200): Promise<OperatorConversationDto[]> {
    const qb = this.host.db.getRepository(Conversation).createQueryBuilder("c");
    if (!this.host.users.hasGroup(user, "livechat.manager")) {
      const channelIds = await this.assignment.channelsOf(user.id);
      qb.where(
        channelIds.length
          ? "(c.operator_id = :me OR (c.operator_id IS NULL AND c.channel_id IN (:...channelIds)))"
          : "c.operator_id = :me",
        { me: user.id, channelIds },
      );
    }
    if (state === "open") qb.andWhere("c.state IN ('open', 'waiting')");
    if (state === "closed") qb.andWhere("c.state = 'closed'");
    const rows = await qb.orderBy("c.id", "DESC").limit(limit).getMany();
    return this.operatorViews(rows, user);
  }

  async operatorViews(rows: Conversation[], user: HostUser): Promise<OperatorConversationDto[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((c) => c.id);
    const [channels, names, unread, lastMessages] = await Promise.all([
      this.host.db.getRepository(LivechatChannel).findBy({ id: In([...new Set(rows.map((c) => c.channelId))]) }),
      this.profiles.displayNames([...new Set(rows.map((c) => c.operatorId).filter((id): id is number => id !== null))]),
      this.unreadCounts(ids, user.id),
      this.lastMessages(ids),
    ]);
    const channelName = new Map(channels.map((c) => [c.id, c.name]));
    const positions = await Promise.all(rows.map((c) => this.queuePosition(this.host.db.manager, c)));
    return rows.map((c, i) => ({
      ...conversationDto(c, channelName.get(c.channelId) ?? "", c.operatorId ? (names.get(c.operatorId) ?? null) : null, positions[i]),
      visitorName: c.visitorName,
      visitorLang: c.visitorLang,
      operatorId: c.operatorId,
      unread: unread.get(c.id) ?? 0,
      lastMessage: lastMessages.get(c.id) ?? null,
    }));
  }

  /** Marks the conversation read up to `lastMessageId` for this operator only. */
  async markRead(conversation: Conversation, userId: number, lastMessageId: number): Promise<void> {
    await this.host.db.transaction(async (m) => {
      // Never past the last message there is: a made-up id must not mark messages still to come as read.
      const newest = await m
        .getRepository(Message)
        .createQueryBuilder("m")
        .select("MAX(m.id)", "id")
        .where("m.conversation_id = :conversationId AND m.id <= :lastMessageId", { conversationId: conversation.id, lastMessageId })
        .getRawOne<{ id: number | string | null }>();
      const upTo = Number(newest?.id ?? 0);
      if (upTo > 0) await this.markReadWithin(m, conversation.id, userId, upTo);
    });
    await this.host.bus.publish(`user:${userId}`, "livechat.unread", { unreadConversations: await this.unreadConversationCount(userId) });
  }

  /** Per conversation, messages from others after the operator's read position. */
  async unreadCounts(conversationIds: number[], userId: number): Promise<Map<number, number>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.host.db
      .getRepository(Message)
      .createQueryBuilder("m")
      .leftJoin(ConversationRead, "r", "r.conversation_id = m.conversation_id AND r.user_id = :me", { me: userId })
      .select("m.conversation_id", "conversationId")
      .addSelect("COUNT(*)", "unread")
      .where("m.conversation_id IN (:...ids)", { ids: conversationIds })
      .andWhere("m.id > COALESCE(r.last_read_message_id, 0)")
      .andWhere("(m.author_user_id IS NULL OR m.author_user_id <> :me)")
      .andWhere("m.author_kind <> 'system'")
      .groupBy("m.conversation_id")
      .getRawMany<{ conversationId: number; unread: string | number }>();
    return new Map(rows.map((r) => [Number(r.conversationId), Number(r.unread)]));
  }

  async unreadConversationCount(userId: number): Promise<number> {
    const user = await this.host.users.get(userId);
    if (!user) return 0;
    const list = await this.listForOperator(user, "all");
    return list.filter((c) => c.unread > 0).length;
  }

  /** What the visitor answered the chatbot, in the order asked. */
  async answers(conversationId: number): Promise<{ question: string; value: string }[]> {
    const rows = await this.host.db.getRepository(ConversationAnswer).find({ where: { conversationId } });
    return rows.map((a) => ({ question: a.question, value: a.value }));
  }

  // ---- chat windows ------------------------------------------------------------------------

  async windows(userId: number): Promise<ChatWindowDto[]> {
    const rows = await this.host.db.getRepository(ChatWindow).find({ where: { userId }, order: { openedAt: "ASC", conversationId: "ASC" } });
    return rows.map((w) => ({ conversationId: w.conversationId, state: w.state }));
  }

  async setWindow(userId: number, conversationId: number, state: "open" | "folded" | "closed"): Promise<void> {
    const repo = this.host.db.getRepository(ChatWindow);
    if (state === "closed") {
      await repo.delete({ userId, conversationId });
    } else {
      const existing = await repo.findOneBy({ userId, conversationId });
      await repo.save({ userId, conversationId, state, openedAt: existing?.openedAt ?? this.host.clock.now() });
    }
    await this.host.bus.publish(`user:${userId}`, "livechat.window", { windows: await this.windows(userId) });
  }

  // ---- internals ---------------------------------------------------------------------------

  async load(id: number): Promise<Conversation> {
    return this.host.db.getRepository(Conversation).findOneByOrFail({ id });
  }

  /**
   * Assigns if someone can take it (caller holds the lock); tells the operator and the visitor.
   * Returns the operator (with the name visitors see), or null when nobody can take it now.
   */
  async assignWithin(m: EntityManager, conversation: Conversation, channel: LivechatChannel): Promise<{ userId: number; name: string } | null> {
    const choice = await this.assignment.decide(m, conversation, channel.maxSessions);
    if (!choice) return null;
    const now = this.host.clock.now();
    conversation.operatorId = choice.userId;
    conversation.state = "open";
    conversation.assignedAt = now;
    conversation.assignmentTier = choice.tier;
    conversation.chatbotStepId = null;
    if (choice.expertAssigned !== null) conversation.expertAssigned = choice.expertAssigned;
    const { operatorId, state, assignedAt, assignmentTier, chatbotStepId, expertAssigned } = conversation;
    await m.getRepository(Conversation).update({ id: conversation.id }, { operatorId, state, assignedAt, assignmentTier, chatbotStepId, expertAssigned });
    if (channel.welcomeMessage && !conversation.chatbotScriptId) {
      await this.addMessageWithin(m, conversation, { kind: "operator", userId: choice.userId }, channel.welcomeMessage, null, false);
    }
    const existing = await m.getRepository(ChatWindow).findOneBy({ userId: choice.userId, conversationId: conversation.id });
    if (!existing) await m.getRepository(ChatWindow).insert({ userId: choice.userId, conversationId: conversation.id, state: "open", openedAt: now });
    const name = (await this.profiles.displayNames([choice.userId])).get(choice.userId) ?? "";
    // Built here, not read back: the rows are not visible to other connections before commit.
    const view: OperatorConversationDto = {
      ...conversationDto(conversation, channel.name, name, null),
      visitorName: conversation.visitorName,
      visitorLang: conversation.visitorLang,
      operatorId: conversation.operatorId,
      unread: 0,
      lastMessage: null,
    };
    await this.host.bus.publish(`user:${choice.userId}`, "livechat.conversation_assigned", { conversation: view }, m);
    await this.publishConversation(m, conversation, { channelName: channel.name, operatorName: name, position: null });
    return { userId: choice.userId, name };
  }

  async addMessageWithin(
    m: EntityManager,
    conversation: Conversation,
    author: { kind: AuthorKind; userId: number | null },
    body: string,
    clientMessageId: string | null,
    notifyOperator = true,
  ): Promise<MessageDto> {
    const saved = await m.getRepository(Message).save({
      conversationId: conversation.id,
      authorKind: author.kind,
      authorUserId: author.userId,
      body,
      clientMessageId,
      createdAt: this.host.clock.now(),
    });
    const [dto] = await this.messageDtos([saved], conversation);
    await this.host.bus.publish(visitorBusChannel(conversation.id), "livechat.message", { message: dto }, m);
    if (notifyOperator && conversation.operatorId) {
      await this.host.bus.publish(`user:${conversation.operatorId}`, "livechat.message", { message: dto }, m);
    }
    return dto;
  }

  /** `lastMessageId` must be a message of the conversation (see markRead). */
  private async markReadWithin(m: EntityManager, conversationId: number, userId: number, lastMessageId: number): Promise<void> {
    const repo = m.getRepository(ConversationRead);
    const current = await repo.findOneBy({ conversationId, userId });
    // Reading never goes backwards (an old tab must not mark read messages unread).
    if (current && current.lastReadMessageId >= lastMessageId) return;
    await repo.save({ conversationId, userId, lastReadMessageId: lastMessageId });
  }

  /** Tells the visitor and the operator the conversation's state; `known` spares the lookups when the caller has them. */
  async publishConversation(
    m: EntityManager,
    conversation: Conversation,
    known?: { channelName: string; operatorName: string | null; position: number | null },
  ): Promise<void> {
    let dto: ConversationDto;
    if (known) {
      dto = conversationDto(conversation, known.channelName, known.operatorName, known.position);
    } else {
      const names = conversation.operatorId ? await this.profiles.displayNames([conversation.operatorId]) : new Map<number, string>();
      const channel = await m.getRepository(LivechatChannel).findOneBy({ id: conversation.channelId });
      dto = conversationDto(
        conversation,
        channel?.name ?? "",
        conversation.operatorId ? (names.get(conversation.operatorId) ?? null) : null,
        await this.queuePosition(m, conversation),
      );
    }
    await this.host.bus.publish(visitorBusChannel(conversation.id), "livechat.conversation", { conversation: dto }, m);
    if (conversation.operatorId) await this.host.bus.publish(`user:${conversation.operatorId}`, "livechat.conversation", { conversation: dto }, m);
  }

  /** Tells every waiting visitor of the channel their place in the queue. */
  async publishQueue(m: EntityManager, channelId: number): Promise<void> {
    const waiting = await m.getRepository(Conversation).find({ where: { channelId, state: "waiting" }, order: { id: "ASC" } });
    if (waiting.length === 0) return;
    const channelName = (await m.getRepository(LivechatChannel).findOneBy({ id: channelId }))?.name ?? "";
    for (const [i, conversation] of waiting.entries()) {
      await this.publishConversation(m, conversation, { channelName, operatorName: null, position: i + 1 });
    }
  }

  private async queuePosition(m: EntityManager, conversation: Conversation): Promise<number | null> {
    if (conversation.state !== "waiting") return null;
    return m
      .getRepository(Conversation)
      .createQueryBuilder("c")
      .where("c.channel_id = :channelId AND c.state = 'waiting' AND c.id <= :id", { channelId: conversation.channelId, id: conversation.id })
      .getCount();
  }

  private async lastMessages(conversationIds: number[]): Promise<Map<number, MessageDto>> {
    const latest = await this.host.db
      .getRepository(Message)
      .createQueryBuilder("m")
      .select("MAX(m.id)", "id")
      .where("m.conversation_id IN (:...ids)", { ids: conversationIds })
      .groupBy("m.conversation_id")
      .getRawMany<{ id: number }>();
    if (latest.length === 0) return new Map();
    const rows = await this.host.db.getRepository(Message).findBy({ id: In(latest.map((r) => Number(r.id))) });
    return new Map((await this.messageDtos(rows)).map((dto) => [dto.conversationId, dto]));
  }

  /** Messages as clients see them, with author names; `known` spares reading a conversation the caller holds. */
  private async messageDtos(rows: Message[], known?: Conversation): Promise<MessageDto[]> {
    const operatorIds = [...new Set(rows.map((r) => r.authorUserId).filter((id): id is number => id !== null))];
    const conversationIds = [...new Set(rows.filter((r) => r.authorKind === "visitor" || r.authorKind === "bot").map((r) => r.conversationId))];
    const needed = known && conversationIds.every((id) => id === known.id) ? [] : conversationIds;
    const [names, conversations] = await Promise.all([
      operatorIds.length ? this.profiles.displayNames(operatorIds) : Promise.resolve(new Map<number, string>()),
      needed.length ? this.host.db.getRepository(Conversation).findBy({ id: In(needed) }) : Promise.resolve(known ? [known] : []),
    ]);
    const visitorName = new Map(conversations.map((c) => [c.id, c.visitorName]));
    const scriptOf = new Map(conversations.map((c) => [c.id, c.chatbotScriptId]));
    const botNames = this.chatbot
      ? await this.chatbot.botNames([...new Set(conversations.map((c) => c.chatbotScriptId).filter((id): id is number => id !== null))])
      : new Map<number, string>();
    return rows.map((r) => {
      const name =
        r.authorKind === "visitor"
          ? (visitorName.get(r.conversationId) ?? "Visitor")
          : r.authorKind === "system"
            ? SYSTEM_NAME
            : r.authorKind === "bot"
              ? (botNames.get(scriptOf.get(r.conversationId) ?? 0) ?? "Bot")
              : r.authorUserId
                ? (names.get(r.authorUserId) ?? "Operator")
                : "Operator";
      return messageDto(r, name);
    });
  }
}
