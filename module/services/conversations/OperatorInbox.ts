import { In } from "typeorm";
import { ForbiddenError, NotFoundError, type HostContract, type HostUser } from "../../../host/contract";
import { MANAGER_GROUP } from "../../api";
import { Conversation } from "../../models/Conversation";
import { ConversationAnswer } from "../../models/ConversationAnswer";
import { ConversationRead } from "../../models/ConversationRead";
import { LivechatChannel } from "../../models/LivechatChannel";
import { Message } from "../../models/Message";
import type { AssignmentService } from "../assignment/AssignmentService";
import type { OperatorProfiles } from "../OperatorProfiles";
import type { ConversationMessages } from "./ConversationMessages";
import type { ConversationNotifier } from "./ConversationNotifier";
import { conversationDto, type OperatorConversationDto } from "./dto";
import { queuePosition } from "./queueOrder";
import { advanceReadPosition } from "./readPosition";

/** The conversations an operator sees (their own, the unassigned ones of their channels; all for managers), unread counts and read marks. */
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

  async canSee(conversation: Conversation, user: HostUser): Promise<boolean> {
    if (this.host.users.hasGroup(user, MANAGER_GROUP)) return true;
    if (conversation.operatorId === user.id) return true;
    return conversation.operatorId === null && (await this.assignment.channelsOf(user.id)).includes(conversation.channelId);
  }

  /** Seeing a waiting or chatbot conversation of one's channel is not owning it: only its operator (or a manager) answers or ends it. */
  requireOwner(conversation: Conversation, user: HostUser, refusal: string): void {
    if (conversation.operatorId !== user.id && !this.host.users.hasGroup(user, MANAGER_GROUP)) throw new ForbiddenError(refusal);
  }

  async list(user: HostUser, state: "open" | "closed" | "all" = "all", limit = 200): Promise<OperatorConversationDto[]> {
    const qb = this.host.db.getRepository(Conversation).createQueryBuilder("c");
    if (!this.host.users.hasGroup(user, MANAGER_GROUP)) {
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
    return this.views(rows, user);
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
    }));
  }

  /** What the visitor answered the chatbot. */
  async answers(conversationId: number): Promise<{ question: string; value: string }[]> {
    const rows = await this.host.db.getRepository(ConversationAnswer).find({ where: { conversationId } });
    return rows.map((a) => ({ question: a.question, value: a.value }));
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
      if (upTo > 0) await advanceReadPosition(m, conversation.id, userId, upTo);
    });
    await this.notifier.unreadChanged(userId, await this.unreadConversationCount(userId));
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
    const list = await this.list(user, "all");
    return list.filter((c) => c.unread > 0).length;
  }
}
