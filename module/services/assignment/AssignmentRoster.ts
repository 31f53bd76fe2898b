import { performance } from "node:perf_hooks";
import type { EntityManager } from "typeorm";
import type { HostContract } from "../../../host/contract";
import type { OperatorProfiles } from "../OperatorProfiles";
import { sqlDate } from "../sqlDate";
import { before, tierFor, tierRank, type AssignmentChoice, type AssignmentRequest, type Candidate, type RankKey } from "./chooseOperator";

/** A conversation's seat after a committed change: whose it is now, if anyone's, and whether it is open. */
export interface SeatChange {
  conversationId: number;
  channelId: number;
  /** The operator who has it now; null when nobody has it (waiting, or ended). */
  operatorId: number | null;
  open: boolean;
  /** When it was given to `operatorId`, for an assignment. */
  assignedAt: Date | null;
}

/** What assignment knows about one operator, shared by every channel they belong to. */
interface OperatorFacts {
  active: boolean;
  /** Main language, then Online Chat Languages, enabled or not (filtered when read). */
  langCodes: string[];
  /** `langCodes` of the languages enabled when last read, and which those were. */
  spoken?: { enabledKey: string; codes: string[] };
  expertiseIds: number[];
  lastAssignedAt: number | null;
  /** Open conversations: conversation id → channel id. */
  open: Map<number, number>;
  /** Open conversations per channel. */
  openIn: Map<number, number>;
  available: boolean;
}

/** A channel brought up to date for `choose`: its members and the languages enabled on the host now. */
export interface ChoosingView {
  readonly channelId: number;
  readonly memberIds: readonly number[];
  readonly enabledKey: string;
  readonly enabled: ReadonlySet<string>;
}

interface ChannelFacts {
  memberIds: number[];
  members: Set<number>;
  /** The channel's members version (raised by the database at every join or leave) the list was read at. */
  membersVersion: number;
  /** When everything was last read from the database (performance.now()). */
  loadedAt: number;
  /** When presence was last read, by the host's clock (the thresholds are in its time). */
  presenceAt: number;
  /** The whole channel's presence being read again in the background, if it is. */
  presenceReading?: Promise<void>;
}

/**
 * Everything read again this often (real time, in the background): what other instances changed and
 * no check below catches (their assignments and ends, profile edits) reaches this one within it.
 */
const REFRESH_MS = 10_000;
/**
 * Presence read again for the whole channel, in the background, when the clock moved this far:
 * statuses change as time passes. The decision does not wait for it: the one chosen is confirmed
 * from the database, and those heard of on this instance are read before deciding.
 */
const PRESENCE_REFRESH_MS = 5_000;
/** When nobody could take a conversation, the roster is read again first, at most this often. */
const RELOAD_WHEN_NOBODY_MS = 1_000;
/**
 * Operators read per round of statements. On SQLite each statement holds the event loop while it
 * runs: small rounds, with a turn of the event loop between them, keep a background read of a big
 * channel from delaying the decisions and requests meanwhile.
 */
const CHUNK = 100;

/**
 * The operators of each channel as assignment sees them, held in memory so a decision reads no list
 * from the database: loaded lazily per channel, kept current by the changes this instance commits
 * (assignments, ends, transfers), presence and profile edits it hears of, and the channel's members
 * version (one row by its key, per decision) that catches joins and leaves made anywhere. Whatever another instance
 * changed otherwise is read again within REFRESH_MS; the facts that decide whether a seat may be
 * given (presence, open conversations under a limit) are read from the database for the operator
 * chosen (`confirm`), so several instances never overfill a seat.
 */
export class AssignmentRoster {
  private readonly operators = new Map<number, OperatorFacts>();
  private readonly channels = new Map<number, ChannelFacts>();
  /** Open conversation → operator, for changes that do not say whose it was. */
  private readonly seatOf = new Map<number, number>();
  private readonly staleFacts = new Set<number>();
  private readonly stalePresence = new Set<number>();
  /** Seat changes heard while a load reads the database, applied again on what it read. */
  private readonly heardWhileLoading: SeatChange[] = [];
  private readonly refreshing = new Set<number>();
  private loading = 0;
  /** The languages enabled on the host when last asked. */
  private enabled: { key: string; codes: ReadonlySet<string> } | null = null;

  constructor(
    private readonly host: HostContract,
    private readonly profiles: OperatorProfiles,
  ) {}

  // ---- what changed ------------------------------------------------------------------------

  seatChanged(change: SeatChange): void {
    if (this.loading > 0) this.heardWhileLoading.push(change);
    this.applySeat(change);
  }

  /** The operator's languages, expertise or account changed: read again before the next decision. */
  operatorChanged(userId: number): void {
    this.staleFacts.add(userId);
  }

  presenceChanged(userId: number): void {
    this.stalePresence.add(userId);
  }

  /** Drops everything known: each channel is read again whole at its next decision. */
  forget(): void {
    this.channels.clear();
    this.operators.clear();
    this.seatOf.clear();
  }

  // ---- reading -----------------------------------------------------------------------------

  /**
   * The channel brought up to date, for `choose` and `atLimit`. `exactPresence`: wait for the
   * channel's presence being read again, if it is, for whoever shows availability to people (a
   * decision does not: it confirms the one it chose from the database).
   */
  async view(m: EntityManager, channelId: number, exactPresence = false): Promise<ChoosingView> {
    const channel = await this.current(m, channelId);
    if (exactPresence && channel.presenceReading) await channel.presenceReading;
    const codes = (await this.host.langs.list({ enabledOnly: true })).map((l) => l.code);
    const enabledKey = codes.join(",");
    // The same string as last time while the languages stay the same: each member's check is then one comparison of references.
    if (this.enabled?.key !== enabledKey) this.enabled = { key: enabledKey, codes: new Set(codes) };
    return { channelId, memberIds: channel.memberIds, enabledKey: this.enabled.key, enabled: this.enabled.codes };
  }

  /** The channel's active members, brought up to date; fresh objects the caller may change. */
  async candidates(m: EntityManager, channelId: number, exactPresence = false): Promise<Candidate[]> {
    return this.candidatesOf(await this.view(m, channelId, exactPresence));
  }

  /** The active members of a channel just brought up to date; fresh objects the caller may change. */
  candidatesOf(view: ChoosingView): Candidate[] {
    const result: Candidate[] = [];
    for (const userId of view.memberIds) {
      const facts = this.operators.get(userId);
      if (!facts?.active) continue;
      const spoken = this.spoken(facts, view);
      result.push({
        userId,
        available: facts.available,
        openConversations: facts.open.size,
        openInChannel: facts.openIn.get(view.channelId) ?? 0,
        lastAssignedAt: facts.lastAssignedAt === null ? null : new Date(facts.lastAssignedAt),
        languages: spoken.slice(),
        expertiseIds: facts.expertiseIds.slice(),
      });
    }
    return result;
  }

  /**
   * The member `chooseOperator` would choose among `candidates(...)` minus `skip`, found in one pass
   * over the roster without building the list: what a decision does when no other module filters or
   * re-ranks the candidates.
   */
  choose(view: ChoosingView, request: AssignmentRequest, skip: ReadonlySet<number>): AssignmentChoice | null {
    let best: (RankKey & { choice: AssignmentChoice }) | null = null;
    const key: RankKey = { userId: 0, rank: 0, openConversations: 0, last: 0 };
    for (const userId of view.memberIds) {
      const facts = this.operators.get(userId);
      if (!facts?.active || !facts.available || skip.has(userId)) continue;
      if (request.maxPerOperator !== null && (facts.openIn.get(view.channelId) ?? 0) >= request.maxPerOperator) continue;
      const tier = tierFor(userId, this.spoken(facts, view), facts.expertiseIds, request);
      key.userId = userId;
      key.rank = tierRank(tier);
      key.openConversations = facts.open.size;
      key.last = facts.lastAssignedAt ?? -Infinity;
      if (best === null || before(key, best) < 0) best = { ...key, choice: { userId, tier } };
    }
    return best && best.choice;
  }

  /** Members the roster has available but at `maxPerOperator` in the channel. */
  atLimit(view: ChoosingView, maxPerOperator: number | null, exclude: readonly number[]): number[] {
    if (maxPerOperator === null) return [];
    return view.memberIds.filter((userId) => {
      const facts = this.operators.get(userId);
      return facts?.active && facts.available && !exclude.includes(userId) && (facts.openIn.get(view.channelId) ?? 0) >= maxPerOperator;
    });
  }

  /** The operator's expertise as the roster has it. */
  expertiseOf(userId: number): readonly number[] {
    return this.operators.get(userId)?.expertiseIds ?? [];
  }

  /** The operator's languages enabled on the host now. */
  private spoken(facts: OperatorFacts, view: ChoosingView): string[] {
    if (facts.spoken?.enabledKey !== view.enabledKey) facts.spoken = { enabledKey: view.enabledKey, codes: facts.langCodes.filter((code) => view.enabled.has(code)) };
    return facts.spoken.codes;
  }

  /**
   * Whether the operator may be given a conversation of the channel now, from the database: online,
   * and under `maxPerOperator` open conversations there. Run inside the locked transaction that
   * assigns; what it reads corrects the roster. `changed`: they may, but their open conversations
   * were not what the roster had (another instance's assignments or ends, or this transaction's own),
   * so the ranking should be made again.
   */
  async confirm(m: EntityManager, channelId: number, userId: number, maxPerOperator: number | null): Promise<"yes" | "no" | "changed"> {
    const { online, open } = await this.fromDatabase(m, channelId, userId);
    const facts = this.operators.get(userId);
    if (!online || (maxPerOperator !== null && open >= maxPerOperator)) {
      if (facts && (facts.openIn.get(channelId) ?? 0) !== open) await this.loadOperators(m, [userId]);
      return "no";
    }
    if (!facts || (facts.openIn.get(channelId) ?? 0) === open) return "yes";
    await this.loadOperators(m, [userId]);
    return "changed";
  }

  /** Whether the operator is online, and their open conversations in the channel, read now (the roster follows). */
  async fromDatabase(m: EntityManager, channelId: number, userId: number): Promise<{ online: boolean; open: number }> {
    const [presence, open] = await Promise.all([this.host.presence.get(userId), this.openInChannel(m, channelId, userId)]);
    const online = presence.status === "online";
    const facts = this.operators.get(userId);
    if (facts) facts.available = online;
    return { online, open };
  }

  /** True when the channel was not read whole for a while: worth doing before saying nobody can take a visitor. */
  mayReload(channelId: number): boolean {
    const channel = this.channels.get(channelId);
    return !channel || performance.now() - channel.loadedAt > RELOAD_WHEN_NOBODY_MS;
  }

  /** Reads these operators' facts again. */
  async readAgain(m: EntityManager, userIds: number[]): Promise<void> {
    await this.loadOperators(m, userIds);
  }

  /** Reads the channel and its members' facts again, whole. */
  async reload(m: EntityManager, channelId: number): Promise<void> {
    await this.load(m, channelId);
  }

  // ---- keeping it current ------------------------------------------------------------------

  private async current(m: EntityManager, channelId: number): Promise<ChannelFacts> {
    let channel = this.channels.get(channelId);
    if (!channel) return this.load(m, channelId);
    if (performance.now() - channel.loadedAt > REFRESH_MS) this.refreshInBackground(channelId);
    const membersVersion = await this.membersVersion(m, channelId);
    if (membersVersion !== channel.membersVersion) channel = await this.loadMembers(m, channelId, channel, membersVersion);
    if (this.staleFacts.size) {
      const staleFacts = [...this.staleFacts].filter((id) => channel.members.has(id));
      if (staleFacts.length) await this.loadOperators(m, staleFacts);
    }
    const now = this.host.clock.now().getTime();
    if (now - channel.presenceAt > PRESENCE_REFRESH_MS || now < channel.presenceAt) {
      channel.presenceAt = now;
      this.presenceInBackground(channel);
    }
    if (this.stalePresence.size) {
      const stale = [...this.stalePresence].filter((id) => channel.members.has(id));
      if (stale.length) await this.readPresence(stale);
    }
    return channel;
  }

  /** The whole channel's presence read again without holding up the decision that found it due. */
  private presenceInBackground(channel: ChannelFacts): void {
    const userIds = channel.memberIds;
    const reading = (async () => {
      for (let i = 0; i < userIds.length; i += CHUNK) {
        await this.readPresence(userIds.slice(i, i + CHUNK));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })()
      .catch((error: unknown) => this.host.logger.warn("assignment roster: reading presence again failed", { error: String(error) }))
      .finally(() => {
        if (channel.presenceReading === reading) channel.presenceReading = undefined;
      });
    channel.presenceReading = reading;
  }

  /**
   * Reads the channel whole again outside the decision: with a thousand members it takes a while,
   * which the assignment lock should not wait for. What is heard meanwhile is applied on what it read.
   */
  private refreshInBackground(channelId: number): void {
    if (this.refreshing.has(channelId)) return;
    this.refreshing.add(channelId);
    this.load(this.host.db.manager, channelId, true)
      .catch((error: unknown) => this.host.logger.warn("assignment roster: reading a channel again failed", { channelId, error: String(error) }))
      .finally(() => this.refreshing.delete(channelId));
  }

  private async load(m: EntityManager, channelId: number, pause = false): Promise<ChannelFacts> {
    const loadedAt = performance.now();
    const presenceAt = this.host.clock.now().getTime();
    // The version first: a change after it and before the list is read again at the next decision.
    const membersVersion = await this.membersVersion(m, channelId);
    const memberIds = await this.memberIds(m, channelId);
    await this.loadOperators(m, memberIds, pause);
    const channel: ChannelFacts = { memberIds, members: new Set(memberIds), membersVersion, loadedAt, presenceAt };
    this.channels.set(channelId, channel);
    return channel;
  }

  /** Members joined or left: the list again, and the facts of those not known yet. */
  private async loadMembers(m: EntityManager, channelId: number, previous: ChannelFacts, membersVersion: number): Promise<ChannelFacts> {
    const memberIds = await this.memberIds(m, channelId);
    const unknown = memberIds.filter((id) => !this.operators.has(id));
    if (unknown.length) await this.loadOperators(m, unknown);
    const channel: ChannelFacts = { ...previous, memberIds, members: new Set(memberIds), membersVersion };
    this.channels.set(channelId, channel);
    return channel;
  }

  /** Reads the operators' facts whole, replacing what was known of them; `pause`: a turn of the event loop between rounds. */
  private async loadOperators(m: EntityManager, userIds: number[], pause = false): Promise<void> {
    this.loading++;
    const from = this.heardWhileLoading.length;
    try {
      for (let i = 0; i < userIds.length; i += CHUNK) {
        if (pause && i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const ids = userIds.slice(i, i + CHUNK);
        const [users, settings, presence, [open, last]] = await Promise.all([
          this.host.users.getMany(ids),
          this.profiles.getMany(ids),
          this.host.presence.getMany(ids),
          // One after the other: `m` may be a transaction, one connection that runs a statement at a time.
          this.query(m, "SELECT id, operator_id, channel_id FROM livechat_conversation WHERE state = 'open' AND operator_id IN (:...ids)", { ids }).then(async (open) => [
            open,
            await this.query(m, "SELECT operator_id, MAX(assigned_at) AS last FROM livechat_conversation WHERE operator_id IN (:...ids) GROUP BY operator_id", { ids }),
          ]),
        ]);
        const byId = new Map(users.map((u) => [u.id, u]));
        const lastById = new Map(last.map((r) => [Number(r.operator_id), sqlDate(r.last)?.getTime() ?? null]));
        for (const userId of ids) {
          this.forgetSeats(userId);
          const user = byId.get(userId);
          this.operators.set(userId, {
            active: user?.active ?? false,
            langCodes: [...new Set([...(user ? [user.langCode] : []), ...(settings.get(userId)?.langCodes ?? [])])],
            expertiseIds: settings.get(userId)?.expertiseIds ?? [],
            lastAssignedAt: lastById.get(userId) ?? null,
            open: new Map(),
            openIn: new Map(),
            available: presence.get(userId)?.status === "online",
          });
          this.staleFacts.delete(userId);
          this.stalePresence.delete(userId);
        }
        for (const row of open) {
          this.applySeat({ conversationId: Number(row.id), channelId: Number(row.channel_id), operatorId: Number(row.operator_id), open: true, assignedAt: null });
        }
      }
      for (const change of this.heardWhileLoading.slice(from)) this.applySeat(change);
    } finally {
      if (--this.loading === 0) this.heardWhileLoading.length = 0;
    }
  }

  private async readPresence(userIds: number[]): Promise<void> {
    for (const id of userIds) this.stalePresence.delete(id);
    const presence = await this.host.presence.getMany(userIds);
    for (const [userId, info] of presence) {
      const facts = this.operators.get(userId);
      if (facts) facts.available = info.status === "online";
    }
  }

  private applySeat(change: SeatChange): void {
    const holder = this.seatOf.get(change.conversationId);
    if (holder !== undefined) {
      const facts = this.operators.get(holder);
      const channelId = facts?.open.get(change.conversationId);
      if (facts && channelId !== undefined) {
        facts.open.delete(change.conversationId);
        facts.openIn.set(channelId, (facts.openIn.get(channelId) ?? 1) - 1);
      }
      this.seatOf.delete(change.conversationId);
    }
    if (change.operatorId === null) return;
    const facts = this.operators.get(change.operatorId);
    if (!facts) return;
    if (change.open) {
      facts.open.set(change.conversationId, change.channelId);
      facts.openIn.set(change.channelId, (facts.openIn.get(change.channelId) ?? 0) + 1);
      this.seatOf.set(change.conversationId, change.operatorId);
    }
    const at = change.assignedAt?.getTime() ?? null;
    if (at !== null && (facts.lastAssignedAt === null || at > facts.lastAssignedAt)) facts.lastAssignedAt = at;
  }

  private forgetSeats(userId: number): void {
    for (const conversationId of this.operators.get(userId)?.open.keys() ?? []) this.seatOf.delete(conversationId);
  }

  // ---- the database ------------------------------------------------------------------------

  private async memberIds(m: EntityManager, channelId: number): Promise<number[]> {
    const rows = await this.query(m, "SELECT user_id FROM livechat_channel_member WHERE channel_id = :channelId ORDER BY user_id", { channelId });
    return rows.map((r) => Number(r.user_id));
  }

  /** Raised by the database at any join or leave, by anyone (migration LivechatChannelMembersVersion); one row by its key. */
  private async membersVersion(m: EntityManager, channelId: number): Promise<number> {
    const [row] = await this.query(m, "SELECT version FROM livechat_channel_members_version WHERE channel_id = :channelId", { channelId });
    return Number(row?.version ?? 0);
  }

  private async openInChannel(m: EntityManager, channelId: number, userId: number): Promise<number> {
    const [row] = await this.query(
      m,
      "SELECT COUNT(*) AS n FROM livechat_conversation WHERE operator_id = :userId AND state = 'open' AND channel_id = :channelId",
      { userId, channelId },
    );
    return Number(row?.n ?? 0);
  }

  private async query(m: EntityManager, sql: string, parameters: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const [text, values] = m.connection.driver.escapeQueryWithParameters(sql, parameters);
    return (await m.query(text, values)) as Record<string, unknown>[];
  }
}
