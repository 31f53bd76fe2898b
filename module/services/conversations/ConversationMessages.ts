import { In, type EntityManager } from "typeorm";
import { ConflictError, lt, NotFoundError, type HostContract } from "../../../host/contract";
import { Conversation } from "../../models/Conversation";
import { Message, type AuthorKind } from "../../models/Message";
import type { ChatbotScripts } from "../chatbot/ChatbotScripts";
import type { OperatorProfiles } from "../OperatorProfiles";
import type { ConversationNotifier } from "./ConversationNotifier";
import { messageDto, type MessageDto } from "./dto";
import { systemLineBody, type SystemLine } from "./systemLines";
import { advanceReadPosition } from "./readPosition";
import type { VisitorAccess } from "./VisitorAccess";

export interface PostResult {
  message: MessageDto;
  /** False when the client message id had been posted before: the stored message is returned. */
  created: boolean;
}

export interface Author {
  kind: AuthorKind;
  userId: number | null;
}

const SYSTEM_NAME = "System";

const INSERT_MESSAGE =
  "INSERT INTO livechat_message (conversation_id, author_kind, author_user_id, body, system_key, system_params, client_message_id, created_at) " +
  "VALUES (:conversationId, :authorKind, :authorUserId, :body, :systemKey, :systemParams, :clientMessageId, :createdAt) RETURNING id";
/** A message is the conversation's latest activity (lists are ordered by it). */
const ACTIVITY = "UPDATE livechat_conversation SET last_activity_at = :at WHERE id = :id";
/** ...and an operator's first one is its first reply, unless an earlier one was. */
const ACTIVITY_AND_FIRST_REPLY = "UPDATE livechat_conversation SET last_activity_at = :at, first_reply_at = COALESCE(first_reply_at, :at) WHERE id = :id";

/** A statement with `:name` parameters, in the driver's own placeholders. */
async function query(m: EntityManager, sql: string, parameters: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const [text, values] = m.connection.driver.escapeQueryWithParameters(sql, parameters);
  return (await m.query(text, values)) as Record<string, unknown>[];
}

/**
 * A conversation's state and operator, read in one small statement whose text is the same for every
 * conversation (so SQLite prepares it once).
 */
async function currentState(m: EntityManager, id: number): Promise<Pick<Conversation, "state" | "operatorId"> | null> {
  const [sql, parameters] = m.connection.driver.escapeQueryWithParameters(
    "SELECT state, operator_id FROM livechat_conversation WHERE id = :id",
    { id },
  );
  const rows = (await m.query(sql, parameters)) as { state: Conversation["state"]; operator_id: number | string | null }[];
  const row = rows[0];
  return row ? { state: row.state, operatorId: row.operator_id === null ? null : Number(row.operator_id) } : null;
}

/** A conversation's messages: stored before they are told, listed with their authors' names, never posted twice. */
export class ConversationMessages {
  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
    private readonly scripts: ChatbotScripts,
    private readonly visitors: VisitorAccess,
    private readonly notifier: ConversationNotifier,
  ) {}

  async list(conversationId: number, after = 0, limit = 200): Promise<MessageDto[]> {
    const rows = await this.host.db
      .getRepository(Message)
      .createQueryBuilder("m")
      .where("m.conversation_id = :conversationId AND m.id > :after", { conversationId, after })
      .orderBy("m.id", "ASC")
      .limit(limit)
      .getMany();
    return this.dtos(rows);
  }

  /**
   * Stores a message, then tells the visitor and the operator (after commit). The same client
   * message id again returns the stored message instead of a second one: the unique index on
   * (conversation, client message id) refuses the second row, so a first post costs no lookup.
   */
  async post(conversation: Conversation, author: Author, body: string, clientMessageId: string | null): Promise<PostResult> {
    let message: MessageDto;
    try {
      message = await this.notifier.transaction(async (m) => {
        // What may have changed since the caller read it: whether it ended, and who answers it.
        const now = await currentState(m, conversation.id);
        if (!now) throw new NotFoundError(lt("This conversation no longer exists."));
        if (now.state === "closed") throw new ConflictError(lt("This conversation has ended: no more messages can be sent."));
        const current = Object.assign(new Conversation(), conversation, now);
        const saved = await this.addWithin(m, current, author, body, clientMessageId);
        if (author.kind === "visitor") await this.visitors.seen(current, m);
        if (author.kind === "operator" && author.userId) await advanceReadPosition(m, current.id, author.userId, saved.id);
        this.notifier.posted(m, { conversationId: current.id, message: saved });
        return saved;
      });
    } catch (err) {
      // A retry of a message already stored (even if the conversation ended since): answer with it.
      const again = clientMessageId && !(err instanceof NotFoundError) ? await this.stored(conversation.id, author, clientMessageId) : null;
      if (again) return again;
      throw err;
    }
    return { message, created: true };
  }

  /**
   * The message this author already posted with this client id. The id is unique per conversation, so
   * another author's message under it refuses the post: answering with someone else's message would
   * silently drop the new text.
   */
  async stored(conversationId: number, author: Author, clientMessageId: string): Promise<PostResult | null> {
    const existing = await this.host.db.getRepository(Message).findOneBy({ conversationId, clientMessageId });
    if (!existing) return null;
    if (existing.authorKind !== author.kind || existing.authorUserId !== author.userId) {
      throw new ConflictError("This clientMessageId is already used by another author in this conversation: send the message with a new one.");
    }
    return { message: (await this.dtos([existing]))[0], created: false };
  }

  /** Stores a system line (its key, parameters and English text) inside the caller's transaction, and tells both sides. */
  addSystemWithin(m: EntityManager, conversation: Conversation, line: SystemLine): Promise<MessageDto> {
    return this.addWithin(m, conversation, { kind: "system", userId: null }, systemLineBody(line), null, true, line);
  }

  /** Stores a message inside the caller's transaction and tells the visitor (and the operator unless `notifyOperator` is false). */
  async addWithin(
    m: EntityManager,
    conversation: Conversation,
    author: Author,
    body: string,
    clientMessageId: string | null,
    notifyOperator = true,
    system: SystemLine | null = null,
  ): Promise<MessageDto> {
    const saved = Object.assign(new Message(), {
      conversationId: conversation.id,
      authorKind: author.kind,
      authorUserId: author.userId,
      body,
      systemKey: system?.key ?? null,
      systemParams: system ? JSON.stringify(system.params) : null,
      clientMessageId,
      createdAt: this.host.clock.now(),
    });
    // Plain statements, the same text each time: every start and message takes this path.
    const [inserted] = await query(m, INSERT_MESSAGE, {
      conversationId: saved.conversationId,
      authorKind: saved.authorKind,
      authorUserId: saved.authorUserId,
      body: saved.body,
      systemKey: saved.systemKey,
      systemParams: saved.systemParams,
      clientMessageId: saved.clientMessageId,
      createdAt: saved.createdAt,
    });
    saved.id = Number(inserted?.id);
    // Also on the caller's object: a later save of it must not put an older time back.
    const firstReply = author.kind === "operator" && !conversation.firstReplyAt;
    await query(m, firstReply ? ACTIVITY_AND_FIRST_REPLY : ACTIVITY, { at: saved.createdAt, id: conversation.id });
    conversation.lastActivityAt = saved.createdAt;
    // The first reply is kept by the first message only (the statement keeps a time already there).
    if (firstReply) conversation.firstReplyAt = saved.createdAt;
    const [dto] = await this.dtos([saved], conversation);
    await this.notifier.messageStored(m, conversation, dto, notifyOperator);
    return dto;
  }

  /** The newest message of each conversation. */
  async latest(conversationIds: number[]): Promise<Map<number, MessageDto>> {
    const latest = await this.host.db
      .getRepository(Message)
      .createQueryBuilder("m")
      .select("MAX(m.id)", "id")
      .where("m.conversation_id IN (:...ids)", { ids: conversationIds })
      .groupBy("m.conversation_id")
      .getRawMany<{ id: number }>();
    if (latest.length === 0) return new Map();
    const rows = await this.host.db.getRepository(Message).findBy({ id: In(latest.map((r) => Number(r.id))) });
    return new Map((await this.dtos(rows)).map((dto) => [dto.conversationId, dto]));
  }

  /** Messages as clients see them, with author names; `known` spares reading a conversation the caller holds. */
  private async dtos(rows: Message[], known?: Conversation): Promise<MessageDto[]> {
    const operatorIds = [...new Set(rows.map((r) => r.authorUserId).filter((id): id is number => id !== null))];
    const conversationIds = [...new Set(rows.filter((r) => r.authorKind === "visitor" || r.authorKind === "bot").map((r) => r.conversationId))];
    const needed = known && conversationIds.every((id) => id === known.id) ? [] : conversationIds;
    const [names, conversations] = await Promise.all([
      operatorIds.length ? this.profiles.displayNames(operatorIds) : Promise.resolve(new Map<number, string>()),
      needed.length ? this.host.db.getRepository(Conversation).findBy({ id: In(needed) }) : Promise.resolve(known ? [known] : []),
    ]);
    const visitorName = new Map(conversations.map((c) => [c.id, c.visitorName]));
    const scriptOf = new Map(conversations.map((c) => [c.id, c.chatbotScriptId]));
    const botNames = await this.scripts.botNames([...new Set(conversations.map((c) => c.chatbotScriptId).filter((id): id is number => id !== null))]);
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
