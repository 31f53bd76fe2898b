import { AsyncLocalStorage } from "node:async_hooks";
import type { DataSource, EntityManager } from "typeorm";
import type { DurableCommits } from "./durableCommits";

type TransactionFn = EntityManager["transaction"];
type Run = (...args: unknown[]) => Promise<unknown>;

/** A SQLite DataSource's transactions: committed only (for grouped writes), and the log's flushes. */
export interface SqliteTransactions {
  /** Takes its turn like `db.transaction`, and settles at the commit, before the log is flushed. */
  committed<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** Null for a database in memory. */
  durability: DurableCommits | null;
}

const registry = new WeakMap<DataSource, SqliteTransactions>();

/** The transactions set up by `serializeSqliteTransactions` on `db`. */
export function sqliteTransactionsOf(db: DataSource): SqliteTransactions {
  const transactions = registry.get(db);
  if (!transactions) throw new Error("Not a SQLite DataSource made by createDataSource");
  return transactions;
}

/**
 * typeorm's SQLite drivers run everything on one connection through one query runner, so two
 * concurrent `transaction()` calls would silently nest, the second as a savepoint of the first, and
 * one's rollback or commit would decide the other's writes. This makes transactions take turns.
 * A transaction started from inside another (same async context) runs at once, as a savepoint,
 * instead of waiting for itself.
 *
 * With `durability`, a transaction settles only once its commit is on the disk, and so does any
 * other query that committed (a write outside a transaction, or typeorm's own `save`); the next
 * transaction does not wait for that flush, only the caller does.
 */
export function serializeSqliteTransactions(db: DataSource, durability: DurableCommits | null): void {
  const inside = new AsyncLocalStorage<true>();
  let tail: Promise<unknown> = Promise.resolve();
  const manager = db.manager;
  const original = manager.transaction.bind(manager) as Run;

  /** A transaction in its turn; whether a commit was noted during it (its own, unless it wrote nothing). */
  const turn = (args: unknown[]): Promise<{ value: unknown; committed: boolean }> => {
    const run = tail.then(() =>
      inside.run(true, async () => {
        const before = durability?.count ?? 0;
        const value = await original(...args);
        return { value, committed: (durability?.count ?? 0) !== before };
      }),
    );
    // The next transaction waits for this one to end, whether it committed or failed.
    tail = run.catch(() => undefined);
    return run;
  };
  const serialized: Run = (...args) => (inside.getStore() ? original(...args) : turn(args).then(({ value }) => value));
  const acknowledged: Run =
    durability === null
      ? serialized
      : async (...args) => {
          if (inside.getStore()) return original(...args);
          const { value, committed } = await turn(args);
          // A transaction that wrote nothing has nothing to wait for.
          if (committed) await durability.durable();
          return value;
        };
  manager.transaction = acknowledged as TransactionFn;
  db.transaction = acknowledged as DataSource["transaction"];
  registry.set(db, { committed: (work) => serialized(work) as ReturnType<typeof work>, durability });
  if (durability !== null) flushAfterCommittingQueries(db, durability, () => inside.getStore() === true);
}

interface Runner {
  query: Run;
}

/** The typeorm query in progress, and whether its statement committed. */
const committingQuery = new AsyncLocalStorage<{ committed: boolean }>();

/** Tells the typeorm query in progress, if any, that its statement committed (see `watchCommitPoints`). */
export function queryCommitted(): void {
  const query = committingQuery.getStore();
  if (query) query.committed = true;
}

/**
 * typeorm's own transactions (`save` opens one) and writes outside any transaction commit through
 * the driver's one query runner: a query whose statement committed settles after the flush.
 * Inside a transaction made to take turns, the commit is that transaction's, which waits for it.
 */
function flushAfterCommittingQueries(db: DataSource, durability: DurableCommits, inTurn: () => boolean): void {
  const driver = db.driver as unknown as { createQueryRunner(mode: string): Runner };
  const create = driver.createQueryRunner.bind(driver);
  const patched = new WeakSet<Runner>();
  driver.createQueryRunner = (mode) => {
    const runner = create(mode);
    if (patched.has(runner)) return runner;
    patched.add(runner);
    const query = runner.query.bind(runner);
    runner.query = async (...args) => {
      const mark = { committed: false };
      const result = await committingQuery.run(mark, () => query(...args));
      if (mark.committed && !inTurn()) await durability.durable();
      return result;
    };
    return runner;
  };
}
