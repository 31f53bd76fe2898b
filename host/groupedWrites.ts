import { performance } from "node:perf_hooks";
import type { Database, Statement } from "better-sqlite3";
import { Pool } from "pg";
import type { DataSource } from "typeorm";
import type { Clock, GroupedWrites, Logger, SqlRow, WriteTransaction } from "./contract";
import { POOL_WAIT_MS, sqliteValue, type DatabaseTarget } from "./database";
import type { HostBus, StoredNotification } from "./bus/HostBus";
import { socketOrigin } from "./bus/socketOrigin";
import type { DurableCommits } from "./durableCommits";
import { sqliteTransactionsOf, type SqliteTransactions } from "./sqliteTransactions";

/** Grouped writes as the host holds them: how long a write arriving now would wait, and closed when it stops. */
export interface HostGroupedWrites extends GroupedWrites {
  readonly expectedWaitMs: number;
  close(): Promise<void>;
}

/** The host's `GroupedWrites` for its database; `windowMs` is the PostgreSQL window (see GroupCommit). */
export function createGroupedWrites(db: DataSource, target: DatabaseTarget, bus: HostBus, clock: Clock, logger: Logger, windowMs = DEFAULT_GROUP_WINDOW_MS): HostGroupedWrites {
  return target.kind === "sqlite"
    ? new GroupCommit(new SqliteStatements(db), bus, clock, 0, MAX_GROUP.sqlite)
    : new GroupCommit(new PostgresStatements(target, logger), bus, clock, windowMs, MAX_GROUP.postgres);
}

/**
 * On PostgreSQL, how long a write arriving while writes come often waits for others to share its
 * group: a group costs round trips and wake-ups of the server whatever its size, so at a few hundred
 * posts a second, groups of two or three instead of one cost about a tenth less CPU per post.
 */
export const DEFAULT_GROUP_WINDOW_MS = 2;

type Query = (sql: string, parameters: unknown[]) => Promise<SqlRow[]>;
/** Statements without parameters, several at once separated by `;` (transaction control). */
type Control = (sql: string) => Promise<void>;

/**
 * Writes in one group at most. On SQLite a group runs in one go, answers and deliveries included,
 * without giving the event loop a turn: past a couple of dozen writes a bigger group saves little
 * (the commit is already shared) but holds up every other request, refusals of an overloaded server
 * included. At twice the capacity, groups of 24 instead of 64 stored as much, with the event loop's
 * lag a third lower and the refusals' p99 about halved; the wait estimate (`expectedWaitMs`) then
 * refuses a few posts near the saturation rate. On PostgreSQL a group waits on the network between
 * its statements, and other requests are served meanwhile.
 */
const MAX_GROUP = { sqlite: 24, postgres: 64 } as const;

/** The weight of the latest group's cycle in its moving average: about the last ten groups count. */
const CYCLE_WEIGHT = 0.2;

/** Where a group's transaction runs: one transaction, its turn among the others, with a way to query inside it. */
interface Transactions {
  /**
   * Whether a group's writes run together, each one's statements sent without waiting for the
   * others' answers (so a group costs a write's round trips, not the sum of them).
   */
  readonly together: boolean;
  /**
   * Runs `work` in one transaction, then commits. `settle` waits for what `work` sent without
   * waiting for it, and throws if any of it failed: the COMMIT may leave before it answers (it then
   * turns into a rollback), so a group's last statements and its COMMIT share a round trip.
   */
  transaction<T>(work: (query: Query, control: Control) => Promise<T>, settle: (value: T) => Promise<void>): Promise<T>;
  /** What a commit waits for before it is acknowledged, when the database does not wait itself (SQLite's log flush). */
  readonly durability: DurableCommits | null;
  close(): Promise<void>;
}

/** Thrown inside a group's transaction, run together, when one of its writes failed. */
const ONE_BY_ONE = Symbol("run the group one write at a time");

interface Waiting {
  work: (tx: WriteTransaction) => Promise<unknown>;
  /** When it arrived (performance.now()). */
  since: number;
  /** The bus socket whose call made it, if any: it is not sent the notifications marked `inAnswer`. */
  origin: object | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A write's statements that its work left unawaited: they still belong to it. */
type Sent = Promise<unknown>[];

type Outcome = { waiting: Waiting; value: unknown; notifications: StoredNotification[]; sent: Sent } | { waiting: Waiting; error: unknown };

/**
 * Group commit. Writes that arrive while the previous group's transaction runs (or within the same
 * turn of the event loop, or on PostgreSQL within the window while writes come often) form the next
 * group (up to `maxGroup`): one BEGIN, one COMMIT, one sync of the log for all of them, and groups
 * run one after the other. On SQLite a group's writes run one
 * after the other, each in a savepoint, so a failing one is rolled back alone. On PostgreSQL they
 * run together, their statements pipelined on one connection: each write's statements go out in the
 * order it makes them, and writes that make the same statements make them in the order they came;
 * if one fails, the group is rolled back and run again one write after the other, each in a
 * savepoint. The COMMIT goes out with what the writes sent last and left unawaited, so a write that
 * needs no answer to its last statements costs no round trip for them. Every caller's promise
 * settles after the COMMIT (or with its failure), and notifications are delivered only then.
 */
class GroupCommit implements HostGroupedWrites {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private tail: Promise<void> = Promise.resolve();
  /** When the last group was taken (performance.now()), and whether writes were left for the next. */
  private lastTaken: number | null = null;
  private leftOver = false;
  /** From one group to the next while writes queue for both (a moving average, ms). */
  private groupCycleMs = 0;
  /** The last committed group's answers and deliveries, once its commit is durable. */
  private acknowledged: Promise<void> = Promise.resolve();

  constructor(
    private readonly transactions: Transactions,
    private readonly bus: HostBus,
    private readonly clock: Clock,
    /** Writes come often when the last group was taken less than twice this long ago; 0: no window. */
    private readonly windowMs: number,
    /** Writes in one group at most (see `MAX_GROUP`). */
    private readonly maxGroup: number,
  ) {}

  /**
   * How long a write arriving now can expect to wait for its answer, in milliseconds (0 when none
   * waits): what the oldest waiting one has waited so far, and a group's time for every full group
   * ahead of it and for its own. The oldest's wait alone lets a queue several groups long grow
   * behind it; without its own group's time, answers at twice the capacity took half as long again
   * as the bound. On SQLite an answer also waits for the log's flush: while the disk stalls, the
   * longest wait for a flush so far, or the queue of writes would stay short while answers pile up.
   */
  get expectedWaitMs(): number {
    const flush = this.transactions.durability?.oldestWaitMs ?? 0;
    if (this.waiting.length === 0) return flush;
    return Math.max(flush, performance.now() - this.waiting[0].since + (Math.floor(this.waiting.length / this.maxGroup) + 1) * this.groupCycleMs);
  }

  run<T>(work: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, since: performance.now(), origin: socketOrigin.getStore(), resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) this.schedule();
    });
  }

  /** The next group, once the previous one ended and the event loop had a turn. */
  private schedule(): void {
    this.scheduled = true;
    const previous = this.tail;
    this.tail = (async () => {
      // A group that failed in an unforeseen way must not stop the ones after it.
      await previous.catch(() => undefined);
      // What arrives in the same turn of the event loop joins (or within the window, when writes come
      // often); between groups, requests are read and answered.
      const wait = this.windowWait();
      await new Promise<void>((r) => (wait > 0 ? setTimeout(r, wait) : setImmediate(r)));
      await this.flush();
    })();
  }

  /** Closes once the groups under way (one waiting out its window included) have committed. */
  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.acknowledged;
    await this.transactions.close();
  }

  /**
   * How long the next group waits for more writes: until the window has passed since the oldest
   * waiting one arrived, when the last group was taken recently. A write after a quiet moment goes at
   * once, and so does a full group or one whose window passed while the group before it ran.
   */
  private windowWait(): number {
    if (this.windowMs <= 0 || this.lastTaken === null || this.waiting.length === 0 || this.waiting.length >= this.maxGroup) return 0;
    const now = performance.now();
    if (now - this.lastTaken > 2 * this.windowMs) return 0;
    return Math.max(0, this.waiting[0].since + this.windowMs - now);
  }

  private async flush(): Promise<void> {
    let group: Waiting[] | null = null;
    // Everything that arrived while the transaction waited for its turn joins it.
    const writes = () => (group ??= this.take());
    let outcomes: Outcome[];
    try {
      outcomes = await this.transactions
        .transaction(
          (query, control) => (this.transactions.together ? this.together(writes(), query) : this.oneByOne(writes(), query, control)),
          // One write at a time, each write's statements were awaited before the next (see `settled`).
          this.transactions.together ? (outcomes) => this.settleTogether(outcomes) : async () => undefined,
        )
        .catch((error: unknown) => {
          if (error !== ONE_BY_ONE) throw error;
          return this.transactions.transaction(
            (query, control) => this.oneByOne(writes(), query, control),
            async () => undefined,
          );
        });
    } catch (error) {
      // Nothing of the group was committed (or it never started): every write of it failed.
      for (const waiting of writes()) waiting.reject(error);
      return;
    }
    const durability = this.transactions.durability;
    if (durability === null) return this.acknowledge(outcomes);
    // The next group runs meanwhile. Flushes end in the order they began, so groups are still
    // acknowledged in the order they committed.
    this.acknowledged = durability.durable().then(
      () => this.acknowledge(outcomes),
      (error: unknown) => {
        for (const outcome of outcomes) outcome.waiting.reject("error" in outcome ? outcome.error : error);
      },
    );
  }

  /** A committed group's notifications delivered and its writes answered. */
  private acknowledge(outcomes: Outcome[]): void {
    const notifications: StoredNotification[] = [];
    for (const outcome of outcomes) if ("notifications" in outcome) notifications.push(...outcome.notifications);
    this.bus.committed(notifications);
    for (const outcome of outcomes) {
      if ("error" in outcome) outcome.waiting.reject(outcome.error);
      else outcome.waiting.resolve(outcome.value);
    }
  }

  /**
   * Every write at once. One that fails leaves statements mixed with the others', which no savepoint
   * can take back alone: the whole group is rolled back, to run again one write at a time.
   */
  private async together(group: Waiting[], query: Query): Promise<Outcome[]> {
    const outcomes = await Promise.all(group.map((waiting) => this.runOne(waiting, query)));
    if (outcomes.some((outcome) => "error" in outcome)) throw ONE_BY_ONE;
    return outcomes;
  }

  /** What the writes of a group run together left unawaited: one failure and the group runs again one write at a time. */
  private async settleTogether(outcomes: Outcome[]): Promise<void> {
    const sent = outcomes.flatMap((outcome) => ("sent" in outcome ? outcome.sent : []));
    const results = await Promise.allSettled(sent);
    if (results.some((result) => result.status === "rejected")) throw ONE_BY_ONE;
  }

  /**
   * One write after the other, each in the savepoint: one that fails is rolled back to it (which keeps
   * it for the next write); one that succeeds releases it and sets it again for the next, in one round
   * trip. The COMMIT releases the last one.
   */
  private async oneByOne(group: Waiting[], query: Query, control: Control): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    await control(`SAVEPOINT ${SAVEPOINT}`);
    for (let i = 0; i < group.length; i++) {
      const outcome = await settled(await this.runOne(group[i], query));
      outcomes.push(outcome);
      if ("error" in outcome) await control(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      else if (i < group.length - 1) await control(`RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT}`);
    }
    return outcomes;
  }

  /** The next group: what waits, up to `maxGroup`; the rest makes the group after it. */
  private take(): Waiting[] {
    const now = performance.now();
    // From nothing, so that one slow group (a pause of the process) does not refuse requests alone.
    if (this.leftOver && this.lastTaken !== null) this.groupCycleMs += (now - this.lastTaken - this.groupCycleMs) * CYCLE_WEIGHT;
    this.lastTaken = now;
    const group = this.waiting.splice(0, this.maxGroup);
    this.leftOver = this.waiting.length > 0;
    this.scheduled = false;
    if (this.waiting.length > 0) this.schedule();
    return group;
  }

  /** Runs a write's work; what it sent and left unawaited is in the outcome, for `settled` or `settleTogether`. */
  private async runOne(waiting: Waiting, query: Query): Promise<Outcome> {
    const notifications: StoredNotification[] = [];
    const sent: Sent = [];
    // Every statement is the write's, awaited or not: it is kept, and marked handled so that one the
    // work never awaits cannot fail the process; its failure fails the write instead.
    const track = <R>(statement: Promise<R>): Promise<R> => {
      sent.push(statement);
      statement.catch(() => undefined);
      return statement;
    };
    const tx: WriteTransaction = {
      query: (sql, parameters = []) => {
        checkParameters(parameters);
        return track(query(sql, parameters));
      },
      publish: (list) =>
        track(
          (async () => {
            const createdAt = this.clock.now();
            const store = this.bus.storeStatement(list, createdAt);
            // Ids are taken in the order of the rows: sorted, they match the notifications in order.
            const ids = (await query(store.sql, store.parameters)).map((row) => Number(row.id)).sort((a, b) => a - b);
            const at = createdAt.toISOString();
            list.forEach((n, i) => {
              notifications.push({ id: ids[i], channel: n.channel, type: n.type, text: store.texts[i], createdAt: at });
              if (n.inAnswer && waiting.origin !== undefined) this.bus.skipFor(ids[i], waiting.origin);
            });
            return ids;
          })(),
        ),
    };
    try {
      return { waiting, value: await waiting.work(tx), notifications, sent };
    } catch (error) {
      return { waiting, error };
    }
  }
}

/** The savepoint each write of a group runs in. */
const SAVEPOINT = "grouped_write";

/**
 * SQLite: the group's transaction takes its turn among the others (sqliteTransactions.ts) and runs
 * on better-sqlite3 directly, each statement prepared once.
 */
class SqliteStatements implements Transactions {
  readonly together = false;
  readonly durability: DurableCommits | null;
  private readonly sqlite: SqliteTransactions;
  /** Each statement with the parameter each of its `?` takes (`$1` is 0), or null when they are `$1`, `$2`... in order. */
  private readonly statements = new Map<string, { statement: Statement; order: number[] | null }>();
  /** Transaction control statements (savepoints), prepared once rather than parsed at every write. */
  private readonly controls = new Map<string, Statement[]>();
  private readonly query: Query = async (sql, parameters) => this.run(sql, parameters);
  private readonly control: Control = async (sql) => {
    let statements = this.controls.get(sql);
    if (!statements) {
      statements = sql.split(";").map((part) => this.connection().prepare(part.trim()));
      this.controls.set(sql, statements);
    }
    for (const statement of statements) statement.run();
  };

  constructor(private readonly db: DataSource) {
    this.sqlite = sqliteTransactionsOf(db);
    this.durability = this.sqlite.durability;
  }

  async close(): Promise<void> {}

  /** Settles at the commit: the group waits for the log's flush itself (see `flush`), so the next group need not. */
  transaction<T>(work: (query: Query, control: Control) => Promise<T>, settle: (value: T) => Promise<void>): Promise<T> {
    return this.sqlite.committed(async () => {
      const value = await work(this.query, this.control);
      await settle(value);
      return value;
    });
  }

  private run(sql: string, parameters: unknown[]): SqlRow[] {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      // A placeholder used twice, or out of order, is bound twice: one `?` per use.
      const order = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]) - 1);
      prepared = { statement: this.connection().prepare(sql.replace(/\$(\d+)/g, "?")), order: order.some((n, i) => n !== i) ? order : null };
      this.statements.set(sql, prepared);
    }
    const values = parameters.map(sqliteValue);
    const { statement, order } = prepared;
    const bound = order === null ? values : order.map((n) => values[n]);
    if (statement.reader) return statement.all(...bound) as SqlRow[];
    statement.run(...bound);
    return [];
  }

  private connection(): Database {
    return (this.db.driver as unknown as { databaseConnection: Database }).databaseConnection;
  }
}

/**
 * PostgreSQL: groups run on a connection of their own in pipeline mode (a statement is sent without
 * waiting for the answers to those before it), driven with the `pg` client itself, every statement
 * prepared once. Groups take turns, so one connection is all they need, and they never wait for the
 * pool other requests share.
 */
class PostgresStatements implements Transactions {
  readonly together = true;
  /** PostgreSQL's COMMIT returns once the commit is as durable as its settings make it. */
  readonly durability = null;
  private readonly names = new Map<string, string>();
  private readonly pool: Pool;
  private closed: Promise<void> | null = null;

  constructor(target: Extract<DatabaseTarget, { kind: "postgres" }>, logger: Logger) {
    this.pool = new Pool({
      connectionString: target.url,
      max: 1,
      pipeline: true,
      connectionTimeoutMillis: POOL_WAIT_MS,
      options: `-c search_path=${target.schema}`,
    });
    // A lost connection fails the group using it (its callers may try again) or, idle, is dropped by
    // the pool; either way the next group opens another. Said, never thrown: an error event nobody
    // listens to would end the process.
    const lost = (error: Error) => logger.warn("grouped writes: PostgreSQL connection lost", { error });
    this.pool.on("error", lost);
    this.pool.on("connect", (client) => client.on("error", lost));
  }

  close(): Promise<void> {
    this.closed ??= this.pool.end();
    return this.closed;
  }

  async transaction<T>(work: (query: Query, control: Control) => Promise<T>, settle: (value: T) => Promise<void>): Promise<T> {
    const client = await this.pool.connect();
    // Statements made in the same turn of the event loop (the writes of a group reaching the same step
    // together, BEGIN with the first ones) leave in one write to the socket instead of one each.
    const stream = client.connection.stream;
    let corked = false;
    const batched = <R>(send: () => Promise<R>): Promise<R> => {
      if (!corked) {
        corked = true;
        stream.cork();
        process.nextTick(() => {
          corked = false;
          stream.uncork();
        });
      }
      return send();
    };
    // BEGIN goes out with the first statements; should it fail, so do they, and the transaction with them.
    const begun = batched(() => client.query("BEGIN")).then(
      () => null,
      (error: unknown) => error,
    );
    let value: T;
    let commit: Promise<string | null> | null = null;
    try {
      value = await work(
        async (sql, parameters) => (await batched(() => client.query<SqlRow>({ name: this.name(sql), text: sql, values: parameters }))).rows,
        async (sql) => void (await client.query(sql)),
      );
      // Behind what the writes sent last, in the same round trip. Should one of those fail, PostgreSQL
      // has already aborted the transaction and answers this COMMIT with a ROLLBACK.
      commit = batched(() => client.query("COMMIT")).then((result) => result.command);
      commit.catch(() => undefined);
      await settle(value);
      const failed = await begun;
      if (failed) throw failed;
      if ((await commit) !== "COMMIT") throw new Error("PostgreSQL rolled the grouped writes back instead of committing them");
    } catch (error) {
      await commit?.catch(() => undefined);
      // Outside a transaction (the COMMIT ended it), ROLLBACK only warns. A connection whose ROLLBACK
      // failed is broken: the pool drops it instead of lending it again.
      const broken = await client.query("ROLLBACK").then(
        () => false,
        () => true,
      );
      client.release(broken);
      throw error;
    }
    client.release();
    return value;
  }

  /** One prepared statement name per text (the client prepares it on each connection the first time). */
  private name(sql: string): string {
    let name = this.names.get(sql);
    if (!name) {
      name = `grouped_${this.names.size + 1}`;
      this.names.set(sql, name);
    }
    return name;
  }
}

/** The outcome once what its write left unawaited has answered: failed if any of it failed. */
async function settled(outcome: Outcome): Promise<Outcome> {
  if (!("sent" in outcome)) return outcome;
  const failure = (await Promise.allSettled(outcome.sent)).find((result) => result.status === "rejected");
  return failure ? { waiting: outcome.waiting, error: failure.reason } : outcome;
}

/**
 * Refuses, before anything is sent, a parameter neither database could bind. Thrown at once, it
 * fails the write's work before its group commits: a statement refused by the client after the
 * COMMIT went out would not abort the transaction the way one failing in the database does.
 */
function checkParameters(parameters: unknown[]): void {
  parameters.forEach((value, i) => {
    if (value === null || value instanceof Date || Buffer.isBuffer(value)) return;
    if (["string", "number", "boolean", "bigint"].includes(typeof value)) return;
    throw new TypeError(`Grouped write parameter $${i + 1} must be a string, number, boolean, date, buffer or null`);
  });
}
