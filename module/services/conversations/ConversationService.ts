import { In, type EntityManager } from "typeorm";
import { HttpError, type HostContract, type HostUser } from "../../../host/contract";
import { ChatWindow } from "../../models/ChatWindow";
import { Conversation, type ClosedReason, type ConversationState } from "../../models/Conversation";
import { ConversationRead } from "../../models/ConversationRead";
import { LivechatChannel } from "../../models/LivechatChannel";
import { Message, type AuthorKind } from "../../models/Message";
import type { AssignmentService } from "../assignment/AssignmentService";
import type { OperatorProfiles } from "../OperatorProfiles";
import { conversationDto, messageDto, type ConversationDto, type MessageDto, type OperatorConversationDto } from "./dto";
import { hashVisitorToken, newVisitorKey, newVisitorToken } from "./visitorToken";

/** The bus channel a visitor's widget listens to. */
export const visitorBusChannel = (conversationId: number) => `livechat.conversation:${conversationId}`;

export const CONVERSATION_CREATED_EVENT = "livechat.conversation_created";
export const CONVERSATION_CLOSED_EVENT = "livechat.conversation_closed";

export interface StartInput {
  visitorKey: string | null;
  visitorName: string | null;
  lang: string | null;
  /** Expertise a chatbot asks for. */
  expertiseIds?: number[];
}

export interface PostResult {
  message: MessageDto;
  /** False when the client message id had been posted before: the stored message is returned. */
  created: boolean;
}

const SYSTEM_NAME = "System";

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

  async start(channelId: number, input: StartInput): Promise<{ conversation: ConversationDto; token: string; visitorKey: string }> {
    const token = newVisitorToken();
    const visitorKey = input.visitorKey ?? newVisitorKey();
    const id = await this.assignment.serialize(() => this.host.db.transaction(async (m) => {
      const channel = await m.getRepository(LivechatChannel).findOneBy({ id: channelId });
      if (!channel) throw new HttpError(404, "This live chat channel does not exist.");
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
        requestedExpertise: (input.expertiseIds ?? []).join(","),
        createdAt: now,
        assignedAt: null,
        closedAt: null,
        closedReason: null,
        lastVisitorSeenAt: now,
      });
      if (!input.visitorName) {
        conversation.visitorName = `Visitor #${conversation.id}`;
        await m.getRepository(Conversation).save(conversation);
      }
      await this.assignment.lock(m);
      if (channel.chatbotScriptId && this.chatbot) {
        conversation.state = "bot";
        conversation.chatbotScriptId = channel.chatbotScriptId;
        await m.getRepository(Conversation).save(conversation);
        await this.chatbot.begin(m, conversation, channel);
      } else {
        await this.assignWithin(m, conversation, channel);
      }
      if (conversation.state === "waiting") await this.publishQueue(m, channelId);
      return conversation.id;
    }));
    await this.host.hooks.emit(CONVERSATION_CREATED_EVENT, { conversationId: id, channelId });
    return { conversation: await this.visitorView(await this.load(id)), token, visitorKey };
  }

  /** The conversation a visitor token opens, if it is this one; anything else is 404 (no hint it exists). */
  async forVisitor(conversationId: number, token: string | null): Promise<Conversation> {
    const conversation = token ? await this.host.db.getRepository(Conversation).findOneBy({ id: conversationId }) : null;
    if (!conversation || !token || conversation.visitorTokenHash !== hashVisitorToken(token)) {
      throw new HttpError(404, "No such conversation for this visitor.");
    }
    return conversation;
  }

  /** Bus channels a visitor token may listen to. */
  async visitorChannels(token: string): Promise<string[] | null> {
    const conversation = await this.host.db.getRepository(Conversation).findOneBy({ visitorTokenHash: hashVisitorToken(token) });
    return conversation ? [visitorBusChannel(conversation.id)] : null;
  }

  /** Records that the visitor is still there; a write at most every 15 s per conversation (a hot path). */
  async visitorSeen(conversation: Conversation): Promise<void> {
    const now = this.host.clock.now();
    if (now.getTime() - conversation.lastVisitorSeenAt.getTime() < 15_000) return;
    await this.host.db.getRepository(Conversation).update({ id: conversation.id }, { lastVisitorSeenAt: now });
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
        if (current.state === "closed") throw new HttpError(409, "This conversation has ended: no more messages can be sent.");
        const saved = await this.addMessageWithin(m, current, author, body, clientMessageId);
        if (author.kind === "visitor") {
          await m.getRepository(Conversation).update({ id: current.id }, { lastVisitorSeenAt: this.host.clock.now() });
        }
        if (author.kind === "operator" && author.userId) await this.markReadWithin(m, current.id, author.userId, saved.id);
        return saved;
      });
      return { message: (await this.messageDtos([message]))[0], created: true };
    } catch (err) {
      // Two identical retries racing: the unique index let one through; answer with it.
      if (clientMessageId && !(err instanceof HttpError)) {
        const existing = await this.host.db.getRepository(Message).findOneBy({ conversationId: conversation.id, clientMessageId });
        if (existing) return { message: (await this.messageDtos([existing]))[0], created: false };
      }
      throw err;
    }
  }

  /** Ends the conversation (twice is fine) and frees the operator's seat for the queue. */
  async end(conversation: Conversation, reason: ClosedReason, byUser: HostUser | null = null): Promise<ConversationDto> {
    const closed = await this.host.db.transaction(async (m) => {
      const current = await m.getRepository(Conversation).findOneByOrFail({ id: conversation.id });
      if (current.state === "closed") return false;
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
      return true;
    });
    if (closed) {
      await this.host.hooks.emit(CONVERSATION_CLOSED_EVENT, { conversationId: conversation.id, channelId: conversation.channelId, reason });
      await this.assignWaiting(conversation.channelId);
    }
    return this.visitorView(await this.load(conversation.id));
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

  /** Closes conversations whose visitor has not been seen for `minutes`; returns how many. */
  async closeAbandoned(minutes: number): Promise<number> {
    const before = new Date(this.host.clock.now().getTime() - minutes * 60_000);
    const stale = await this.host.db
      .getRepository(Conversation)
      .createQueryBuilder("c")
      .where("c.state IN ('waiting', 'open') AND c.last_visitor_seen_at < :before", { before })
      .getMany();
    for (const conversation of stale) await this.end(conversation, "inactivity");
    return stale.length;
  }

  // ---- operators ---------------------------------------------------------------------------

  /** A conversation the user may see: their own; unassigned ones of their channels; any for managers. */
  async forOperator(conversationId: number, user: HostUser): Promise<Conversation> {
    const conversation = await this.host.db.getRepository(Conversation).findOneBy({ id: conversationId });
    if (!conversation || !(await this.canSee(conversation, user))) throw new HttpError(404, "No such conversation for you.");
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
    await this.host.db.transaction((m) => this.markReadWithin(m, conversation.id, userId, lastMessageId));
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

  // ---- chat windows ------------------------------------------------------------------------

  async windows(userId: number): Promise<{ conversationId: number; state: "open" | "folded" }[]> {
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

  /** Assigns if someone can take it (caller holds the lock); tells the operator and the visitor. */
  async assignWithin(m: EntityManager, conversation: Conversation, channel: LivechatChannel): Promise<boolean> {
    const choice = await this.assignment.decide(m, conversation, channel.maxSessions);
    if (!choice) return false;
    const now = this.host.clock.now();
    conversation.operatorId = choice.userId;
    conversation.state = "open";
    conversation.assignedAt = now;
    conversation.assignmentTier = choice.tier;
    conversation.chatbotStepId = null;
    if (conversation.requestedExpertise) {
      conversation.expertAssigned = choice.tier === "all_expertise" || choice.tier === "language_and_all_expertise";
    }
    await m.getRepository(Conversation).save(conversation);
    if (channel.welcomeMessage && !conversation.chatbotScriptId) {
      await this.addMessageWithin(m, conversation, { kind: "operator", userId: choice.userId }, channel.welcomeMessage, null, false);
    }
    const existing = await m.getRepository(ChatWindow).findOneBy({ userId: choice.userId, conversationId: conversation.id });
    if (!existing) await m.getRepository(ChatWindow).insert({ userId: choice.userId, conversationId: conversation.id, state: "open", openedAt: now });
    const [view] = await this.operatorViewsWithin(m, [conversation]);
    await this.host.bus.publish(`user:${choice.userId}`, "livechat.conversation_assigned", { conversation: view }, m);
    await this.publishConversation(m, conversation);
    return true;
  }

  /** Operator views computed inside a transaction, before its rows are visible to other connections. */
  private async operatorViewsWithin(m: EntityManager, rows: Conversation[]): Promise<OperatorConversationDto[]> {
    const channel = await m.getRepository(LivechatChannel).findOneBy({ id: rows[0].channelId });
    const names = await this.profiles.displayNames(rows.map((c) => c.operatorId).filter((id): id is number => id !== null));
    return rows.map((c) => ({
      ...conversationDto(c, channel?.name ?? "", c.operatorId ? (names.get(c.operatorId) ?? null) : null, null),
      visitorName: c.visitorName,
      visitorLang: c.visitorLang,
      operatorId: c.operatorId,
      unread: 0,
      lastMessage: null,
    }));
  }

  async addMessageWithin(
    m: EntityManager,
    conversation: Conversation,
    author: { kind: AuthorKind; userId: number | null },
    body: string,
    clientMessageId: string | null,
    notifyOperator = true,
  ): Promise<Message> {
    const saved = await m.getRepository(Message).save({
      conversationId: conversation.id,
      authorKind: author.kind,
      authorUserId: author.userId,
      body,
      clientMessageId,
      createdAt: this.host.clock.now(),
    });
    const [dto] = await this.messageDtos([saved]);
    await this.host.bus.publish(visitorBusChannel(conversation.id), "livechat.message", { message: dto }, m);
    if (notifyOperator && conversation.operatorId) {
      await this.host.bus.publish(`user:${conversation.operatorId}`, "livechat.message", { message: dto }, m);
    }
    return saved;
  }

  private async markReadWithin(m: EntityManager, conversationId: number, userId: number, lastMessageId: number): Promise<void> {
    const repo = m.getRepository(ConversationRead);
    const current = await repo.findOneBy({ conversationId, userId });
    // Reading never goes backwards (an old tab must not mark read messages unread).
    if (current && current.lastReadMessageId >= lastMessageId) return;
    await repo.save({ conversationId, userId, lastReadMessageId: lastMessageId });
  }

  async publishConversation(m: EntityManager, conversation: Conversation): Promise<void> {
    const names = conversation.operatorId ? await this.profiles.displayNames([conversation.operatorId]) : new Map<number, string>();
    const channel = await m.getRepository(LivechatChannel).findOneBy({ id: conversation.channelId });
    const dto = conversationDto(
      conversation,
      channel?.name ?? "",
      conversation.operatorId ? (names.get(conversation.operatorId) ?? null) : null,
      await this.queuePosition(m, conversation),
    );
    await this.host.bus.publish(visitorBusChannel(conversation.id), "livechat.conversation", { conversation: dto }, m);
    if (conversation.operatorId) await this.host.bus.publish(`user:${conversation.operatorId}`, "livechat.conversation", { conversation: dto }, m);
  }

  /** Tells every waiting visitor of the channel their place in the queue. */
  async publishQueue(m: EntityManager, channelId: number): Promise<void> {
    const waiting = await m.getRepository(Conversation).find({ where: { channelId, state: "waiting" }, order: { id: "ASC" } });
    for (const conversation of waiting) await this.publishConversation(m, conversation);
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

  private async messageDtos(rows: Message[]): Promise<MessageDto[]> {
    const operatorIds = [...new Set(rows.map((r) => r.authorUserId).filter((id): id is number => id !== null))];
    const conversationIds = [...new Set(rows.filter((r) => r.authorKind === "visitor" || r.authorKind === "bot").map((r) => r.conversationId))];
    const [names, conversations] = await Promise.all([
      this.profiles.displayNames(operatorIds),
      conversationIds.length ? this.host.db.getRepository(Conversation).findBy({ id: In(conversationIds) }) : Promise.resolve([]),
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
