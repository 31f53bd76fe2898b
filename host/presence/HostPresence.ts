import { In, MoreThanOrEqual, type DataSource } from "typeorm";
import type { Clock, Presence, PresenceInfo, PresenceStatus } from "../contract";
import { PresenceRecord } from "../models/PresenceRecord";

export interface PresenceSettings {
  /** No real activity for this long: away. */
  awayAfterMs: number;
  /** No sign of an open tab nor activity for this long: offline. */
  offlineAfterMs: number;
  /** After the last tab closed, this long for a reload before offline; PRESENCE_TAB_GRACE_MS when not given. */
  tabGraceMs?: number;
}

/**
 * How long after a user's last tab (bus socket) closed they still count as there: a reload opens a
 * new socket within it. Past it they are offline, so no new visitor is given to them.
 */
export const PRESENCE_TAB_GRACE_MS = 20_000;

/** A write this recent (by the clock) makes a new one for the same user unnecessary. */
export const PRESENCE_WRITE_THROTTLE_MS = 15_000;
const CHUNK = 500;

interface Written {
  activity: number | null;
  seen: number | null;
}

/**
 * Presence from two timestamps per user: last real activity (input, page request) and last sign of
 * an open tab. Writes are throttled per instance, so stored values trail reality by less than
 * `PRESENCE_WRITE_THROTTLE_MS`; they only ever move forward, whichever instance writes.
 */
export class HostPresence implements Presence {
  private readonly written = new Map<number, Written>();
  private readonly listeners: ((userId: number) => void)[] = [];
  private readonly table: string;
  private readonly activityColumn: string;
  private readonly seenColumn: string;
  private readonly userColumn: string;
  private readonly tabsColumn: string;
  private readonly closedColumn: string;

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    /** Fixed thresholds, or read when needed (from settings an admin changes without a restart). */
    private readonly settings: PresenceSettings | (() => Promise<PresenceSettings>),
  ) {
    const escape = (name: string) => db.driver.escape(name);
    const meta = db.getMetadata(PresenceRecord);
    this.table = meta.schema ? `${escape(meta.schema)}.${escape(meta.tableName)}` : escape(meta.tableName);
    this.userColumn = escape("user_id");
    this.activityColumn = escape("last_activity_at");
    this.seenColumn = escape("last_seen_at");
    this.tabsColumn = escape("open_tabs");
    this.closedColumn = escape("tabs_closed_at");
  }

  async recordActivity(userId: number): Promise<void> {
    const now = this.clock.now();
    const entry = this.entry(userId);
    if (isRecent(entry.activity, now.getTime())) return;
    const previous = { ...entry };
    entry.activity = now.getTime();
    entry.seen = now.getTime();
    try {
      await this.upsert(userId, now, now);
    } catch (error) {
      this.written.set(userId, previous);
      throw error;
    }
    this.changed(userId);
  }

  /** An open tab was seen (socket heartbeat without input). */
  async recordSeen(userId: number): Promise<void> {
    const now = this.clock.now();
    const entry = this.entry(userId);
    if (isRecent(entry.seen, now.getTime())) return;
    const previous = { ...entry };
    entry.seen = now.getTime();
    try {
      await this.upsert(userId, null, now);
    } catch (error) {
      this.written.set(userId, previous);
      throw error;
    }
    this.changed(userId);
  }

  /**
   * A tab of the user opened (a bus socket on this instance): counted across instances, and a sign
   * of an open tab. A count left by an instance that stopped without closing its sockets is
   * recognised by the silence since (no heartbeat for the offline threshold) and started again.
   */
  async tabOpened(userId: number): Promise<void> {
    const thresholds = await this.thresholds();
    const now = this.clock.now();
    const entry = this.entry(userId);
    entry.seen = now.getTime();
    const t = this.db.getMetadata(PresenceRecord).tableName;
    const stale = new Date(now.getTime() - thresholds.offlineAfterMs);
    const sql =
      `INSERT INTO ${this.table} (${this.userColumn}, ${this.seenColumn}, ${this.tabsColumn}) VALUES (:userId, :now, 1) ` +
      `ON CONFLICT (${this.userColumn}) DO UPDATE SET ` +
      `${this.tabsColumn} = CASE WHEN ${t}.${this.seenColumn} IS NULL OR ${t}.${this.seenColumn} < :stale THEN 1 ELSE ${t}.${this.tabsColumn} + 1 END, ` +
      `${this.seenColumn} = CASE WHEN ${t}.${this.seenColumn} IS NULL OR ${t}.${this.seenColumn} < excluded.${this.seenColumn} ` +
      `THEN excluded.${this.seenColumn} ELSE ${t}.${this.seenColumn} END`;
    const [query, parameters] = this.db.driver.escapeQueryWithParameters(sql, { userId, now, stale });
    await this.db.query(query, parameters);
    this.changed(userId);
  }

  /** A tab of the user closed; when it was the last one anywhere, the grace for a reload starts. */
  async tabClosed(userId: number): Promise<void> {
    const sql =
      `UPDATE ${this.table} SET ${this.tabsColumn} = CASE WHEN ${this.tabsColumn} > 1 THEN ${this.tabsColumn} - 1 ELSE 0 END, ` +
      `${this.closedColumn} = :now WHERE ${this.userColumn} = :userId`;
    const [query, parameters] = this.db.driver.escapeQueryWithParameters(sql, { userId, now: this.clock.now() });
    await this.db.query(query, parameters);
    this.changed(userId);
  }

  onChange(listener: (userId: number) => void): void {
    this.listeners.push(listener);
  }

  private changed(userId: number): void {
    for (const listener of this.listeners) listener(userId);
  }

  async get(userId: number): Promise<PresenceInfo> {
    const map = await this.getMany([userId]);
    return map.get(userId) as PresenceInfo;
  }

  async getMany(userIds: number[]): Promise<Map<number, PresenceInfo>> {
    const thresholds = await this.thresholds();
    const result = new Map<number, PresenceInfo>();
    const ids = [...new Set(userIds)];
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const row of await this.rows(ids.slice(i, i + CHUNK))) result.set(row.userId, this.info(thresholds, row));
    }
    for (const id of ids) if (!result.has(id)) result.set(id, this.info(thresholds, { userId: id, lastActivityAt: null, lastSeenAt: null, openTabs: 0, tabsClosedAt: null }));
    return result;
  }

  /** Users whose last activity is older than `before`, or who never had any. */
  async inactiveSince(userIds: number[], before: Date): Promise<number[]> {
    const ids = [...new Set(userIds)];
    const active = new Set<number>();
    const repo = this.db.getRepository(PresenceRecord);
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await repo.find({
        select: { userId: true },
        where: { userId: In(ids.slice(i, i + CHUNK)), lastActivityAt: MoreThanOrEqual(before) },
      });
      for (const row of rows) active.add(row.userId);
    }
    return ids.filter((id) => !active.has(id));
  }

  /** Plain SQL, values read as the entity would: every assignment decision asks for one user's presence. */
  private async rows(userIds: number[]): Promise<PresenceRecord[]> {
    const sql =
      `SELECT ${this.userColumn} AS user_id, ${this.activityColumn} AS last_activity_at, ${this.seenColumn} AS last_seen_at, ` +
      `${this.tabsColumn} AS open_tabs, ${this.closedColumn} AS tabs_closed_at FROM ${this.table} WHERE ${this.userColumn} IN (:...userIds)`;
    const [query, parameters] = this.db.driver.escapeQueryWithParameters(sql, { userIds });
    const rows = (await this.db.query(query, parameters)) as Record<string, unknown>[];
    const meta = this.db.getMetadata(PresenceRecord);
    const read = (row: Record<string, unknown>, column: string): unknown => {
      const metadata = meta.findColumnWithDatabaseName(column);
      return metadata ? this.db.driver.prepareHydratedValue(row[column], metadata) : row[column];
    };
    return rows.map((row) => ({
      userId: Number(row.user_id),
      lastActivityAt: read(row, "last_activity_at") as Date | null,
      lastSeenAt: read(row, "last_seen_at") as Date | null,
      openTabs: Number(row.open_tabs ?? 0),
      tabsClosedAt: read(row, "tabs_closed_at") as Date | null,
    }));
  }

  private thresholds(): Promise<PresenceSettings> {
    return typeof this.settings === "function" ? this.settings() : Promise.resolve(this.settings);
  }

  private info(thresholds: PresenceSettings, row: PresenceRecord): PresenceInfo {
    const { userId, lastActivityAt, lastSeenAt } = row;
    return { userId, status: this.status(thresholds, row), lastActivityAt, lastSeenAt };
  }

  private status(thresholds: PresenceSettings, row: PresenceRecord): PresenceStatus {
    const { lastActivityAt, lastSeenAt, openTabs, tabsClosedAt } = row;
    const now = this.clock.now().getTime();
    const activity = lastActivityAt?.getTime() ?? null;
    const latestSign = Math.max(activity ?? -Infinity, lastSeenAt?.getTime() ?? -Infinity);
    if (now - latestSign > thresholds.offlineAfterMs) return "offline";
    // The last tab closed, no sign of another since, and no reload within the grace: gone.
    const closed = tabsClosedAt?.getTime() ?? null;
    if (openTabs === 0 && closed !== null && latestSign <= closed && now - closed > (thresholds.tabGraceMs ?? PRESENCE_TAB_GRACE_MS)) return "offline";
    if (activity === null || now - activity > thresholds.awayAfterMs) return "away";
    return "online";
  }

  private entry(userId: number): Written {
    let entry = this.written.get(userId);
    if (!entry) {
      if (this.written.size >= 50_000) this.forgetOld();
      entry = { activity: null, seen: null };
      this.written.set(userId, entry);
    }
    return entry;
  }

  /** Entries past the throttle window no longer skip anything; dropping them loses nothing. */
  private forgetOld(): void {
    const now = this.clock.now().getTime();
    for (const [id, entry] of this.written) {
      if (!isRecent(entry.activity, now) && !isRecent(entry.seen, now)) this.written.delete(id);
    }
  }

  /**
   * Insert or move the timestamps forward, in one statement that SQLite and PostgreSQL both accept;
   * ON CONFLICT makes concurrent first writes for a user safe, and the CASE keeps a late or
   * clock-skewed write from moving a value backwards.
   */
  private async upsert(userId: number, activity: Date | null, seen: Date): Promise<void> {
    const t = this.db.getMetadata(PresenceRecord).tableName;
    const forward = (column: string) =>
      `${column} = CASE WHEN ${t}.${column} IS NULL OR ${t}.${column} < excluded.${column} ` +
      `THEN excluded.${column} ELSE ${t}.${column} END`;
    const sets = [forward(this.seenColumn)];
    if (activity) sets.unshift(forward(this.activityColumn));
    const sql =
      `INSERT INTO ${this.table} (${this.userColumn}, ${this.activityColumn}, ${this.seenColumn}) ` +
      `VALUES (:userId, :activity, :seen) ON CONFLICT (${this.userColumn}) DO UPDATE SET ${sets.join(", ")}`;
    // The driver turns named parameters into its own placeholders and dates into its stored format.
    const [query, parameters] = this.db.driver.escapeQueryWithParameters(sql, { userId, activity, seen });
    await this.db.query(query, parameters);
  }
}

function isRecent(writtenAt: number | null, now: number): boolean {
  return writtenAt !== null && now >= writtenAt && now - writtenAt < PRESENCE_WRITE_THROTTLE_MS;
}
