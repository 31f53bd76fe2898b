import Database from "better-sqlite3";
import { QueryFailedError, QueryResult } from "typeorm";

/** Statements kept prepared; past it the oldest goes (texts are stable: numbers are bound, not written in). */
const STATEMENTS = 200;

/**
 * Reads made outside any turn run on a read-only connection of their own. In WAL mode it sees only
 * what is committed: never the writes of a transaction still open on the shared connection, nor
 * those it then rolls back. Answered in the shape typeorm's query runner answers in.
 */
export class CommittedReads {
  private connection: Database.Database | null = null;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly file: string) {}

  query(sql: string, parameters: unknown[] = [], structured = false): unknown {
    // As typeorm's runner does: better-sqlite3 binds no booleans.
    const values = parameters.map((p) => (typeof p === "boolean" ? Number(p) : p));
    let rows: unknown[];
    try {
      rows = this.statement(sql).all(...values);
    } catch (error) {
      throw new QueryFailedError(sql, values, error instanceof Error ? error : new Error(String(error)));
    }
    if (!structured) return rows;
    const result = new QueryResult();
    result.raw = rows;
    result.records = rows;
    return result;
  }

  close(): void {
    this.statements.clear();
    this.connection?.close();
    this.connection = null;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Opened at the first read, once the shared connection has made the file and its log.
      this.connection ??= new Database(this.file, { readonly: true, fileMustExist: true });
      statement = this.connection.prepare(sql);
      if (this.statements.size >= STATEMENTS) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
