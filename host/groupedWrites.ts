import { performance } from "node:perf_hooks";
import type { Database, Statement } from "better-sqlite3";
import type { DataSource, EntityManager } from "typeorm";
import { DateUtils } from "typeorm/util/DateUtils";
import type { BusNotification, Clock, GroupedWrites, SqlRow, WriteTransaction } from "./contract";
import type { DatabaseTarget } from "./database";
import type { HostBus } from "./bus/HostBus";

/** The host's `GroupedWrites` for its database; `waitedMs` tells how long the oldest waiting write has waited. */
export function createGroupedWrites(db: DataSource, target: DatabaseTarget, bus: HostBus, clock: Clock): GroupedWrites & { readonly waitedMs: number } {
  return new GroupCommit(target.kind === "sqlite" ? new SqliteStatements(db) : new PostgresStatements(db), bus, clock);
}

type Query = (sql: string, parameters: unknown[]) => Promise<SqlRow[]>;

/**
 * Writes in one group at most. A group runs in one go, answers and deliveries included, without
 * giving the event loop a turn: past a few dozen writes a bigger group saves little (the commit is
 * already shared) but holds up every other request, refusals of an overloaded server included.
 */
const MAX_GROUP = 64;

/** Where a group's transaction runs: one transaction, its turn among the others, with a way to query inside it. */
interface Transactions {
  transaction(work: (query: Query) => Promise<void>): Promise<void>;
}

interface Waiting {
  work: (tx: WriteTransaction) => Promise<unknown>;
  /** When it arrived (performance.now()). */
  since: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { waiting: Waiting; value: unknown; notifications: BusNotification[] } | { waiting: Waiting; error: unknown };

/**
 * Group commit. Writes that arrive while the previous group's transaction runs (or within the same
 * turn of the event loop) form the next group (up to `MAX_GROUP`): one BEGIN, one COMMIT, one sync
 * of the log for all of them, and groups run one after the other, so writes run in the order they came. Each write
 * runs in a savepoint, so a failing one is rolled back alone; every caller's promise settles after
 * the COMMIT (or with its failure), and notifications are delivered only then.
 */
class GroupCommit implements GroupedWrites {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly transactions: Transactions,
    private readonly bus: HostBus,
    private readonly clock: Clock,
  ) {}

  /** How long the oldest write not yet in a group has waited, in milliseconds (0 when none waits). */
  get waitedMs(): number {
    return this.waiting.length > 0 ? performance.now() - this.waiting[0].since : 0;
  }

  run<T>(work: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, since: performance.now(), resolve: resolve as (value: unknown) => void, reject });
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
      // What arrives in the same turn of the event loop joins; between groups, requests are read and answered.
      await new Promise<void>((r) => setImmediate(r));
      await this.flush();
    })();
  }

  private async flush(): Promise<void> {
    let group: Waiting[] | null = null;
    const outcomes: Outcome[] = [];
    try {
      await this.transactions.transaction(async (query) => {
        // Everything that arrived while this transaction waited for its turn joins it.
        group = this.take();
        for (const waiting of group) outcomes.push(await this.runOne(waiting, query));
      });
    } catch (error) {
      // Nothing of the group was committed (or it never started): every write of it failed.
      for (const waiting of group ?? this.take()) waiting.reject(error);
      return;
    }
    const notifications: BusNotification[] = [];
    for (const outcome of outcomes) if ("notifications" in outcome) notifications.push(...outcome.notifications);
    this.bus.committed(notifications);
    for (const outcome of outcomes) {
      if ("error" in outcome) outcome.waiting.reject(outcome.error);
      else outcome.waiting.resolve(outcome.value);
    }
  }

  /** The next group: what waits, up to `MAX_GROUP`; the rest makes the group after it. */
  private take(): Waiting[] {
    const group = this.waiting.splice(0, MAX_GROUP);
    this.scheduled = false;
    if (this.waiting.length > 0) this.schedule();
    return group;
  }

  private async runOne(waiting: Waiting, query: Query): Promise<Outcome> {
    const notifications: BusNotification[] = [];
    const tx: WriteTransaction = {
      query: (sql, parameters = []) => query(sql, parameters),
      publish: async (list) => {
        const createdAt = this.clock.now();
        const store = this.bus.storeStatement(list, createdAt);
        // Ids are taken in the order of the rows: sorted, they match the notifications in order.
        const ids = (await query(store.sql, store.parameters)).map((row) => Number(row.id)).sort((a, b) => a - b);
        const announce = this.bus.announceStatement(ids);
        if (announce) await query(announce.sql, announce.parameters);
        list.forEach((n, i) =>
          notifications.push({ id: ids[i], channel: n.channel, type: n.type, payload: JSON.parse(JSON.stringify(n.payload) ?? "null"), createdAt: createdAt.toISOString() }),
        );
        return ids;
      },
    };
    await query("SAVEPOINT grouped_write", []);
    try {
      const value = await waiting.work(tx);
      await query("RELEASE SAVEPOINT grouped_write", []);
      return { waiting, value, notifications };
    } catch (error) {
      await query("ROLLBACK TO SAVEPOINT grouped_write", []);
      await query("RELEASE SAVEPOINT grouped_write", []);
      return { waiting, error };
    }
  }
}

/**
 * SQLite: the group's transaction takes its turn among the others (sqliteTransactions.ts) and runs
 * on better-sqlite3 directly, each statement prepared once.
 */
class SqliteStatements implements Transactions {
  private readonly statements = new Map<string, { statement: Statement; numbered: boolean }>();

  constructor(private readonly db: DataSource) {}

  transaction(work: (query: Query) => Promise<void>): Promise<void> {
    return this.db.transaction(() => work(async (sql, parameters) => this.query(sql, parameters)));
  }

  private query(sql: string, parameters: unknown[]): SqlRow[] {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      // Placeholders used once each in order are plain `?`; otherwise `?1`, bound by number.
      const order = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
      const numbered = order.some((n, i) => n !== i + 1);
      prepared = { statement: this.connection().prepare(sql.replace(/\$(\d+)/g, numbered ? "?$1" : "?")), numbered };
      this.statements.set(sql, prepared);
    }
    const values = parameters.map(bindable);
    const bound = prepared.numbered ? [Object.fromEntries(values.map((v, i) => [i + 1, v]))] : values;
    const statement = prepared.statement;
    if (statement.reader) return statement.all(...bound) as SqlRow[];
    statement.run(...bound);
    return [];
  }

  private connection(): Database {
    return (this.db.driver as unknown as { databaseConnection: Database }).databaseConnection;
  }
}

/** What SQLite stores for a value: dates as typeorm writes them (so they compare as text), integers as INTEGER. */
function bindable(value: unknown): unknown {
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return DateUtils.mixedDateToUtcDatetimeString(value);
  return value;
}

/** PostgreSQL: the group's transaction on a pooled connection; its notifications are announced when it commits. */
class PostgresStatements implements Transactions {
  constructor(private readonly db: DataSource) {}

  transaction(work: (query: Query) => Promise<void>): Promise<void> {
    return this.db.transaction((m: EntityManager) => work((sql, parameters) => m.query(sql, parameters) as Promise<SqlRow[]>));
  }
}
