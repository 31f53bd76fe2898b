import { In, type EntityManager } from "typeorm";
import { ConflictError, lt, NotFoundError, type HostContract, type HostUser } from "../../../host/contract";
import { MANAGER_GROUP } from "../../api";
import { Conversation, type ClosedReason, type ConversationState } from "../../models/Conversation";
import { LivechatChannel } from "../../models/LivechatChannel";
import { sqlDate } from "../sqlDate";
import type { OperatorProfiles } from "../OperatorProfiles";
import type { ConversationMessages } from "./ConversationMessages";
import type { ConversationNotifier } from "./ConversationNotifier";
import type { ConversationQueue } from "./ConversationQueue";
import { conversationDto, type ConversationDto, type StartedConversationDto } from "./dto";
import { queuePlace } from "./queueOrder";
import type { SystemLine } from "./systemLines";
import { newVisitorKey, newVisitorToken, hashVisitorToken } from "./visitorToken";

const INSERT_CONVERSATION =
  "INSERT INTO livechat_conversation (channel_id, visitor_key, visitor_name, visitor_lang, visitor_token_hash, operator_id, state, assignment_tier, " +
  "created_at, assigned_at, closed_at, closed_reason, closed_by_id, last_visitor_seen_at, last_activity_at, start_page_url, referrer_url) " +
  "VALUES (:channelId, :visitorKey, :visitorName, :visitorLang, :visitorTokenHash, :operatorId, :state, :assignmentTier, " +
  ":createdAt, :assignedAt, :closedAt, :closedReason, :closedById, :lastVisitorSeenAt, :lastActivityAt, :startPageUrl, :referrerUrl) RETURNING id";
const RENAME_VISITOR = "UPDATE livechat_conversation SET visitor_name = :name WHERE id = :id";
const CHANNEL =
  "SELECT id, name, welcome_message, button_text, translations, max_sessions, chatbot_script_id, created_at FROM livechat_channel WHERE id = :id";

/** The channel as the start needs it, in one plain statement. */
async function channelRow(m: EntityManager, id: number): Promise<LivechatChannel | null> {
  const [sql, parameters] = m.connection.driver.escapeQueryWithParameters(CHANNEL, { id });
  const [row] = (await m.query(sql, parameters)) as Record<string, unknown>[];
  if (!row) return null;
  return Object.assign(new LivechatChannel(), {
    id: Number(row.id),
    name: String(row.name),
    welcomeMessage: String(row.welcome_message ?? ""),
    buttonText: String(row.button_text ?? ""),
    translations: row.translations === null || row.translations === undefined ? null : String(row.translations),
    maxSessions: row.max_sessions === null || row.max_sessions === undefined ? null : Number(row.max_sessions),
    chatbotScriptId: row.chatbot_script_id === null || row.chatbot_script_id === undefined ? null : Number(row.chatbot_script_id),
    createdAt: sqlDate(row.created_at) ?? new Date(0),
  });
}

/** Abandoned conversations closed per transaction. */
const CLOSE_BATCH = 100;

export interface StartInput {
  visitorKey: string | null;
  visitorName: string | null;
  lang: string | null;
  /** The page the chat starts on and the page that led there, as the widget tells them. */
  startPageUrl?: string | null;
  referrerUrl?: string | null;
}

/** What the life of a conversation needs from the channel's chatbot. */
export interface ChatbotOpening {
  /** Runs the script's first steps inside the start transaction. */
  begin(m: EntityManager, conversation: Conversation, channel: LivechatChannel): Promise<void>;
  /** The bot's name and the step waiting for an answer, for the visitor's view. */
  view(conversation: Conversation): Promise<ConversationDto["chatbot"]>;
}

/** A conversation from start to end: created for a visitor, handed to the chatbot or the queue, closed by someone or by time. */
export class ConversationLifecycle {
  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
    private readonly queue: ConversationQueue,
    private readonly messages: ConversationMessages,
    private readonly notifier: ConversationNotifier,
    private readonly chatbot: ChatbotOpening,
  ) {}

  async start(channelId: number, input: StartInput): Promise<StartedConversationDto> {
    const token = newVisitorToken();
    const visitorKey = input.visitorKey ?? newVisitorKey();
    const started = await this.queue.lockedTogether(async (m, group) => {
      // Read once for the starts of a group (a copy each: the start may change its own).
      const row = await group.once(`channel:${channelId}`, () => channelRow(m, channelId));
      if (!row) throw new NotFoundError(lt("This live chat channel does not exist."));
      const channel = Object.assign(new LivechatChannel(), row);
      const now = this.host.clock.now();
      const conversation: Conversation = Object.assign(new Conversation(), {
        channelId,
        visitorKey,
        visitorName: input.visitorName || "Visitor",
        visitorLang: input.lang,
        visitorTokenHash: hashVisitorToken(token),
        operatorId: null,
        state: "waiting" as ConversationState,
        assignmentTier: null,
        expertAssigned: null,
        chatbotScriptId: null,
        chatbotStepId: null,
        createdAt: now,
        assignedAt: null,
        firstReplyAt: null,
        closedAt: null,
        closedReason: null,
        closedById: null,
        lastVisitorSeenAt: now,
        lastActivityAt: now,
        startPageUrl: input.startPageUrl ?? null,
        referrerUrl: input.referrerUrl ?? null,
      });
      // Plain statements: a visitor's start is a hot path.
      const [sql, parameters] = m.connection.driver.escapeQueryWithParameters(INSERT_CONVERSATION, { ...conversation });
      const [inserted] = (await m.query(sql, parameters)) as { id: number | string }[];
      conversation.id = Number(inserted.id);
      // Named once its id is known; an assignment stores the name with it, else it is stored here.
      const rename = async () => {
        if (input.visitorName) return;
        const [sql, values] = m.connection.driver.escapeQueryWithParameters(RENAME_VISITOR, { id: conversation.id, name: conversation.visitorName });
        await m.query(sql, values);
      };
      if (!input.visitorName) conversation.visitorName = `Visitor #${conversation.id}`;
      this.notifier.started(m, { conversationId: conversation.id, channelId });
      if (channel.chatbotScriptId) {
        conversation.state = "bot";
        conversation.chatbotScriptId = channel.chatbotScriptId;
        await m.getRepository(Conversation).save(conversation);
        await this.chatbot.begin(m, conversation, channel);
        return { conversation, view: null };
      }
      const operator = await this.queue.assign(m, conversation, channel);
      if (!operator) await rename();
      // A newcomer joins the end of the queue: nobody else's position changes, and the newcomer
      // learns theirs from this answer, counted while the queue cannot change.
      const place = await queuePlace(m, conversation);
      return { conversation, view: conversationDto(conversation, channel.name, operator?.name ?? null, place) };
    });
    const { conversation, view } = started;
    if (view?.state === "waiting") await this.notifier.joinedQueueEnd(channelId, conversation.id);
    // The chatbot may have moved the conversation on (to an operator, or to the queue): read it back.
    return { conversation: view ?? (await this.visitorView(await this.load(conversation.id))), token, visitorKey };
  }

  async visitorView(conversation: Conversation): Promise<ConversationDto> {
    const [channel, names, place] = await Promise.all([
      this.host.db.getRepository(LivechatChannel).findOneBy({ id: conversation.channelId }),
      conversation.operatorId ? this.profiles.displayNames([conversation.operatorId]) : Promise.resolve(new Map<number, string>()),
      queuePlace(this.host.db.manager, conversation),
    ]);
    const operatorName = conversation.operatorId ? (names.get(conversation.operatorId) ?? null) : null;
    const dto = conversationDto(conversation, channel?.name ?? "", operatorName, place);
    if (conversation.chatbotScriptId) dto.chatbot = await this.chatbot.view(conversation);
    return dto;
  }

  /** Ends the conversation (twice is fine) and frees the operator's seat for the queue. */
  async end(conversation: Conversation, reason: ClosedReason, byUser: HostUser | null = null): Promise<ConversationDto> {
    // An operator ends only what is still his when the row is locked: a transfer or take that
    // committed since he read it wins, and his end is refused instead of closing someone else's chat.
    const owner = reason === "operator" && byUser && !this.host.users.hasGroup(byUser, MANAGER_GROUP) ? byUser.id : null;
    await this.close(conversation, reason, byUser, null, owner);
    return this.visitorView(await this.load(conversation.id));
  }

  /**
   * Closes conversations (with the bot, waiting or open) whose visitor has not been seen for
   * `minutes`; returns how many. A batch at a time, each in one transaction that tells each channel's
   * queue once, so closing many costs a few notifications per conversation, not one per waiting visitor.
   */
  async closeAbandoned(minutes: number): Promise<number> {
    const before = new Date(this.host.clock.now().getTime() - minutes * 60_000);
    let closed = 0;
    let cursor = 0;
    for (;;) {
      const stale = await this.host.db
        .getRepository(Conversation)
        .createQueryBuilder("c")
        .select("c.id", "id")
        .where("c.state IN ('bot', 'waiting', 'open') AND c.last_visitor_seen_at < :before AND c.id > :cursor", { before, cursor })
        .orderBy("c.id", "ASC")
        .limit(CLOSE_BATCH)
        .getRawMany<{ id: number | string }>();
      if (stale.length === 0) return closed;
      const ids = stale.map((r) => Number(r.id));
      cursor = ids[ids.length - 1];
      const batch = await this.closeBatch(ids, "inactivity", null, before);
      closed += batch.closed;
      // Seats freed go to those waiting; once per channel and batch.
      for (const channelId of batch.channels) await this.queue.assignWaiting(channelId);
      if (stale.length < CLOSE_BATCH) return closed;
    }
  }

  /**
   * Closes the conversation unless it is closed already, or, with `visitorGoneSince`, unless the
   * visitor was seen since then (a heartbeat that arrived while the abandoned ones were being closed).
   * Returns whether it closed it.
   */
  private async close(conversation: Conversation, reason: ClosedReason, byUser: HostUser | null, visitorGoneSince: Date | null, owner: number | null = null): Promise<boolean> {
    const result = await this.closeBatch([conversation.id], reason, byUser, visitorGoneSince, owner);
    if (result.missing) throw new NotFoundError(lt("This conversation no longer exists."));
    for (const channelId of result.channels) await this.queue.assignWaiting(channelId);
    return result.closed > 0;
  }

  /** Closes the conversations in one transaction; tells each channel's queue once of those that left it. Returns the channels touched. */
  private async closeBatch(
    ids: number[],
    reason: ClosedReason,
    byUser: HostUser | null,
    visitorGoneSince: Date | null,
    owner: number | null = null,
  ): Promise<{ closed: number; missing: boolean; channels: number[] }> {
    return this.notifier.transaction(async (m) => {
      const leftQueue = new Map<number, number[]>();
      const touched = new Set<number>();
      let closed = 0;
      let missing = false;
      // SQLite runs one transaction at a time; PostgreSQL needs the rows locked for the owner check to hold.
      const lock = owner !== null && m.connection.options.type === "postgres" ? { mode: "pessimistic_write" as const } : undefined;
      const rows = await m.getRepository(Conversation).find({ where: { id: In(ids) }, lock });
      if (rows.length < ids.length) missing = true;
      for (const current of rows.sort((a, b) => a.id - b.id)) {
        if (current.state === "closed") continue;
        if (owner !== null && current.operatorId !== owner) throw new ConflictError(lt("This conversation is not yours any more: it was not ended."));
        if (visitorGoneSince && current.lastVisitorSeenAt >= visitorGoneSince) continue;
        const was = current.state;
        await this.closeWithin(m, current, reason, byUser);
        closed++;
        // Those behind a visitor who left the queue move up; a served visitor frees a seat.
        if (was === "waiting") leftQueue.set(current.channelId, [...(leftQueue.get(current.channelId) ?? []), current.id]);
        touched.add(current.channelId);
      }
      for (const [channelId, left] of leftQueue) await this.notifier.queueChanged(m, channelId, { left });
      return { closed, missing, channels: [...touched] };
    });
  }

  private async closeWithin(m: EntityManager, current: Conversation, reason: ClosedReason, byUser: HostUser | null): Promise<void> {
    current.state = "closed";
    current.closedAt = this.host.clock.now();
    current.closedReason = reason;
    // Each side reads it in its language and from its side ("You ended the conversation" for the visitor).
    const leaving = reason === "operator" ? (byUser?.id ?? current.operatorId) : null;
    current.closedById = leaving;
    await m.getRepository(Conversation).save(current);
    const line: SystemLine =
      reason === "visitor"
        ? { key: "visitor_ended", params: {} }
        : leaving !== null
          ? { key: "operator_left", params: { name: (await this.profiles.displayNames([leaving])).get(leaving) ?? "" } }
          : { key: "visitor_left", params: {} };
    await this.messages.addSystemWithin(m, current, line);
    await this.notifier.conversationChanged(m, current);
    this.notifier.closed(m, { conversationId: current.id, channelId: current.channelId, reason });
  }

  private async load(id: number): Promise<Conversation> {
    const conversation = await this.host.db.getRepository(Conversation).findOneBy({ id });
    if (!conversation) throw new NotFoundError(lt("This conversation no longer exists."));
    return conversation;
  }
}
