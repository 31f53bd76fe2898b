import { In } from "typeorm";
import { ForbiddenError, NotFoundError, lt, type HostContract, type HostUser } from "../../../host/contract";
import { MANAGER_GROUP } from "../../api";
import { Conversation, type ConversationState } from "../../models/Conversation";
import { ConversationAnswer } from "../../models/ConversationAnswer";
import { ConversationRead } from "../../models/ConversationRead";
import { LivechatChannel } from "../../models/LivechatChannel";
import { Message } from "../../models/Message";
import type { AssignmentService } from "../assignment/AssignmentService";
import type { OperatorProfiles } from "../OperatorProfiles";
import type { ConversationMessages } from "./ConversationMessages";
import type { ConversationNotifier } from "./ConversationNotifier";
import { applyPage, applySearch, pageOf, type Page, type PageQuery } from "./conversationPaging";
import { conversationDto, type OperatorConversationDto } from "./dto";
import { queuePosition } from "./queueOrder";
import { advanceReadPosition } from "./readPosition";

/** Which conversations a manager's *All conversations* view shows. */
export interface AllConversationsFilter {
  channelId: number | null;
  /** An operator's id, or `none` for conversations nobody was given. */
  operatorId: number | "none" | null;
  state: ConversationState | null;
}

/**
 * Who sees what. An operator's inbox holds the conversations given to that operator, and only those
 * count toward unread; the waiting ones of the channels they joined are listed apart (to take one),
 * never unread; a conversation with the chatbot is nobody's until it is forwarded. Managers also see
 * every conversation, in a view of its own that counts nothing.
 */
export class OperatorInbox {
  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
    private readonly assignment: AssignmentService,
    private readonly messages: ConversationMessages,
    private readonly notifier: ConversationNotifier,
  ) {}

  /** A conversation the user may see, or "not found" (no hint that it exists). */
  async conversation(conversationId: number, user: HostUser): Promise<Conversation> {
    const conversation = await this.host.db.getRepository(Conversation).findOneBy({ id: conversationId });
    if (!conversation || !(await this.canSee(conversation, user))) throw new NotFoundError("No such conversation for you.");
    return conversation;
  }

  /**
   * A conversation the user may try to take: one of a channel they joined (any conversation for a
   * manager); whether it still waits is for the take to tell, so a late click hears who was faster.
   */
  async toTake(conversationId: number, user: HostUser): Promise<Conversation> {
    const conversation = await this.host.db.getRepository(Conversation).findOneBy({ id: conversationId });
    const mayTake = conversation && (this.isManager(user) || (await this.assignment.channelsOf(user.id)).includes(conversation.channelId));
    if (!conversation || !mayTake) throw new NotFoundError("No such conversation for you.");
    return conversation;
  }

  /** Its operator; a member of its channel while it waits (to take it); a manager always. */
  async canSee(conversation: Conversation, user: HostUser): Promise<boolean> {
    if (this.isManager(user)) return true;
    if (conversation.operatorId === user.id) return true;
    return conversation.state === "waiting" && (await this.assignment.channelsOf(user.id)).includes(conversation.channelId);
  }

  isManager(user: HostUser): boolean {
    return this.host.users.hasGroup(user, MANAGER_GROUP);
  }

  /** Seeing a waiting or chatbot conversation of one's channel is not owning it: only its operator (or a manager) answers or ends it. */
  requireOwner(conversation: Conversation, user: HostUser, refusal: string): void {
    if (conversation.operatorId !== user.id && !this.isManager(user)) throw new ForbiddenError(refusal);
  }

  /** The user's inbox: the conversations given to them, newest activity first, a page at a time. */
  async list(user: HostUser, state: "open" | "closed" | "all", page: PageQuery): Promise<Page<OperatorConversationDto>> {
    const qb = this.host.db.getRepository(Conversation).createQueryBuilder("c").where("c.operator_id = :me", { me: user.id });
    if (state === "open") qb.andWhere("c.state = 'open'");
    if (state === "closed") qb.andWhere("c.state = 'closed'");
    const { rows, next } = pageOf(await applyPage(qb, page).getMany(), page.limit);
    return { items: await this.views(rows, user), next };
  }

  /** Conversations waiting in the queues of the channels the user joined, longest waiting first (matching `search` if given). */
  async waiting(user: HostUser, search: string | null = null, limit = 200): Promise<OperatorConversationDto[]> {
    const channelIds = await this.assignment.channelsOf(user.id);
    if (channelIds.length === 0) return [];
    const qb = this.host.db
      .getRepository(Conversation)
      .createQueryBuilder("c")
      .where("c.state = 'waiting' AND c.channel_id IN (:...channelIds)", { channelIds });
    const rows = await applySearch(qb, search).orderBy("c.id", "ASC").limit(limit).getMany();
    return this.views(rows, user);
  }

  /** Every conversation (managers), newest activity first, filtered by channel, operator and state, a page at a time. */
  async all(user: HostUser, filter: AllConversationsFilter, page: PageQuery): Promise<Page<OperatorConversationDto>> {
    if (!this.isManager(user)) throw new ForbiddenError(lt("Only Live Chat administrators see all conversations."));
    const qb = this.host.db.getRepository(Conversation).createQueryBuilder("c").where("1 = 1");
    if (filter.channelId !== null) qb.andWhere("c.channel_id = :channelId", { channelId: filter.channelId });
    if (filter.operatorId === "none") qb.andWhere("c.operator_id IS NULL");
    else if (filter.operatorId !== null) qb.andWhere("c.operator_id = :operatorId", { operatorId: filter.operatorId });
    if (filter.state !== null) qb.andWhere("c.state = :state", { state: filter.state });
    const { rows, next } = pageOf(await applyPage(qb, page).getMany(), page.limit);
    return { items: await this.views(rows, user), next };
  }

  async views(rows: Conversation[], user: HostUser): Promise<OperatorConversationDto[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((c) => c.id);
    const [channels, names, unread, lastMessages] = await Promise.all([
      this.host.db.getRepository(LivechatChannel).findBy({ id: In([...new Set(rows.map((c) => c.channelId))]) }),
      this.profiles.displayNames([...new Set(rows.map((c) => c.operatorId).filter((id): id is number => id !== null))]),
      this.unreadCounts(ids, user.id),
      this.messages.latest(ids),
    ]);
    const channelName = new Map(channels.map((c) => [c.id, c.name]));
    const positions = await Promise.all(rows.map((c) => queuePosition(this.host.db.manager, c)));
    return rows.map((c, i) => ({
      ...conversationDto(c, channelName.get(c.channelId) ?? "", c.operatorId ? (names.get(c.operatorId) ?? null) : null, positions[i]),
      visitorName: c.visitorName,
      visitorLang: c.visitorLang,
      operatorId: c.operatorId,
      unread: unread.get(c.id) ?? 0,
      lastMessage: lastMessages.get(c.id) ?? null,
      lastActivityAt: c.lastActivityAt.toISOString(),
    }));
  }

  /** What the visitor answered the chatbot. */
  async answers(conversationId: number): Promise<{ question: string; value: string }[]> {
    const rows = await this.host.db.getRepository(ConversationAnswer).find({ where: { conversationId } });
    return rows.map((a) => ({ question: a.question, value: a.value }));
  }

  /** Marks the conversation read up to `lastMessageId` for this operator only. */
  async markRead(conversation: Conversation, userId: number, lastMessageId: number): Promise<void> {
    const upTo = await this.host.db.transaction(async (m) => {
      // Never past the last message there is: a made-up id must not mark messages still to come as read.
      const newest = await m
        .getRepository(Message)
        .createQueryBuilder("m")
        .select("MAX(m.id)", "id")
        .where("m.conversation_id = :conversationId AND m.id <= :lastMessageId", { conversationId: conversation.id, lastMessageId })
        .getRawOne<{ id: number | string | null }>();
      const upTo = Number(newest?.id ?? 0);
      if (upTo > 0) await advanceReadPosition(m, conversation.id, userId, upTo);
      return upTo;
    });
    if (upTo > 0) await this.notifier.readChanged(userId, conversation.id, upTo);
    await this.notifier.unreadChanged(userId, await this.unreadConversationCount(userId));
  }

  /** Per conversation given to the operator, messages from others after the operator's read position; others count nothing. */
  async unreadCounts(conversationIds: number[], userId: number): Promise<Map<number, number>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.host.db
      .getRepository(Message)
      .createQueryBuilder("m")
      .innerJoin(Conversation, "c", "c.id = m.conversation_id AND c.operator_id = :me", { me: userId })
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

  /** How many of the operator's most recently active conversations (the 200 the Messages menu may reach) have unread messages. */
  async unreadConversationCount(userId: number): Promise<number> {
    const recent = await this.host.db
      .getRepository(Conversation)
      .createQueryBuilder("c")
      .select("c.id", "id")
      .where("c.operator_id = :me", { me: userId })
      .orderBy("c.last_activity_at", "DESC")
      .addOrderBy("c.id", "DESC")
      .limit(200)
      .getRawMany<{ id: number | string }>();
    return (await this.unreadCounts(recent.map((r) => Number(r.id)), userId)).size;
  }
}
