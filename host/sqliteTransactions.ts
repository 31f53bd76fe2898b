import { AsyncLocalStorage } from "node:async_hooks";
import type { DataSource, EntityManager } from "typeorm";

type TransactionFn = EntityManager["transaction"];

/**
 * typeorm's SQLite drivers run everything on one connection through one query runner, so two
 * concurrent `transaction()` calls would silently nest, the second as a savepoint of the first, and
 * one's rollback or commit would decide the other's writes. This makes transactions take turns.
 * A transaction started from inside another (same async context) runs at once, as a savepoint,
 * instead of waiting for itself.
 */
export function serializeSqliteTransactions(db: DataSource): void {
  const inside = new AsyncLocalStorage<true>();
  let tail: Promise<unknown> = Promise.resolve();
  const manager = db.manager;
  const original = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;

  const serialized = (...args: unknown[]): Promise<unknown> => {
    if (inside.getStore()) return original(...args);
    const run = tail.then(() => inside.run(true, () => original(...args)));
    // The next transaction waits for this one to end, whether it committed or failed.
    tail = run.catch(() => undefined);
    return run;
  };
  manager.transaction = serialized as TransactionFn;
  db.transaction = serialized as DataSource["transaction"];
}
