import { In, type DataSource, type EntityManager } from "typeorm";
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, type HostContract, type HostUser } from "../../host/contract";
import { ChannelMember } from "../models/ChannelMember";
import { ChatbotScript } from "../models/ChatbotScript";
import { ChannelMembershipEvent, type MembershipReason } from "../models/ChannelMembershipEvent";
import { LivechatChannel } from "../models/LivechatChannel";
import { channelJoined, OPERATOR_GROUP } from "../api";
import { isUniqueViolation } from "./uniqueViolation";

export interface ChannelInput {
  name: string;
  welcomeMessage: string;
  buttonText: string;
  maxSessions: number | null;
  memberIds: number[];
  /** A chatbot script that talks with visitors first; null for none. */
  chatbotScriptId?: number | null;
}

export interface ChannelWithMembers {
  channel: LivechatChannel;
  members: HostUser[];
}

/** Live chat channels and who is in them; every membership change is recorded with its reason. */
export class ChannelService {
  constructor(private readonly host: HostContract) {}

  private get db(): DataSource {
    return this.host.db;
  }

  async list(): Promise<ChannelWithMembers[]> {
    const channels = await this.db.getRepository(LivechatChannel).find({ order: { name: "ASC", id: "ASC" } });
    const members = await this.db.getRepository(ChannelMember).find({ order: { joinedAt: "ASC" } });
    const users = new Map((await this.host.users.getMany([...new Set(members.map((m) => m.userId))])).map((u) => [u.id, u]));
    return channels.map((channel) => ({
      channel,
      members: members
        .filter((m) => m.channelId === channel.id)
        .map((m) => users.get(m.userId))
        .filter((u): u is HostUser => u !== undefined),
    }));
  }

  async get(id: number): Promise<ChannelWithMembers> {
    const found = (await this.list()).find((c) => c.channel.id === id);
    if (!found) throw new NotFoundError("This channel does not exist.");
    return found;
  }

  /** The channel record alone, or null: for visitors, who see no members. */
  async find(id: number): Promise<LivechatChannel | null> {
    return this.db.getRepository(LivechatChannel).findOneBy({ id });
  }

  /** Every channel record, oldest first (the demo page's order). */
  async records(): Promise<LivechatChannel[]> {
    return this.db.getRepository(LivechatChannel).find({ order: { id: "ASC" } });
  }

  /** The chatbot scripts a channel may run, by name. */
  async scriptChoices(): Promise<{ id: number; name: string }[]> {
    return (await this.db.getRepository(ChatbotScript).find({ order: { name: "ASC" } })).map((s) => ({ id: s.id, name: s.name }));
  }

  async memberIds(channelId: number): Promise<number[]> {
    return (await this.db.getRepository(ChannelMember).findBy({ channelId })).map((m) => m.userId);
  }

  /** Creates (id null) or updates a channel; members added or removed here are recorded as the manager's doing. */
  async save(id: number | null, input: ChannelInput, manager: HostUser): Promise<number> {
    const memberIds = [...new Set(input.memberIds)];
    await this.checkOperators(memberIds);
    if (input.chatbotScriptId && !(await this.db.getRepository(ChatbotScript).findOneBy({ id: input.chatbotScriptId }))) {
      throw new InvalidInputError("Chatbot: this script does not exist.");
    }
    const joined: number[] = [];
    const savedId = await this.db.transaction(async (m) => {
      const repo = m.getRepository(LivechatChannel);
      const existing = id === null ? null : await repo.findOneBy({ id });
      if (id !== null && !existing) throw new NotFoundError("This channel does not exist.");
      const saved = await repo.save({
        ...(existing ?? { createdAt: this.host.clock.now() }),
        name: input.name,
        welcomeMessage: input.welcomeMessage,
        buttonText: input.buttonText,
        maxSessions: input.maxSessions,
        chatbotScriptId: input.chatbotScriptId ?? null,
      });
      const current = (await m.getRepository(ChannelMember).findBy({ channelId: saved.id })).map((r) => r.userId);
      for (const userId of memberIds.filter((u) => !current.includes(u))) {
        if (await this.addMember(m, saved.id, userId, "manager", manager.id)) joined.push(userId);
      }
      for (const userId of current.filter((u) => !memberIds.includes(u))) {
        await this.removeMember(m, saved.id, userId, "manager", manager.id);
      }
      return saved.id;
    }).catch((error: unknown) => {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictError("An operator joined or left this channel while you were editing it. Nothing was saved: try again.");
    });
    for (const userId of joined) await channelJoined.emit(this.host.hooks, { channelId: savedId, userId });
    return savedId;
  }

  /** The operator joins; only operators and managers may. Joining twice changes nothing. */
  async join(channelId: number, user: HostUser): Promise<void> {
    if (!this.host.users.hasGroup(user, OPERATOR_GROUP)) {
      throw new ForbiddenError("Only live chat operators can join a channel. Ask an administrator for the Live Chat / Operator access right.");
    }
    let added: boolean;
    try {
      added = await this.db.transaction(async (m) => {
        if (!(await m.getRepository(LivechatChannel).findOneBy({ id: channelId }))) throw new NotFoundError("This channel does not exist.");
        return this.addMember(m, channelId, user.id, "self", user.id);
      });
    } catch (error) {
      // The same operator joined at the same moment elsewhere (another tab, another instance): they are a member.
      if (!isUniqueViolation(error)) throw error;
      added = false;
    }
    if (added) await channelJoined.emit(this.host.hooks, { channelId, userId: user.id });
  }

  /** The operator leaves; leaving a channel one is not in changes nothing. */
  async leave(channelId: number, user: HostUser): Promise<void> {
    await this.db.transaction(async (m) => {
      if (!(await m.getRepository(LivechatChannel).findOneBy({ id: channelId }))) throw new NotFoundError("This channel does not exist.");
      await this.removeMember(m, channelId, user.id, "self", user.id);
    });
  }

  /**
   * Removes the operator from every channel they are in (the inactivity rule), or only from those
   * joined before `joinedBefore`. Returns the channels actually left, so running it twice records
   * nothing the second time.
   */
  async removeEverywhere(userId: number, reason: MembershipReason, options: { joinedBefore?: Date } = {}): Promise<number[]> {
    const { joinedBefore } = options;
    return this.db.transaction(async (m) => {
      const channelIds = (await m.getRepository(ChannelMember).findBy({ userId }))
        .filter((r) => !joinedBefore || r.joinedAt < joinedBefore)
        .map((r) => r.channelId);
      const left: number[] = [];
      for (const channelId of channelIds) {
        if (await this.removeMember(m, channelId, userId, reason, null)) left.push(channelId);
      }
      return left;
    });
  }

  /** Members whose own activity, or their joining if later, is older than `before`. */
  async membersIdleSince(before: Date): Promise<number[]> {
    const members = await this.db.getRepository(ChannelMember).find();
    const byUser = new Map<number, Date>();
    for (const m of members) {
      const latest = byUser.get(m.userId);
      if (!latest || m.joinedAt > latest) byUser.set(m.userId, m.joinedAt);
    }
    const idle = await this.host.presence.inactiveSince([...byUser.keys()], before);
    // Joining is itself an action: an operator is not idle before `before` has passed since they joined.
    return idle.filter((userId) => (byUser.get(userId) as Date) < before);
  }

  async events(channelId: number): Promise<ChannelMembershipEvent[]> {
    return this.db.getRepository(ChannelMembershipEvent).find({ where: { channelId }, order: { id: "ASC" } });
  }

  async channelIdsOf(userId: number): Promise<number[]> {
    return (await this.db.getRepository(ChannelMember).findBy({ userId })).map((m) => m.channelId);
  }

  private async addMember(m: EntityManager, channelId: number, userId: number, reason: MembershipReason, actorId: number): Promise<boolean> {
    const repo = m.getRepository(ChannelMember);
    if (await repo.findOneBy({ channelId, userId })) return false;
    const at = this.host.clock.now();
    await repo.insert({ channelId, userId, joinedAt: at });
    await m.getRepository(ChannelMembershipEvent).insert({ channelId, userId, action: "joined", reason, actorId, at });
    return true;
  }

  private async removeMember(m: EntityManager, channelId: number, userId: number, reason: MembershipReason, actorId: number | null): Promise<boolean> {
    const result = await m.getRepository(ChannelMember).delete({ channelId, userId });
    if (!result.affected) return false;
    await m.getRepository(ChannelMembershipEvent).insert({ channelId, userId, action: "left", reason, actorId, at: this.host.clock.now() });
    return true;
  }

  private async checkOperators(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const operators = new Set((await this.host.users.inGroup(OPERATOR_GROUP)).map((u) => u.id));
    const wrong = ids.filter((id) => !operators.has(id));
    if (wrong.length) throw new InvalidInputError(`Operators: user ${wrong.join(", ")} is not a live chat operator.`);
  }

  async channelsByIds(ids: number[]): Promise<LivechatChannel[]> {
    return ids.length ? this.db.getRepository(LivechatChannel).findBy({ id: In(ids) }) : [];
  }
}
