import { Not, type EntityManager } from "typeorm";
import { ConflictError, InvalidInputError, NotFoundError, lt, type HostContract, type HostUser } from "../../../host/contract";
import { MANAGER_GROUP } from "../../api";
import { Conversation } from "../../models/Conversation";
import { LivechatChannel } from "../../models/LivechatChannel";
import type { AssignmentService } from "../assignment/AssignmentService";
import type { Candidate } from "../assignment/chooseOperator";
import type { OperatorProfiles } from "../OperatorProfiles";
import type { ChatWindows } from "../conversations/ChatWindows";
import type { ConversationMessages } from "../conversations/ConversationMessages";
import type { ConversationNotifier } from "../conversations/ConversationNotifier";
import type { ConversationQueue } from "../conversations/ConversationQueue";
import { conversationDto, type OperatorConversationDto } from "../conversations/dto";

/** The assignment tier of a conversation an operator was given by a transfer to him. */
export const TRANSFERRED_TIER = "transferred";

/** Where a conversation goes: an operator of its channel, or another channel. */
export type TransferTarget = { operatorId: number } | { channelId: number };

/** What an operator may transfer a conversation to right now. */
export interface TransferChoices {
  /** Operators of the conversation's channel who are online and under its limit, by name. */
  operators: { id: number; name: string }[];
  /** The other channels, by name. */
  channels: { id: number; name: string }[];
}

/** Where it went: the operator who has it now (null while it waits in the target channel's queue). */
export interface TransferOutcome {
  operator: { id: number; name: string } | null;
  channel: { id: number; name: string };
}

/**
 * Transfers an operator's conversation to another available operator of its channel, or to another
 * channel where the assignment rules choose (or it waits in the queue). Under the assignment lock,
 * like a take and every assignment, and the row changes only while it is still open with the
 * operator read under the lock: simultaneous transfers, takes and ends never overlap.
 */
export class TransferService {
  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
    private readonly assignment: AssignmentService,
    private readonly queue: ConversationQueue,
    private readonly messages: ConversationMessages,
    private readonly windows: ChatWindows,
    private readonly notifier: ConversationNotifier,
  ) {}

  async choices(conversation: Conversation): Promise<TransferChoices> {
    const m = this.host.db.manager;
    const channel = await m.getRepository(LivechatChannel).findOneBy({ id: conversation.channelId });
    const candidates = channel ? await this.assignment.candidatesFor(m, conversation, channel.maxSessions) : [];
    const free = candidates.filter((c) => c.userId !== conversation.operatorId && canTakeMore(c, channel?.maxSessions ?? null));
    const names = await this.profiles.displayNames(free.map((c) => c.userId));
    const channels = await m.getRepository(LivechatChannel).find({ where: { id: Not(conversation.channelId) }, order: { name: "ASC" } });
    return {
      operators: free.map((c) => ({ id: c.userId, name: names.get(c.userId) ?? "" })).sort((a, b) => a.name.localeCompare(b.name)),
      channels: channels.map((c) => ({ id: c.id, name: c.name })),
    };
  }

  /**
   * The target a name designates (as typed after /transfer): an operator of the conversation's
   * channel by the name visitors see, else a channel by its name; letter case aside.
   */
  async targetNamed(conversation: Conversation, name: string): Promise<TransferTarget> {
    const wanted = name.trim().toLocaleLowerCase();
    const members = await this.assignment.candidates(this.host.db.manager, conversation.channelId);
    const names = await this.profiles.displayNames(members.map((c) => c.userId));
    const operator = [...names].find(([, n]) => n.toLocaleLowerCase() === wanted);
    if (operator) return { operatorId: operator[0] };
    const channels = await this.host.db.getRepository(LivechatChannel).find({ order: { id: "ASC" } });
    const channel = channels.find((c) => c.name.toLocaleLowerCase() === wanted);
    if (channel) return { channelId: channel.id };
    throw new InvalidInputError(lt("No operator of this channel and no channel is named {name}. Type /transfer for the choices."), { name: name.trim() });
  }

  /** Transfers the conversation `by` its operator (or a manager); returns where it went. */
  async transfer(conversationId: number, by: HostUser, target: TransferTarget): Promise<TransferOutcome> {
    return this.queue.locked(async (m) => {
      const conversation = await m.getRepository(Conversation).findOneBy({ id: conversationId });
      if (!conversation) throw new NotFoundError(lt("No such conversation for you."));
      if (conversation.state === "closed") throw new ConflictError(lt("This conversation has ended: it cannot be transferred."));
      const from = conversation.operatorId;
      if (conversation.state !== "open" || from === null) throw new ConflictError(lt("Only a conversation an operator is answering can be transferred."));
      // Checked again under the lock: it may have been transferred since the caller read it.
      if (from !== by.id && !this.host.users.hasGroup(by, MANAGER_GROUP)) throw new ConflictError(lt("This conversation is not yours any more: nothing was transferred."));
      const channel = await m.getRepository(LivechatChannel).findOneByOrFail({ id: conversation.channelId });
      const byName = (await this.profiles.displayNames([by.id])).get(by.id) ?? "";
      return "operatorId" in target
        ? this.toOperator(m, conversation, channel, from, byName, target.operatorId)
        : this.toChannel(m, conversation, channel, from, byName, target.channelId);
    });
  }

  private async toOperator(m: EntityManager, conversation: Conversation, channel: LivechatChannel, from: number, byName: string, to: number): Promise<TransferOutcome> {
    const candidate = await this.assignment.member(m, conversation, to, channel.maxSessions);
    if (candidate === "none") throw new NotFoundError(lt("{channel} has no such operator."), { channel: channel.name });
    const name = (await this.profiles.displayNames([to])).get(to) ?? "";
    if (candidate === "filtered") throw new ConflictError(lt("{name} may not take this conversation: choose another operator."), { name });
    if (to === from) throw new InvalidInputError(lt("{name} already has this conversation: choose another operator or a channel."), { name });
    if (!candidate.available) throw new ConflictError(lt("{name} is not online: choose an available operator."), { name });
    if (!canTakeMore(candidate, channel.maxSessions)) {
      throw new ConflictError(lt("{name} reached the limit of {channel} (at most {max} at once for each operator): choose another operator."), {
        name,
        channel: channel.name,
        max: channel.maxSessions ?? 0,
      });
    }
    const now = this.host.clock.now();
    await this.move(m, conversation, from, { operatorId: to, state: "open", assignedAt: now, assignmentTier: TRANSFERRED_TIER });
    const line = await this.messages.addSystemWithin(m, conversation, { key: "transferred", params: { name: byName, to: name } });
    await this.notifier.transferredAway(m, from, line, channel.id);
    await this.windows.openWithin(m, to, conversation.id);
    // Built here, not read back: the rows are not visible to other connections before commit.
    const view: OperatorConversationDto = {
      ...conversationDto(conversation, channel.name, name, null),
      visitorName: conversation.visitorName,
      visitorLang: conversation.visitorLang,
      operatorId: to,
      lastActivityAt: conversation.lastActivityAt.toISOString(),
      unread: 0,
      lastMessage: null,
    };
    await this.notifier.assigned(m, view, { conversationId: conversation.id, channelId: channel.id, operatorId: to, tier: TRANSFERRED_TIER }, now);
    await this.notifier.conversationChanged(m, conversation, { channelName: channel.name, operatorName: name, place: null });
    return { operator: { id: to, name }, channel: { id: channel.id, name: channel.name } };
  }

  private async toChannel(m: EntityManager, conversation: Conversation, channel: LivechatChannel, from: number, byName: string, channelId: number): Promise<TransferOutcome> {
    if (channelId === channel.id) {
      throw new InvalidInputError(lt("The conversation is already in {channel}: choose one of its operators or another channel."), { channel: channel.name });
    }
    const target = await m.getRepository(LivechatChannel).findOneBy({ id: channelId });
    if (!target) throw new NotFoundError(lt("This live chat channel does not exist."));
    await this.move(m, conversation, from, { channelId: target.id, operatorId: null, state: "waiting", assignedAt: null, assignmentTier: null });
    const line = await this.messages.addSystemWithin(m, conversation, { key: "transferred_to_channel", params: { name: byName, channel: target.name } });
    await this.notifier.transferredAway(m, from, line, target.id);
    // The normal rules choose among the target channel's operators, never the one who sent it away.
    const operator = await this.queue.assign(m, conversation, target, [from]);
    if (operator) return { operator: { id: operator.userId, name: operator.name }, channel: { id: target.id, name: target.name } };
    // An earlier conversation than most waiting there: it joins the queue ahead of them.
    await this.notifier.queueChanged(m, target.id, { joined: [conversation.id] });
    await this.notifier.conversationChanged(m, conversation);
    return { operator: null, channel: { id: target.id, name: target.name } };
  }

  /** Changes the row only while it is still open with `from`; the previous operator's windows let it go. */
  private async move(m: EntityManager, conversation: Conversation, from: number, change: Partial<Conversation>): Promise<void> {
    const moved = await m
      .createQueryBuilder()
      .update(Conversation)
      .set(change)
      .where("id = :id AND state = 'open' AND operator_id = :from", { id: conversation.id, from })
      .execute();
    if (!moved.affected) throw new ConflictError(lt("This conversation changed meanwhile (ended or transferred): nothing was transferred."));
    Object.assign(conversation, change);
    await this.windows.closeWithin(m, from, conversation.id);
  }
}

/** Online and under the channel's limit. */
function canTakeMore(candidate: Candidate, maxSessions: number | null): boolean {
  return candidate.available && (maxSessions === null || candidate.openInChannel < maxSessions);
}
