import type { Database } from "better-sqlite3";

type Execute = (...parameters: unknown[]) => unknown;

/**
 * Tells `committed` each time a write reaches the database file's log on this connection: a
 * COMMIT (or the RELEASE of an outermost savepoint) after writes, or a write run outside any
 * transaction. Every statement is watched, as it is prepared: SQLite counts COMMIT as read-only, so
 * a commit is seen as the first statement after writes that leaves the connection out of a
 * transaction. A ROLLBACK after writes counts too, which only costs a flush that was not needed.
 */
export function watchCommitPoints(connection: Database, committed: () => void): void {
  let wrote = false;
  const after = () => {
    if (wrote && !connection.inTransaction) {
      wrote = false;
      committed();
    }
  };
  const prepare = connection.prepare.bind(connection);
  connection.prepare = ((source: string) => {
    const statement = prepare(source);
    const writes = !statement.readonly;
    for (const name of ["run", "get", "all"] as const) {
      const execute = (statement[name] as Execute).bind(statement);
      (statement as unknown as Record<typeof name, Execute>)[name] = (...parameters) => {
        if (writes) wrote = true;
        try {
          return execute(...parameters);
        } finally {
          after();
        }
      };
    }
    return statement;
  }) as Database["prepare"];
  const exec = connection.exec.bind(connection);
  connection.exec = (source: string) => {
    // Statements run by `exec` are not seen one by one: any of them may have written.
    wrote = true;
    try {
      return exec(source);
    } finally {
      after();
    }
  };
}
