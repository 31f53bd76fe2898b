import path from "node:path";
import { Worker } from "node:worker_threads";
import type { DataSource } from "typeorm";
import type { LongReads, SqlRow } from "./contract";
import { SQLITE_PRAGMAS, sqliteValue, type DatabaseTarget } from "./database";

/**
 * The worker: a connection of its own that may only read, answering one query at a time. Plain
 * JavaScript, evaluated as the worker's script, so it runs the same from the TypeScript sources and
 * from compiled ones.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require("better-sqlite3");
const db = new Database(workerData.file, { fileMustExist: true });
for (const pragma of workerData.pragmas) db.pragma(pragma);
db.pragma("query_only = ON");
parentPort.on("message", (message) => {
  if (message.stop) {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const statement = db.prepare(message.sql);
    if (!statement.reader) throw new Error("Only statements that read may run here.");
    parentPort.postMessage({ id: message.id, rows: statement.all(...message.parameters) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String(error && error.message ? error.message : error) });
  }
});
`;

interface Answer {
  id: number;
  rows?: SqlRow[];
  error?: string;
}

interface Pending {
  resolve(rows: SqlRow[]): void;
  reject(error: Error): void;
}

/** The contract's `reads`, with what the host needs to stop them. */
export interface HostLongReads extends LongReads {
  close(): Promise<void>;
}

/**
 * On SQLite (a file), reads in a worker thread with its own connection: better-sqlite3 answers on the
 * thread that asks, so a report taking half a second on the host's connection would hold up every
 * chat for as long. In WAL mode the worker's reads never wait for the host's writes, nor these for
 * them. Elsewhere (PostgreSQL, a database in memory) the host's connection answers, as for `db.query`.
 */
export function createLongReads(db: DataSource, target: DatabaseTarget): HostLongReads {
  if (target.kind === "sqlite" && target.file !== ":memory:") return new SqliteLongReads(target.file);
  const bind = target.kind === "sqlite" ? (parameters: unknown[]) => parameters.map(sqliteValue) : (parameters: unknown[]) => parameters;
  return {
    query: <T = SqlRow>(sql: string, parameters: unknown[] = []) => db.query<T[]>(sql, bind(parameters)),
    close: () => Promise.resolve(),
  };
}

class SqliteLongReads implements HostLongReads {
  /** Started with the first read: most hosts (and tests) never ask for one. */
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly file: string) {}

  query<T = SqlRow>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    if (this.closed) return Promise.reject(new Error("The host is stopping: no more reads."));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    // While a read is under way, the process waits for it.
    worker.ref();
    return new Promise<T[]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (rows: SqlRow[]) => void, reject });
      worker.postMessage({ id, sql, parameters: parameters.map(sqliteValue) });
    });
  }

  /** Waits for the reads asked for so far, then stops the worker. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      worker.once("exit", () => resolve());
      worker.ref();
      worker.postMessage({ stop: true });
    });
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: path.resolve(this.file), pragmas: SQLITE_PRAGMAS } });
    worker.on("message", (answer: Answer) => {
      const pending = this.pending.get(answer.id);
      if (!pending) return;
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if (answer.error !== undefined) pending.reject(new Error(answer.error));
      else pending.resolve(answer.rows ?? []);
    });
    const failAll = (error: Error) => {
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
      this.worker = null;
    };
    worker.on("error", failAll);
    worker.on("exit", () => failAll(new Error("The reading thread stopped.")));
    return worker;
  }
}
