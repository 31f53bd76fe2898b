import { busAddress, ConflictError, ForbiddenError, lt, type HostContract, type HostUser } from "../../../host/contract";
import type { Conversation } from "../../models/Conversation";
import { conversationAddress } from "./ConversationNotifier";
import { SignalQuota } from "./SignalQuota";

/** The bus signal type of "someone is typing"; never stored, so a reload or a reconnect never replays it. */
export const TYPING_SIGNAL = "livechat.typing";

/** What a typing signal carries: which conversation, and whether the other side is typing or stopped. */
export interface TypingSignal {
  conversationId: number;
  typing: boolean;
}

/** Signals one side of a conversation may send per window: clients send one every few seconds at most. */
const QUOTA = { limit: 12, windowMs: 10_000 };

/**
 * "Is typing" between a visitor and the conversation's operator: a bus signal (delivered live on every
 * instance, never stored), sent only by the two of them, and rate limited per conversation and side.
 */
export class TypingSignals {
  private readonly quota: SignalQuota;

  constructor(private readonly host: HostContract) {
    this.quota = new SignalQuota(QUOTA.limit, QUOTA.windowMs, () => host.clock.now().getTime());
  }

  /** The visitor (already checked by their token) types to the operator; nobody hears it while no operator has it. */
  async fromVisitor(conversation: Conversation, typing: boolean): Promise<boolean> {
    this.requireOngoing(conversation);
    if (!this.quota.take(`${conversation.id}:visitor`)) return false;
    if (conversation.state !== "open" || conversation.operatorId === null) return true;
    await this.send(busAddress.user(conversation.operatorId), conversation.id, typing);
    return true;
  }

  /** The conversation's operator types to the visitor; nobody else may, managers included. */
  async fromOperator(conversation: Conversation, user: HostUser, typing: boolean): Promise<boolean> {
    if (conversation.operatorId !== user.id) throw new ForbiddenError(lt("Only the operator of this conversation can answer it."));
    this.requireOngoing(conversation);
    if (!this.quota.take(`${conversation.id}:operator`)) return false;
    await this.send(conversationAddress(conversation.id), conversation.id, typing);
    return true;
  }

  private requireOngoing(conversation: Conversation): void {
    if (conversation.state === "closed") throw new ConflictError(lt("This conversation has ended."));
  }

  private async send(channel: string, conversationId: number, typing: boolean): Promise<void> {
    const signal: TypingSignal = { conversationId, typing };
    await this.host.bus.signal(channel, TYPING_SIGNAL, signal);
  }
}
