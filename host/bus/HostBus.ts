import { createHash } from "node:crypto";
import { Client } from "pg";
import {
  Between,
  In,
  LessThan,
  MoreThan,
  type DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from "typeorm";
import {
  busAddress,
  type Bus,
  type BusNotification,
  type BusSignal,
  type Clock,
  type HostUser,
  type Logger,
  type PublishedNotification,
  type VisitorAuthorizer,
} from "../contract";
import type { DatabaseTarget } from "../database";
import { BusNotificationRecord } from "../models/BusNotificationRecord";
import { notificationFromText } from "./notificationText";
import type { DurableCommits } from "../durableCommits";
import { sqliteTransactionsOf } from "../sqliteTransactions";

/** A notification as `storeStatement` stored it: its id, address, payload text and time (ISO). */
export interface StoredNotification {
  id: number;
  channel: string;
  type: string;
  text: string;
  createdAt: string;
}

export interface HostBusOptions {
  /** First delay before reconnecting a dropped PostgreSQL listener; doubles up to `reconnectMaxMs`. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

/** `skip`: the socket that already has what the notification carries (see `HostBus.skipFor`). */
type Listener = (notification: BusNotification, skip: object | undefined) => void;
type SignalListener = (signal: BusSignal) => void;
/** Adds channels a logged-in user's socket listens to besides their own. */
export type UserChannelProvider = (user: HostUser) => Promise<string[]>;

interface Pending {
  /** Transaction depth when published: a savepoint rolled back drops only what it contained. */
  depth: number;
  notification: BusNotification;
}

const CHANNEL_MAX = 128;
const TYPE_MAX = 64;
const PAGE = 500;
/** A signal travels whole in a NOTIFY payload (PostgreSQL's limit is 8000 bytes). */
const SIGNAL_MAX_BYTES = 4000;
/**
 * NOTIFY payloads of signals start with this; those of stored notifications with `WHOLE_PREFIX` when
 * they carry the whole notification, else they are its id, digits only.
 */
const SIGNAL_PREFIX = "s";
const WHOLE_PREFIX = "n";
/** PostgreSQL's limit on a NOTIFY payload: it must be shorter than this. */
const NOTIFY_MAX_BYTES = 8000;
/** Old notifications deleted per statement, and statements per pruning run. */
const PRUNE_BATCH = 5000;
const PRUNE_MAX_BATCHES = 20;
/**
 * After a listener reconnect, ids this far below the last delivered one are looked at again: a
 * transaction that took its id early but committed late (while the listener was down) would
 * otherwise be skipped. Ids already delivered are recognised and not delivered twice.
 */
const LATE_COMMIT_WINDOW = 1000;
/**
 * Notifications remembered at most for the socket they skip: noted before their commit, so one whose
 * transaction was rolled back never comes, and is forgotten in turn.
 */
const SKIPS_REMEMBERED = 10_000;

/**
 * The notification bus. A notification is stored first, then delivered to this instance's listeners
 * once the transaction that stored it commits; on PostgreSQL every instance (the publisher included)
 * learns about it through LISTEN/NOTIFY, so all instances deliver the same way.
 */
export class HostBus implements Bus {
  private readonly listeners = new Set<Listener>();
  private readonly signalListeners = new Set<SignalListener>();
  private readonly visitorAuthorizers: VisitorAuthorizer[] = [];
  private readonly userChannelProviders: UserChannelProvider[] = [];
  /** SQLite: notifications waiting for their transaction to commit, per query runner. */
  private readonly pending = new Map<QueryRunner, Pending[]>();
  private readonly subscriber: EntitySubscriberInterface;
  private readonly delivered = new RecentIds(20_000);
  /** Notifications stored here, not yet delivered, that a socket already has (see `skipFor`). */
  private readonly skips = new Map<number, object>();
  /** On a SQLite file, what a commit waits for before its notifications are delivered (the log's flush). */
  private readonly durability: DurableCommits | null;
  /** The order ids were delivered in here: commit order (PostgreSQL sends NOTIFY in commit order). */
  private readonly deliveryOrder = new DeliveryOrder(20_000);
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;
  private readonly pgChannel: string | null;

  private listener: Client | null = null;
  private started = false;
  private stopping = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempts = 0;
  private lastDeliveredId = 0;
  /**
   * Ids up to this one may have been delivered here out of commit order (read by id while catching up
   * after the listener was cut off): for them `committedLate` re-reads the window instead of trusting
   * the recorded order. Unbounded while the listener is down or catching up.
   */
  private orderUnknownUpTo = 0;
  /** Notifications announced by NOTIFY, in order; those announced by id only are loaded together. */
  private toLoad: { id: number; whole: BusNotification | null }[] = [];
  private loading: Promise<void> | null = null;
  /**
   * Pending from the loss of the listener until the catch-up after its return: what NOTIFY announces
   * meanwhile waits, so nothing committed later is delivered before what the catch-up reads.
   */
  private catchingUp: { done: Promise<void>; resolve: () => void } | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly target: DatabaseTarget,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: HostBusOptions = {},
  ) {
    this.reconnectMinMs = options.reconnectMinMs ?? 500;
    this.reconnectMaxMs = options.reconnectMaxMs ?? 30_000;
    this.pgChannel = target.kind === "postgres" ? listenChannelFor(target.schema) : null;
    this.durability = target.kind === "sqlite" ? sqliteTransactionsOf(db).durability : null;
    this.subscriber = {
      afterTransactionCommit: (event: TransactionCommitEvent) => this.settle(event.queryRunner, "commit"),
      afterTransactionRollback: (event: TransactionRollbackEvent) => this.settle(event.queryRunner, "rollback"),
    };
  }

  /** The PostgreSQL NOTIFY channel this bus uses (null on SQLite). */
  get notifyChannel(): string | null {
    return this.pgChannel;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    if (this.target.kind === "sqlite") {
      this.ensureSubscriber();
      return;
    }
    try {
      await this.connectListener();
      // Read after LISTEN is on: anything committed later is announced, anything earlier is history.
      this.lastDeliveredId = Math.max(this.lastDeliveredId, await this.lastId());
    } catch (error) {
      this.started = false;
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.started = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const client = this.listener;
    this.listener = null;
    if (client) await client.end().catch(() => undefined);
    this.caughtUp();
    await this.loading?.catch(() => undefined);
    const index = this.db.subscribers.indexOf(this.subscriber);
    if (index >= 0) this.db.subscribers.splice(index, 1);
    this.pending.clear();
  }

  async publish<P>(channel: string, type: string, payload: P, manager?: EntityManager): Promise<number> {
    checkAddress(channel, type);
    const text = JSON.stringify(payload) ?? "null";
    const createdAt = this.clock.now();
    const em = manager ?? this.db.manager;
    if (this.target.kind === "postgres") {
      // Stored and announced in one statement; the announcement goes out when the transaction commits.
      const store = this.storeStatement([{ channel, type, payload }], createdAt);
      return storedId((await em.query(store.sql, store.parameters)) as { id: number | string }[]);
    }
    // One statement text for every notification (prepared once), and no query building on this hot path.
    const [sql, parameters] = em.connection.driver.escapeQueryWithParameters(
      "INSERT INTO host_bus_notification (channel, type, payload, created_at) VALUES (:channel, :type, :payload, :createdAt) RETURNING id",
      { channel, type, payload: text, createdAt },
    );
    const id = storedId((await em.query(sql, parameters)) as { id: number | string }[]);

    this.deliverOnCommit([notificationFromText(id, channel, type, text, createdAt.toISOString())], manager);
    return id;
  }

  async publishAll(notifications: PublishedNotification[], manager?: EntityManager): Promise<number[]> {
    if (notifications.length === 0) return [];
    if (notifications.length === 1) {
      const [{ channel, type, payload }] = notifications;
      return [await this.publish(channel, type, payload, manager)];
    }
    const createdAt = this.clock.now();
    const em = manager ?? this.db.manager;
    const store = this.storeStatement(notifications, createdAt);
    const stored = async (sql: string, parameters: unknown[]) =>
      // Ids are taken in the order of the rows: sorted, they match the notifications in order.
      ((await em.query(sql, parameters)) as { id: number | string }[]).map((row) => storedId([row])).sort((a, b) => a - b);
    if (this.target.kind === "postgres") return stored(store.sql, store.parameters);
    // Named parameters, so the driver binds them (dates included) as it does for `publish`.
    const named = Object.fromEntries(store.parameters.map((value, i) => [`p${i + 1}`, value]));
    const ids = await stored(...em.connection.driver.escapeQueryWithParameters(store.sql.replace(/\$(\d+)/g, ":p$1"), named));
    const at = createdAt.toISOString();
    this.deliverOnCommit(
      notifications.map(({ channel, type }, i) => notificationFromText(ids[i], channel, type, store.texts[i], at)),
      manager,
    );
    return ids;
  }

  /**
   * SQLite: notifications just stored, delivered now, or held until the transaction they were stored
   * in commits (dropped if it rolls back). SQLite has a single connection: even a publish without a
   * manager lands in whatever transaction is open on it, so that transaction decides whether the
   * notifications ever existed.
   */
  private deliverOnCommit(notifications: BusNotification[], manager?: EntityManager): void {
    const runner = manager?.queryRunner ?? this.db.driver.createQueryRunner("master");
    if (!runner.isTransactionActive) {
      this.deliver(notifications);
      return;
    }
    this.ensureSubscriber();
    const pending = this.pending.get(runner) ?? [];
    const depth = transactionDepth(runner);
    for (const notification of notifications) pending.push({ depth, notification });
    this.pending.set(runner, pending);
  }

  async signal<P>(channel: string, type: string, payload: P): Promise<void> {
    checkAddress(channel, type);
    const text = JSON.stringify({ channel, type, payload: payload ?? null });
    if (Buffer.byteLength(text) > SIGNAL_MAX_BYTES) throw new Error(`Bus signal must be at most ${SIGNAL_MAX_BYTES} bytes as JSON`);
    if (this.target.kind === "postgres") {
      // Outside any transaction, so sent at once; every instance (this one included) hears it through LISTEN.
      await this.db.query("SELECT pg_notify($1, $2)", [this.pgChannel, SIGNAL_PREFIX + text]);
      return;
    }
    this.deliverSignal(JSON.parse(text) as BusSignal);
  }

  /** Listens to signals (`signal`), which are never stored: what is not heard when sent is gone. */
  onSignal(listener: SignalListener): () => void {
    this.signalListeners.add(listener);
    return () => {
      this.signalListeners.delete(listener);
    };
  }

  /**
   * The statement that stores `notifications` at once (one row each) and returns their ids, in
   * `$1`-style placeholders, for writes that run their own SQL (see GroupedWrites). On PostgreSQL it
   * also announces the rows to every instance when its transaction commits, one NOTIFY for the rows
   * that share a payload (a message to a conversation and to its operator): their addresses and the
   * payload once when that fits in a NOTIFY payload (so no instance reads them back), else their ids.
   */
  storeStatement(notifications: PublishedNotification[], createdAt: Date): { sql: string; parameters: unknown[]; texts: string[] } {
    const parameters: unknown[] = [];
    const texts: string[] = [];
    let previous: { payload: unknown; text: string } | null = null;
    const rows = notifications.map(({ channel, type, payload }) => {
      checkAddress(channel, type);
      // One payload sent to several channels is serialised once.
      const text = previous !== null && previous.payload === payload ? previous.text : (JSON.stringify(payload) ?? "null");
      previous = { payload, text };
      texts.push(text);
      const n = parameters.push(channel, type, text, createdAt);
      return `($${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    const insert = `INSERT INTO host_bus_notification (channel, type, payload, created_at) VALUES ${rows.join(", ")}`;
    if (!this.pgChannel) return { sql: `${insert} RETURNING id`, parameters, texts };
    const channel = parameters.push(this.pgChannel);
    const at = parameters.push(createdAt.toISOString());
    // The announcement: "n", the addresses of the rows sharing a payload as a JSON array (one line:
    // json_build_object escapes line breaks), a line break, the payload; else their ids, with commas.
    const address = `json_build_object('id', id, 'channel', channel, 'type', type, 'createdAt', $${at}::text)::text`;
    const whole = `'${WHOLE_PREFIX}[' || string_agg(${address}, ',' ORDER BY id) || E']\\n' || payload`;
    return {
      sql:
        `WITH stored AS (${insert} RETURNING id, channel, type, payload), ` +
        `shared AS (SELECT array_agg(id ORDER BY id) AS ids, ${whole} AS whole FROM stored GROUP BY payload), ` +
        // Materialised, so each NOTIFY is sent once, whatever the rows its ids make below.
        `announced AS MATERIALIZED (SELECT ids, pg_notify($${channel}, CASE WHEN octet_length(whole) < ${NOTIFY_MAX_BYTES} THEN whole ELSE array_to_string(ids, ',') END) AS sent ` +
        `FROM shared ORDER BY ids[1]) ` +
        `SELECT unnest(ids) AS id, sent FROM announced`,
      parameters,
      texts,
    };
  }

  /**
   * Notifications stored by a transaction that has now committed (with `storeStatement`): delivered
   * here on SQLite. On PostgreSQL every instance, this one included, hears them through LISTEN, so
   * nothing is made of them here.
   */
  committed(stored: StoredNotification[]): void {
    if (this.target.kind !== "sqlite") return;
    this.deliver(stored.map(({ id, channel, type, text, createdAt }) => notificationFromText(id, channel, type, text, createdAt)));
  }

  /**
   * Notification `id`, stored and not yet committed, is not to be sent to `socket`, which reads what
   * it carries in an answer (`inAnswer`). Noted before the COMMIT: on PostgreSQL, LISTEN may bring the
   * notification before the COMMIT's answer.
   */
  skipFor(id: number, socket: object): void {
    this.skips.set(id, socket);
    if (this.skips.size > SKIPS_REMEMBERED) this.skips.delete(this.skips.keys().next().value as number);
  }

  onNotification(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  authorizeVisitors(authorizer: VisitorAuthorizer): void {
    this.visitorAuthorizers.push(authorizer);
  }

  addUserChannels(provider: UserChannelProvider): void {
    this.userChannelProviders.push(provider);
  }

  /** `user:<id>` plus every provider's channels. A failing provider is logged and skipped. */
  async channelsForUser(user: HostUser): Promise<string[]> {
    const channels = new Set<string>([busAddress.user(user.id)]);
    for (const provider of this.userChannelProviders) {
      try {
        for (const channel of await provider(user)) channels.add(channel);
      } catch (error) {
        this.logger.error("bus: user channel provider failed", { userId: user.id, error });
      }
    }
    return [...channels];
  }

  /** The union of what the authorizers grant, or null when none accepts the token. */
  async channelsForVisitorToken(token: string): Promise<string[] | null> {
    let channels: Set<string> | null = null;
    for (const authorizer of this.visitorAuthorizers) {
      let granted: string[] | null = null;
      try {
        granted = await authorizer(token);
      } catch (error) {
        this.logger.error("bus: visitor authorizer failed", { error });
      }
      if (granted === null) continue;
      channels ??= new Set<string>();
      for (const channel of granted) channels.add(channel);
    }
    return channels ? [...channels] : null;
  }

  /** Notifications on `channels` with an id above `lastId`, oldest first. */
  async since(channels: string[], lastId: number, limit = PAGE): Promise<BusNotification[]> {
    if (channels.length === 0 || limit <= 0) return [];
    const rows = await this.db.getRepository(BusNotificationRecord).find({
      where: { channel: In(channels), id: MoreThan(lastId) },
      order: { id: "ASC" },
      take: limit,
    });
    return rows.map(toNotification);
  }

  /**
   * Notifications on `channels` stored below `lastId` but committed after it: what a client that saw
   * `lastId` may have missed, because ids are taken at insert and transactions commit in another
   * order. Known from the order this instance delivered ids in; when `lastId` is older than what it
   * remembers (it started later, or `lastId` is long past), the `LATE_COMMIT_WINDOW` ids below it are
   * read again (a client may then get some twice: they carry their ids).
   */
  async committedLate(channels: string[], lastId: number): Promise<BusNotification[]> {
    // SQLite has one writer at a time, which holds its lock from the id it takes to its commit: ids
    // are in commit order there, and nothing below a client's id can come later.
    if (this.target.kind === "sqlite" || channels.length === 0 || lastId <= 0) return [];
    const repo = this.db.getRepository(BusNotificationRecord);
    // A client ahead of this instance (it saw `lastId` elsewhere first) may have missed ids this
    // instance delivered before it connected: the order is unknown here, so the window is re-read.
    const late = lastId > this.lastDeliveredId || lastId <= this.orderUnknownUpTo ? null : this.deliveryOrder.lateAfter(lastId);
    if (late !== null && late.length === 0) return [];
    const rows: BusNotificationRecord[] = [];
    if (late === null) {
      rows.push(...(await repo.find({ where: { channel: In(channels), id: Between(Math.max(1, lastId - LATE_COMMIT_WINDOW), lastId - 1) }, order: { id: "ASC" } })));
    } else {
      for (let i = 0; i < late.length; i += PAGE) rows.push(...(await repo.findBy({ channel: In(channels), id: In(late.slice(i, i + PAGE)) })));
    }
    return rows.sort((a, b) => a.id - b.id).map(toNotification);
  }

  /**
   * The last id a client catching up here may be told it saw: every notification committed before it
   * has been delivered here. On PostgreSQL that is the highest id delivered, not the highest stored: a
   * smaller id that committed during the client's catch-up may not be delivered here yet, and a client
   * told the stored one would skip it on reconnect (committedLate counts it as committed before).
   */
  async deliveredUpTo(): Promise<number> {
    return this.target.kind === "postgres" ? this.lastDeliveredId : this.lastId();
  }

  /** The highest id stored so far (0 when there is none). */
  async lastId(): Promise<number> {
    const row = await this.db
      .getRepository(BusNotificationRecord)
      .createQueryBuilder("n")
      .select("MAX(n.id)", "max")
      .getRawOne<{ max: number | string | null }>();
    return row?.max == null ? 0 : Number(row.max);
  }

  /**
   * Deletes notifications created before `olderThan`, oldest first, `batch` rows per statement and at
   * most `maxBatches` statements (so one run's work is bounded; the next run goes on). Returns how many.
   */
  async prune(olderThan: Date, { batch = PRUNE_BATCH, maxBatches = PRUNE_MAX_BATCHES }: { batch?: number; maxBatches?: number } = {}): Promise<number> {
    const repo = this.db.getRepository(BusNotificationRecord);
    let deleted = 0;
    for (let round = 0; round < maxBatches; round++) {
      const rows = await repo.find({ select: { id: true }, where: { createdAt: LessThan(olderThan) }, order: { createdAt: "ASC", id: "ASC" }, take: batch });
      if (rows.length === 0) break;
      const result = await repo.delete({ id: In(rows.map((r) => r.id)) });
      deleted += result.affected ?? rows.length;
      if (rows.length < batch) break;
    }
    return deleted;
  }

  // ---- delivery -------------------------------------------------------------------------------

  /**
   * `inCommitOrder` is false for what a catch-up read by id: its commit order is unknown, so it is
   * not remembered as such and `committedLate` falls back to re-reading a window for it.
   */
  private deliver(notifications: BusNotification[], inCommitOrder = true): void {
    for (const notification of notifications) {
      if (this.delivered.has(notification.id)) continue;
      this.delivered.add(notification.id);
      if (inCommitOrder) this.deliveryOrder.add(notification.id);
      if (notification.id > this.lastDeliveredId) this.lastDeliveredId = notification.id;
      const skip = this.skips.get(notification.id);
      if (skip !== undefined) this.skips.delete(notification.id);
      for (const listener of [...this.listeners]) {
        try {
          listener(notification, skip);
        } catch (error) {
          this.logger.error("bus: notification listener failed", { id: notification.id, error });
        }
      }
    }
  }

  private deliverSignal(signal: BusSignal): void {
    for (const listener of [...this.signalListeners]) {
      try {
        listener(signal);
      } catch (error) {
        this.logger.error("bus: signal listener failed", { type: signal.type, error });
      }
    }
  }

  /** A signal as another instance (or this one) sent it through NOTIFY; anything malformed is dropped. */
  private receiveSignal(text: string): void {
    let signal: unknown;
    try {
      signal = JSON.parse(text);
    } catch {
      return;
    }
    if (!isSignal(signal)) return;
    this.deliverSignal({ channel: signal.channel, type: signal.type, payload: signal.payload });
  }

  /** Subscribers are read from the DataSource at each broadcast, and replaced when it initialises. */
  private ensureSubscriber(): void {
    if (!this.db.subscribers.includes(this.subscriber)) this.db.subscribers.push(this.subscriber);
  }

  private settle(runner: QueryRunner | undefined, outcome: "commit" | "rollback"): void {
    if (!runner) return;
    const list = this.pending.get(runner);
    if (!list) return;
    const depth = runner.isTransactionActive ? transactionDepth(runner) : 0;
    let kept: Pending[];
    if (outcome === "rollback") {
      kept = list.filter((p) => p.depth <= depth);
    } else {
      // A released savepoint hands its notifications to the enclosing transaction.
      kept = list.map((p) => (p.depth > depth ? { ...p, depth } : p));
    }
    if (depth > 0) {
      this.pending.set(runner, kept);
      return;
    }
    this.pending.delete(runner);
    if (outcome !== "commit") return;
    const notifications = kept.map((p) => p.notification);
    const durability = this.durability;
    if (durability === null) return this.deliver(notifications);
    // Nobody is told of a commit before it is on the disk, as its writer is not.
    durability.durable().then(
      () => this.deliver(notifications),
      (error: unknown) => this.logger.error("Notifications not delivered: their commit may not be on the disk", { error }),
    );
  }

  // ---- PostgreSQL listener --------------------------------------------------------------------

  private async connectListener(): Promise<void> {
    if (this.target.kind !== "postgres" || !this.pgChannel) return;
    const client = new Client({ connectionString: this.target.url, application_name: "host_bus_listener" });
    client.on("error", (error) => this.listenerLost(client, error));
    client.on("end", () => this.listenerLost(client, null));
    client.on("notification", (message) => {
      if (message.channel !== this.pgChannel) return;
      if (message.payload?.startsWith(SIGNAL_PREFIX)) return this.receiveSignal(message.payload.slice(SIGNAL_PREFIX.length));
      if (message.payload?.startsWith(WHOLE_PREFIX)) {
        for (const whole of announced(message.payload.slice(WHOLE_PREFIX.length))) this.queueLoad(whole.id, whole);
        return;
      }
      for (const part of message.payload?.split(",") ?? []) {
        const id = Number(part);
        if (Number.isSafeInteger(id) && id > 0) this.queueLoad(id);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.pgChannel}"`);
    } catch (error) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopping) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
  }

  private listenerLost(client: Client, error: Error | null): void {
    if (this.listener !== client || this.stopping) return;
    this.listener = null;
    this.logger.warn("bus: PostgreSQL listener connection lost; reconnecting", { error: error ?? undefined });
    // What commits until the listener is back is read by id, not in commit order.
    this.orderUnknownUpTo = Number.MAX_SAFE_INTEGER;
    this.deliveryOrder.clear();
    if (!this.catchingUp) {
      let resolve = () => {};
      const done = new Promise<void>((r) => (resolve = r));
      this.catchingUp = { done, resolve };
    }
    client.removeAllListeners("end");
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.reconnectTimer) return;
    const delay = Math.round(this.backoffMs(this.reconnectAttempts) * (0.5 + Math.random() / 2));
    this.reconnectAttempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.reconnect();
    }, delay);
    this.reconnectTimer.unref();
  }

  /** The wait before retry number `attempt` (from 0) of something that failed: doubling, up to `reconnectMaxMs`. */
  private backoffMs(attempt: number): number {
    return Math.min(this.reconnectMaxMs, this.reconnectMinMs * 2 ** attempt);
  }

  private async reconnect(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.connectListener();
    } catch (error) {
      this.logger.warn("bus: PostgreSQL listener reconnect failed", { error, attempt: this.reconnectAttempts });
      this.scheduleReconnect();
      return;
    }
    const client = this.listener;
    let cursor: number;
    try {
      cursor = await this.catchUp();
    } catch (error) {
      // Without the catch-up this instance would never deliver what it missed: start over.
      this.logger.warn("bus: catch-up after reconnect failed; reconnecting", { error, attempt: this.reconnectAttempts });
      if (this.listener) this.listenerLost(this.listener, error instanceof Error ? error : null);
      return;
    }
    // Lost again during the catch-up: the next one decides.
    if (this.stopping || client === null || this.listener !== client) return;
    // An id above the last one read committed after that read, so after every id read: the recorded
    // order is trusted again above it.
    this.orderUnknownUpTo = Math.max(cursor, this.lastDeliveredId);
    this.caughtUp();
    this.reconnectAttempts = 0;
    this.logger.info("bus: PostgreSQL listener reconnected");
  }

  /**
   * Delivers what was committed while the listener was away (LISTEN is already back on); returns the
   * highest id read. All pages read one snapshot, in id order, so a client given an id from it has been
   * given every smaller id committed before it; pages read at different moments would not ensure that
   * (a smaller id committing between two pages would come after larger ones of the second).
   */
  private async catchUp(): Promise<number> {
    let cursor = Math.max(0, this.lastDeliveredId - LATE_COMMIT_WINDOW);
    await this.db.transaction("REPEATABLE READ", async (manager) => {
      const repo = manager.getRepository(BusNotificationRecord);
      for (;;) {
        const rows = await repo.find({ where: { id: MoreThan(cursor) }, order: { id: "ASC" }, take: PAGE });
        if (this.stopping) return;
        this.deliver(rows.map(toNotification), false);
        if (rows.length > 0) cursor = rows[rows.length - 1].id;
        if (rows.length < PAGE) return;
      }
    });
    return cursor;
  }

  /** Lets what NOTIFY announced during a catch-up be delivered. */
  private caughtUp(): void {
    this.catchingUp?.resolve();
    this.catchingUp = null;
  }

  /**
   * Announced notifications are delivered in the order NOTIFY brought them (commit order), after the
   * catch-up when one is under way; those announced by id only are read first, together, so a burst
   * costs one query.
   */
  private queueLoad(id: number, whole: BusNotification | null = null): void {
    if (whole && this.toLoad.length === 0 && !this.loading && !this.catchingUp) return this.deliver([whole]);
    this.toLoad.push({ id, whole });
    this.loading ??= this.drainLoads();
  }

  private async drainLoads(): Promise<void> {
    try {
      // Let a burst of notifications accumulate before querying.
      await new Promise<void>((resolve) => setImmediate(resolve));
      let failures = 0;
      while (this.toLoad.length > 0 && !this.stopping) {
        // Announced after the listener came back, these committed after what the catch-up reads.
        if (this.catchingUp) {
          await this.catchingUp.done;
          continue;
        }
        const batch = this.toLoad.splice(0, PAGE);
        try {
          const ids = batch.filter((entry) => !entry.whole).map((entry) => entry.id);
          const rows = ids.length ? await this.db.getRepository(BusNotificationRecord).findBy({ id: In(ids) }) : [];
          const byId = new Map(rows.map((row) => [Number(row.id), toNotification(row)]));
          const found = batch.map((entry) => entry.whole ?? byId.get(entry.id)).filter((n): n is BusNotification => n !== undefined);
          if (!this.stopping) this.deliver(found);
          failures = 0;
        } catch (error) {
          // A lost database connection must not lose the notifications: they are loaded again.
          this.toLoad.unshift(...batch);
          failures += 1;
          this.logger.warn("bus: loading notified rows failed; retrying", { error, count: batch.length, attempt: failures });
          await new Promise<void>((resolve) => setTimeout(resolve, this.backoffMs(failures)));
        }
      }
    } finally {
      // No await between the last emptiness check and here, so no id can be left behind.
      this.loading = null;
    }
  }
}

function storedId(rows: { id: number | string }[]): number {
  const id = Number(rows[0]?.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error("Bus notification was stored without an id");
  return id;
}

/**
 * The whole notifications `storeStatement` announced together: their addresses (an array, or one
 * object), a line break, the payload they share. Nothing when the addresses are malformed; the
 * payload is the text the rows were stored with (JSON.stringify's), parsed only if read.
 */
function announced(text: string): BusNotification[] {
  const newline = text.indexOf("\n");
  if (newline < 0) return [];
  try {
    const head = JSON.parse(text.slice(0, newline)) as unknown;
    const payload = text.slice(newline + 1);
    const notifications: BusNotification[] = [];
    for (const address of Array.isArray(head) ? head : [head]) {
      const { id, channel, type, createdAt } = (address ?? {}) as { id?: unknown; channel?: unknown; type?: unknown; createdAt?: unknown };
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0 || typeof channel !== "string" || typeof type !== "string" || typeof createdAt !== "string") return [];
      notifications.push(notificationFromText(id, channel, type, payload, createdAt));
    }
    return notifications;
  } catch {
    return [];
  }
}

function checkAddress(channel: string, type: string): void {
  if (!channel || channel.length > CHANNEL_MAX) throw new Error(`Bus channel must be 1..${CHANNEL_MAX} characters`);
  if (!type || type.length > TYPE_MAX) throw new Error(`Bus notification type must be 1..${TYPE_MAX} characters`);
}

function isSignal(value: unknown): value is BusSignal {
  if (typeof value !== "object" || value === null) return false;
  const { channel, type } = value as Record<string, unknown>;
  return typeof channel === "string" && typeof type === "string" && "payload" in value;
}

function toNotification(row: BusNotificationRecord): BusNotification {
  const createdAt = row.createdAt.toISOString();
  try {
    const notification = notificationFromText(Number(row.id), row.channel, row.type, row.payload, createdAt);
    // Read now: a payload the table holds broken goes out as null, not as text no client can parse.
    void notification.payload;
    return notification;
  } catch {
    return { id: Number(row.id), channel: row.channel, type: row.type, payload: null, createdAt };
  }
}

/** Nesting level of the runner's transaction; typeorm keeps it protected, so it is read structurally. */
function transactionDepth(runner: QueryRunner): number {
  const depth = (runner as unknown as { transactionDepth?: unknown }).transactionDepth;
  return typeof depth === "number" ? depth : runner.isTransactionActive ? 1 : 0;
}

/**
 * One NOTIFY channel per schema, so hosts sharing a database but not a schema never hear each other.
 * PostgreSQL identifiers stop at 63 bytes; longer names are shortened with a hash to stay distinct.
 */
export function listenChannelFor(schema: string): string {
  const name = `host_bus_${schema}`;
  if (name.length <= 63) return name;
  const hash = createHash("sha256").update(schema).digest("hex").slice(0, 12);
  return `host_bus_${schema.slice(0, 63 - "host_bus_".length - 13)}_${hash}`;
}

/**
 * The order ids were added in, the latest `capacity` of them. A ring: every notification delivered
 * is added here, so forgetting the oldest must not move the others.
 */
export class DeliveryOrder {
  private readonly ring: number[] = [];
  /** Each remembered id's place in the order (its ring slot is that modulo `capacity`). */
  private readonly sequence = new Map<number, number>();
  private added = 0;

  constructor(private readonly capacity: number) {}

  add(id: number): void {
    if (this.capacity <= 0 || this.sequence.has(id)) return;
    const slot = this.added % this.capacity;
    if (this.added >= this.capacity) this.sequence.delete(this.ring[slot]);
    this.ring[slot] = id;
    this.sequence.set(id, this.added++);
  }

  clear(): void {
    this.ring.length = 0;
    this.sequence.clear();
    this.added = 0;
  }

  /** Ids added after `id` that are smaller than it; null when `id` is not remembered. */
  lateAfter(id: number): number[] | null {
    const at = this.sequence.get(id);
    if (at === undefined) return null;
    const late: number[] = [];
    for (let i = at + 1; i < this.added; i++) {
      const other = this.ring[i % this.capacity];
      if (other < id) late.push(other);
    }
    return late;
  }
}

/**
 * A bounded set of the most recently added ids (oldest forgotten first). The oldest is found in a
 * ring, not by iterating the set: a set emptied from its front keeps the removed entries' places
 * until it is rebuilt, and iterating skips all of them.
 */
export class RecentIds {
  private readonly ids = new Set<number>();
  private readonly ring: number[] = [];
  /** The ring slot of the oldest id once the ring is full. */
  private oldest = 0;

  constructor(private readonly capacity: number) {}

  has(id: number): boolean {
    return this.ids.has(id);
  }

  add(id: number): void {
    if (this.capacity <= 0 || this.ids.has(id)) return;
    if (this.ring.length < this.capacity) {
      this.ring.push(id);
    } else {
      this.ids.delete(this.ring[this.oldest]);
      this.ring[this.oldest] = id;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
    this.ids.add(id);
  }
}
