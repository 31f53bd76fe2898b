import type { EntityManager } from "typeorm";
import type { HostContract } from "../../../host/contract";
import { Conversation } from "../../models/Conversation";
import { LivechatChannel } from "../../models/LivechatChannel";
import type { AssignmentService } from "../assignment/AssignmentService";
import type { OperatorProfiles } from "../OperatorProfiles";
import type { ChatWindows } from "./ChatWindows";
import type { ConversationMessages } from "./ConversationMessages";
import type { ConversationNotifier } from "./ConversationNotifier";
import { conversationDto, type OperatorConversationDto } from "./dto";
import { waitingConversations } from "./queueOrder";

/**
 * Where conversations wait for an operator and how they leave the queue: assignment decisions taken
 * one at a time under the assignment lock, oldest waiting first.
 */
export class ConversationQueue {
  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
    private readonly assignment: AssignmentService,
    private readonly messages: ConversationMessages,
    private readonly windows: ChatWindows,
    private readonly notifier: ConversationNotifier,
  ) {}

  /** Runs `work` in a transaction holding the assignment lock; integrators hear of its assignments after commit. */
  locked<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.notifier.transaction(
      async (m) => {
        await this.assignment.lock(m);
        return work(m);
      },
      (run) => this.assignment.serialize(run),
    );
  }

  /**
   * Assigns if someone can take it (caller holds the lock); tells the operator and the visitor.
   * Returns the operator (with the name visitors see), or null when nobody can take it now.
   */
  async assign(m: EntityManager, conversation: Conversation, channel: LivechatChannel): Promise<{ userId: number; name: string } | null> {
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
      await this.messages.addWithin(m, conversation, { kind: "operator", userId: choice.userId }, channel.welcomeMessage, null, false);
    }
    await this.windows.openWithin(m, choice.userId, conversation.id);
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
    await this.notifier.assigned(m, view, { conversationId: conversation.id, channelId: channel.id, operatorId: choice.userId, tier: choice.tier });
    await this.notifier.conversationChanged(m, conversation, { channelName: channel.name, operatorName: name, position: null });
    return { userId: choice.userId, name };
  }

  /** Gives waiting conversations of the channel to free operators, oldest first. Returns the ids assigned. */
  async assignWaiting(channelId: number): Promise<number[]> {
    return this.locked(async (m) => {
      const channel = await m.getRepository(LivechatChannel).findOneBy({ id: channelId });
      if (!channel) return [];
      const assigned: number[] = [];
      for (const conversation of await waitingConversations(m, channelId)) {
        // Hard rules are the same for everyone in the queue: if the first cannot be served, nobody can.
        if (!(await this.assign(m, conversation, channel))) break;
        assigned.push(conversation.id);
      }
      if (assigned.length) await this.notifier.queueMoved(m, channelId);
      return assigned;
    });
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
}
