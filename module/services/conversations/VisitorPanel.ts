import { In } from "typeorm";
import type { HostContract, HostUser } from "../../../host/contract";
import { ChatbotStep } from "../../models/ChatbotStep";
import { Conversation } from "../../models/Conversation";
import { ConversationAnswer } from "../../models/ConversationAnswer";
import { LivechatChannel } from "../../models/LivechatChannel";
import type { AssignmentService } from "../assignment/AssignmentService";
import type { OperatorProfiles } from "../OperatorProfiles";
import type { EndedByDto, VisitorPanelDto } from "./dto";
import type { OperatorInbox } from "./OperatorInbox";

/** How many earlier conversations the panel lists. */
const EARLIER_LIMIT = 20;

/**
 * What Discuss shows about a conversation's visitor: who they are, where the chat started, what they
 * told the chatbot, and their other conversations (same visitor key) among those the reader may open.
 * The caller has checked that the reader may see the conversation itself.
 */
export class VisitorPanel {
  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
    private readonly assignment: AssignmentService,
    private readonly inbox: OperatorInbox,
  ) {}

  async of(conversation: Conversation, reader: HostUser): Promise<VisitorPanelDto> {
    const [contact, earlier] = await Promise.all([this.contact(conversation.id), this.earlier(conversation, reader)]);
    return {
      name: conversation.visitorName,
      lang: conversation.visitorLang,
      startPage: conversation.startPageUrl,
      referrer: conversation.referrerUrl,
      ...contact,
      earlier,
    };
  }

  /** Who ended the conversation, once it ended. */
  async endedBy(conversation: Conversation): Promise<EndedByDto | null> {
    if (conversation.state !== "closed" || !conversation.closedReason) return null;
    const id = conversation.closedById;
    const name = id !== null ? ((await this.profiles.displayNames([id])).get(id) ?? null) : null;
    return { reason: conversation.closedReason, name };
  }

  /** The last email and phone number given at the chatbot's email and phone steps. */
  private async contact(conversationId: number): Promise<Pick<VisitorPanelDto, "email" | "phone">> {
    const answers = await this.host.db.getRepository(ConversationAnswer).findBy({ conversationId });
    const steps = answers.length ? await this.host.db.getRepository(ChatbotStep).findBy({ id: In(answers.map((a) => a.stepId)) }) : [];
    const typeOf = new Map(steps.map((s) => [s.id, s.type]));
    const last = (type: string) => answers.filter((a) => typeOf.get(a.stepId) === type).sort((a, b) => b.stepId - a.stepId)[0]?.value ?? null;
    return { email: last("email"), phone: last("phone") };
  }

  /** Same rule as OperatorInbox.canSee, in the query: managers all; others their own and the waiting ones of their channels. */
  private async earlier(conversation: Conversation, reader: HostUser): Promise<VisitorPanelDto["earlier"]> {
    const qb = this.host.db
      .getRepository(Conversation)
      .createQueryBuilder("c")
      .where("c.visitor_key = :key AND c.id <> :id", { key: conversation.visitorKey, id: conversation.id });
    if (!this.inbox.isManager(reader)) {
      const channelIds = await this.assignment.channelsOf(reader.id);
      if (channelIds.length) {
        qb.andWhere("(c.operator_id = :me OR (c.state = 'waiting' AND c.channel_id IN (:...channelIds)))", { me: reader.id, channelIds });
      } else {
        qb.andWhere("c.operator_id = :me", { me: reader.id });
      }
    }
    const rows = await qb.orderBy("c.id", "DESC").limit(EARLIER_LIMIT).getMany();
    if (rows.length === 0) return [];
    const [channels, names] = await Promise.all([
      this.host.db.getRepository(LivechatChannel).findBy({ id: In([...new Set(rows.map((c) => c.channelId))]) }),
      this.profiles.displayNames([...new Set(rows.map((c) => c.operatorId).filter((id): id is number => id !== null))]),
    ]);
    const channelName = new Map(channels.map((c) => [c.id, c.name]));
    return rows.map((c) => ({
      id: c.id,
      state: c.state,
      channelName: channelName.get(c.channelId) ?? "",
      operatorName: c.operatorId !== null ? (names.get(c.operatorId) ?? null) : null,
      createdAt: c.createdAt.toISOString(),
    }));
  }
}
