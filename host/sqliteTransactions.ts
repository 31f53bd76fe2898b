import { AsyncLocalStorage } from "node:async_hooks";
import type { DataSource, EntityManager } from "typeorm";
import type { DurableCommits } from "./durableCommits";
import type { CommittedReads } from "./sqliteCommittedReads";
import { TurnQueue } from "./sqliteTurns";

type TransactionFn = EntityManager["transaction"];
type Run = (...args: unknown[]) => Promise<unknown>;

/** A SQLite DataSource's transactions: committed only (for grouped writes), and the log's flushes. */
export interface SqliteTransactions {
  /** Takes its turn like `db.transaction`, and settles at the commit, before the log is flushed. */
  committed<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** Null for a database in memory. */
  durability: DurableCommits | null;
  /** The connection's turns. */
  turns: TurnQueue;
}

const registry = new WeakMap<DataSource, SqliteTransactions>();

/** The transactions set up by `serializeSqliteTransactions` on `db`. */
export function sqliteTransactionsOf(db: DataSource): SqliteTransactions {
  const transactions = registry.get(db);
  if (!transactions) throw new Error("Not a SQLite DataSource made by createDataSource");
  return transactions;
}

/** The connection's turn, held by the async context that runs in it until it ends. */
interface Turn {
  active: boolean;
}

/** typeorm's query runner, as far as taking turns needs it. */
interface Runner {
  query: Run;
  startTransaction: Run;
  commitTransaction: Run;
  rollbackTransaction: Run;
  release: Run;
  isTransactionActive: boolean;
  transactionDepth: number;
}

/**
 * typeorm's SQLite drivers run everything on one connection through one query runner, so a write
 * made while another's transaction is open becomes part of it: two concurrent `transaction()` calls
 * would silently nest, and a write outside any transaction (a query, or the transaction typeorm's
 * own `save` opens) would join whichever was open, and be rolled back with it. This makes every write
 * take turns on the connection: transactions, typeorm's own ones, and single writing statements.
 * A transaction started from inside another (same async context) runs at once, as a savepoint,
 * instead of waiting for itself. Reads outside any transaction do not wait: with `reads`, they run
 * on a connection of their own and see only what is committed. A transaction typeorm
 * opens for a `save` holds the turn in its caller's context, so code it awaits (a subscriber) writes
 * through the manager it is given: a write through `db` would wait for that very turn (and give up,
 * failing, once the turn has held the connection for `TURN_WAIT_LIMIT_MS`).
 *
 * With `durability`, a transaction settles only once its commit is on the disk, and so does any
 * write outside a transaction; the next turn does not wait for that flush, only the caller does.
 */
export function serializeSqliteTransactions(db: DataSource, durability: DurableCommits | null, reads: CommittedReads | null): void {
  const inside = new AsyncLocalStorage<Turn>();
  const inTurn = () => inside.getStore()?.active === true;
  const turns = new TurnQueue();
  /** Waits for the turns before, then holds the connection until the returned function is called. */
  const acquire = () => turns.acquire();

  /** Runs `work` in a turn of its own; whether a commit was noted during it (its own, unless it wrote nothing). */
  const turn = async <T>(work: () => Promise<T>): Promise<{ value: T; committed: boolean }> => {
    const release = await acquire();
    const state: Turn = { active: true };
    const before = durability?.count ?? 0;
    try {
      const value = await inside.run(state, work);
      return { value, committed: (durability?.count ?? 0) !== before };
    } finally {
      // Work it left running must not pass for the turn's once the next one has begun.
      state.active = false;
      release();
    }
  };

  /** A turn whose caller is answered once its commit, if it made one, is on the disk. */
  const acknowledgedTurn = async <T>(work: () => Promise<T>): Promise<T> => {
    const { value, committed } = await turn(work);
    if (committed && durability) await durability.durable();
    return value;
  };

  const manager = db.manager;
  const original = manager.transaction.bind(manager) as Run;
  const serialized: Run = (...args) => (inTurn() ? original(...args) : turn(() => original(...args)).then(({ value }) => value));
  const acknowledged: Run = (...args) => (inTurn() ? original(...args) : acknowledgedTurn(() => original(...args)));
  manager.transaction = acknowledged as TransactionFn;
  db.transaction = acknowledged as DataSource["transaction"];
  registry.set(db, { committed: (work) => serialized(work) as ReturnType<typeof work>, durability, turns });

  const driver = db.driver as unknown as { createQueryRunner(mode: string): Runner };
  const create = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode) => {
    const runner = create(mode);
    return inTurn() ? runner : outsideTurns(runner, inside, acquire, acknowledgedTurn, durability, reads);
  };
}

/** A statement that only reads, and so need not wait for the connection's turn. */
const READ = /^\s*SELECT\b/i;

/**
 * The shared query runner as seen from outside any turn: a writing statement takes a turn of its
 * own, and a transaction typeorm starts on it (for a `save`) holds one from its BEGIN to its end.
 * Reads go to `reads` (committed data only), or straight through on the shared runner without it.
 */
function outsideTurns(
  runner: Runner,
  inside: AsyncLocalStorage<Turn>,
  acquire: () => Promise<() => void>,
  acknowledgedTurn: <T>(work: () => Promise<T>) => Promise<T>,
  durability: DurableCommits | null,
  reads: CommittedReads | null,
): Runner {
  let held: { release: () => void; state: Turn; count: number } | null = null;
  const inHeldTurn = <T>(work: () => Promise<T>): Promise<T> => (held ? inside.run(held.state, work) : work());

  /** Ends the held turn once the outermost transaction has ended (or `force`), and waits for its commit to be durable. */
  const end = async (force = false) => {
    if (!held || (runner.transactionDepth > 0 && !force)) return;
    const { release, state, count } = held;
    held = null;
    state.active = false;
    release();
    if (durability && durability.count !== count) await durability.durable();
  };

  /** The held transaction's commit or rollback; the turn ends with the outermost one. */
  const ending = async (step: () => Promise<unknown>) => {
    // typeorm rolls back a `save` whose start failed: the transaction open then is another turn's.
    if (!held) throw new Error("No transaction of this caller is open on the SQLite connection");
    try {
      await inHeldTurn(step);
    } finally {
      await end();
    }
  };

  const own = {
    async query(...args: unknown[]) {
      if (held) return inHeldTurn(() => runner.query(...args));
      const [sql, parameters, structured] = args;
      if (typeof sql !== "string" || !READ.test(sql)) return acknowledgedTurn(() => runner.query(...args));
      return reads ? reads.query(sql, Array.isArray(parameters) ? parameters : [], structured === true) : runner.query(...args);
    },
    async startTransaction(...args: unknown[]) {
      if (!held) held = { release: await acquire(), state: { active: true }, count: durability?.count ?? 0 };
      try {
        await inHeldTurn(() => runner.startTransaction(...args));
      } catch (error) {
        await end();
        throw error;
      }
    },
    commitTransaction: () => ending(() => runner.commitTransaction()),
    rollbackTransaction: () => ending(() => runner.rollbackTransaction()),
    async release() {
      // A transaction left open (its rollback failed) must not keep the connection from everyone else.
      if (held && runner.isTransactionActive) await inHeldTurn(() => runner.rollbackTransaction()).catch(() => undefined);
      await end(true);
      return runner.release();
    },
  };
  // typeorm gives every runner it hands out an entity manager of its own (`Object.assign(runner,
  // { manager })`). This view's stays on the view: set on the shared runner, it would send the
  // statements of a transaction open there meanwhile (the inserts of its next `save`) through this
  // view, where they would wait for that transaction's own turn.
  let manager: unknown;
  return new Proxy(runner, {
    get(target, property) {
      if (property === "isTransactionActive") return held !== null && target.isTransactionActive;
      if (property === "manager") return manager;
      if (Object.hasOwn(own, property)) return own[property as keyof typeof own];
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? (value as Run).bind(target) : value;
    },
    set(target, property, value: unknown) {
      if (property !== "manager") return Reflect.set(target, property, value);
      manager = value;
      return true;
    },
  });
}
