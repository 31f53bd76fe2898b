import { hash, timingSafeEqual } from "node:crypto";
import type { EntityManager } from "typeorm";
import { lt, NotFoundError, type HostContract } from "../../../host/contract";
import { Conversation } from "../../models/Conversation";
import { conversationAddress } from "./ConversationNotifier";
import { queueAddress } from "./queueOrder";
import { hashVisitorToken, visitorTokenMatches } from "./visitorToken";

/**
 * How long after its end a conversation's token still opens it, on the HTTP API and on the bus (a
 * reload shows the end); after that the token opens nothing and the widget starts afresh.
 */
export const VISITOR_TOKEN_AFTER_CLOSE_MS = 60 * 60_000;
/** Visitor activity is written at most this often: far finer than the minutes of the inactivity timeout. */
export const VISITOR_SEEN_EVERY_MS = 15_000;
/** What a visitor's first post reads of the conversation: its name, token hash, and whether its token expired. */
const FOR_POST = "SELECT visitor_name, visitor_token_hash, closed_at < :expiredBefore AS expired FROM livechat_conversation WHERE id = :id";
/** Any conversation a visitor token does not open: "not found", with no hint that it exists. */
const notFound = () => new NotFoundError(lt("No such conversation for this visitor."));
/** Conversations whose token was checked, kept for the message path (about 200 bytes each). */
const KNOWN_MAX = 20_000;

/**
 * What never changes about a conversation once started, kept in memory for the message path: its
 * token's hash and the visitor's name. What changes (state, operator, end) is read where it is
 * written, in the message's own transaction.
 */
export interface VisitorConversation {
  id: number;
  visitorName: string;
  tokenHash: Buffer;
}

/** What a visitor's token opens: their conversation, its bus channel, and the record that they are still there. */
export class VisitorAccess {
  /** Oldest first: past `KNOWN_MAX`, the oldest is forgotten. */
  private readonly known = new Map<number, VisitorConversation>();

  constructor(private readonly host: HostContract) {}

  /**
   * The conversation a visitor token opens, for posting: from memory once its token was checked
   * (the token's hash never changes); whether it ended or expired is for the post to read.
   */
  async forPost(conversationId: number, token: string | null): Promise<VisitorConversation> {
    const known = this.known.get(conversationId);
    if (known && token) {
      const given = hash("sha256", token, "buffer");
      if (given.length === known.tokenHash.length && timingSafeEqual(given, known.tokenHash)) return known;
      throw notFound();
    }
    // The first post of a conversation here: what is kept of it, read in one plain statement.
    if (!token) throw notFound();
    const [sql, parameters] = this.host.db.driver.escapeQueryWithParameters(FOR_POST, { id: conversationId, expiredBefore: this.tokensExpiredBefore() });
    const [row] = (await this.host.db.query(sql, parameters)) as { visitor_name: string; visitor_token_hash: string; expired: unknown }[];
    if (!row || !visitorTokenMatches(token, row.visitor_token_hash) || Boolean(row.expired)) throw notFound();
    const entry: VisitorConversation = { id: conversationId, visitorName: row.visitor_name, tokenHash: Buffer.from(row.visitor_token_hash, "hex") };
    this.known.set(conversationId, entry);
    if (this.known.size > KNOWN_MAX) this.known.delete(this.known.keys().next().value as number);
    return entry;
  }

  /** Forgets a conversation that no longer exists. */
  forget(conversationId: number): void {
    this.known.delete(conversationId);
  }

  /**
   * The conversation a visitor token opens, if it is this one and the token has not expired; anything
   * else is "not found" (no hint it exists).
   */
  async conversation(conversationId: number, token: string | null): Promise<Conversation> {
    const conversation = token ? await this.host.db.getRepository(Conversation).findOneBy({ id: conversationId }) : null;
    if (!conversation || !token || !visitorTokenMatches(token, conversation.visitorTokenHash) || this.expired(conversation)) throw notFound();
    return conversation;
  }

  /** Whether the conversation ended long enough ago that its token no longer opens it. */
  private expired(conversation: Conversation): boolean {
    return conversation.closedAt !== null && conversation.closedAt < this.tokensExpiredBefore();
  }

  /** The tokens of conversations that ended before this no longer open them. */
  private tokensExpiredBefore(): Date {
    return new Date(this.host.clock.now().getTime() - VISITOR_TOKEN_AFTER_CLOSE_MS);
  }

  /**
   * Bus channels a visitor token may listen to: its conversation's, until a while after it ended; and
   * while it waits for an operator (or talks with the chatbot, which may queue it), its channel's
   * queue, which carries queue versions and conversation ids only.
   */
  async busChannels(token: string): Promise<string[] | null> {
    const conversation = await this.host.db.getRepository(Conversation).findOneBy({ visitorTokenHash: hashVisitorToken(token) });
    if (!conversation) return null;
    if (this.expired(conversation)) return null;
    const queued = conversation.state === "waiting" || conversation.state === "bot";
    return queued ? [conversationAddress(conversation.id), queueAddress(conversation.channelId)] : [conversationAddress(conversation.id)];
  }

  /** Records that the visitor is still there; a write at most every 15 s per conversation (a hot path). */
  async seen(conversation: Conversation, m: EntityManager = this.host.db.manager): Promise<void> {
    const now = this.host.clock.now();
    if (now.getTime() - conversation.lastVisitorSeenAt.getTime() < VISITOR_SEEN_EVERY_MS) return;
    await m.getRepository(Conversation).update({ id: conversation.id }, { lastVisitorSeenAt: now });
  }
}
