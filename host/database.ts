import fs from "node:fs";
import path from "node:path";
import { DataSource, type DataSourceOptions, type MixedList } from "typeorm";
import type { ModuleEntity, ModuleMigration } from "./contract";
import type { Database } from "better-sqlite3";
import { CommittedReads } from "./sqliteCommittedReads";
import { serializeSqliteTransactions } from "./sqliteTransactions";
import { DurableCommits, type SyncFile } from "./durableCommits";
import { watchCommitPoints } from "./sqliteCommitPoints";
import { DateUtils } from "typeorm/util/DateUtils";

/** Where the data lives, parsed from `DATABASE_URL`. */
export type DatabaseTarget =
  | { kind: "sqlite"; file: string }
  | { kind: "postgres"; url: string; schema: string };

export const DEFAULT_DATABASE_URL = "sqlite:var/livechat.sqlite";

/** How long a request may wait for a free PostgreSQL connection before it fails. */
export const POOL_WAIT_MS = 30_000;

/**
 * `sqlite:<file>` (relative to the working directory; `sqlite::memory:` for a throwaway database) or
 * `postgres://user@host:port/db[?schema=name]`. Anything else is refused with a message saying so.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length);
    if (!file) throw new Error(`DATABASE_URL "${url}" names no SQLite file`);
    return { kind: "sqlite", file };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema") ?? "public";
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`DATABASE_URL schema "${schema}" is not a plain identifier`);
    parsed.searchParams.delete("schema");
    return { kind: "postgres", url: parsed.toString(), schema };
  }
  throw new Error(`DATABASE_URL "${url}" is neither sqlite:<file> nor postgres://...`);
}

/**
 * Every SQLite connection's settings: WAL lets readers work while one writer commits; with WAL,
 * `synchronous = NORMAL` syncs the log at checkpoints rather than at every commit, so a commit never
 * holds the event loop on the disk: the log is flushed off the loop before a commit is acknowledged
 * instead (DurableCommits; what it promises on a crash is in the README); checkpoints run off the
 * event loop (WalCheckpoints), not at the commit that fills the log; foreign keys are off by default
 * in SQLite. Temporary storage in memory: the journal of a savepoint (each grouped write, each
 * start of a group runs in one) is otherwise a temporary file, written for every page a statement
 * changes, which made such statements several times slower. (The bench's bare-SQLite baseline opens
 * its file the same way.)
 */
export const SQLITE_PRAGMAS = ["journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "busy_timeout = 5000", "wal_autocheckpoint = 0", "temp_store = MEMORY"];

/**
 * A DataSource for `target`. On a SQLite file, `syncLog` is how the log is flushed to the disk
 * before a commit is acknowledged (see DurableCommits).
 */
export function createDataSource(
  target: DatabaseTarget,
  entities: ModuleEntity[],
  migrations: ModuleMigration[],
  syncLog?: SyncFile,
): DataSource {
  const common = {
    entities: entities as MixedList<ModuleEntity>,
    migrations: migrations as MixedList<ModuleMigration>,
    migrationsTableName: "host_migrations",
    synchronize: false,
    logging: false,
  };
  let options: DataSourceOptions;
  const durability = target.kind === "sqlite" && target.file !== ":memory:" ? new DurableCommits(path.resolve(target.file), syncLog) : null;
  if (target.kind === "sqlite") {
    if (target.file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(target.file)), { recursive: true });
    options = {
      ...common,
      type: "better-sqlite3",
      database: target.file,
      prepareDatabase: (connection: Database) => {
        for (const pragma of SQLITE_PRAGMAS) connection.pragma(pragma);
        if (durability)
          watchCommitPoints(connection, () => durability.committed());
      },
    };
  } else {
    options = {
      ...common,
      type: "postgres",
      url: target.url,
      schema: target.schema,
      // A request waits at most this long for a pooled connection, then fails (and its client retries):
      // work that holds a connection while it needs another can never wait forever on a full pool.
      extra: { max: 10, connectionTimeoutMillis: POOL_WAIT_MS, options: `-c search_path=${target.schema}` },
    };
  }
  const db = new DataSource(options);
  const reads = target.kind === "sqlite" && target.file !== ":memory:" ? new CommittedReads(path.resolve(target.file)) : null;
  if (target.kind === "sqlite") {
    serializeSqliteTransactions(db, durability, reads);
    bindNumbersAsParameters(db);
  }
  if (durability || reads) {
    const destroy = db.destroy.bind(db);
    db.destroy = async () => {
      await destroy();
      reads?.close();
      await durability?.close();
    };
  }
  return db;
}

type Escape = (sql: string, parameters: Record<string, unknown> | undefined, native: Record<string, unknown>) => [string, unknown[]];

/**
 * typeorm's SQLite drivers write number parameters into the SQL text (`"id" = 51`), so every id
 * makes a statement of its own: the statement cache (100 entries) thrashes and SQLite prepares the
 * same query again for each conversation. Here every named parameter is bound instead; integers as
 * BigInt so SQLite sees an INTEGER, as it did with the literal (a plain JS number binds as REAL).
 */
function bindNumbersAsParameters(db: DataSource): void {
  const driver = db.driver as unknown as { escapeQueryWithParameters: Escape };
  // Each statement text is searched for its `:name`s once: the same texts come back on every request.
  const parsed = new Map<string, ParsedStatement>();
  driver.escapeQueryWithParameters = (sql, parameters) => {
    const values: unknown[] = [];
    if (!parameters || Object.keys(parameters).length === 0) return [sql, values];
    let statement = parsed.get(sql);
    if (!statement) {
      // Texts with values written in them are each new: past a bound, the cache starts again.
      if (parsed.size >= PARSED_STATEMENTS) parsed.clear();
      statement = parseNames(sql);
      parsed.set(sql, statement);
    }
    const bind = (value: unknown) => {
      values.push(sqliteValue(value));
      return "?";
    };
    let text = statement.pieces[0];
    statement.names.forEach(({ whole, spread, key }, i) => {
      if (!Object.hasOwn(parameters, key)) text += whole;
      else {
        const value = parameters[key];
        if (typeof value === "function") text += String((value as () => unknown)());
        else text += spread && Array.isArray(value) ? value.map(bind).join(", ") : bind(value);
      }
      text += statement.pieces[i + 1];
    });
    return [text, values];
  };
}

/** The last date bound and its text: a write binds the same moment several times (its rows, its notifications). */
let lastDate = { time: NaN, text: "" };

/** What SQLite stores for a value: dates as typeorm writes them (so they compare as text), integers as INTEGER. */
export function sqliteValue(value: unknown): unknown {
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) {
    const time = value.getTime();
    if (time !== lastDate.time) lastDate = { time, text: DateUtils.mixedDateToUtcDatetimeString(value) };
    return lastDate.text;
  }
  return value;
}

/** Statement texts whose `:name`s are kept. */
const PARSED_STATEMENTS = 1000;

/** A statement text cut at its `:name`s: `pieces` has one more entry than `names`. */
interface ParsedStatement {
  pieces: string[];
  names: { whole: string; spread: boolean; key: string }[];
}

function parseNames(sql: string): ParsedStatement {
  const pieces: string[] = [];
  const names: ParsedStatement["names"] = [];
  let from = 0;
  for (const match of sql.matchAll(/:(\.\.\.)?([A-Za-z0-9_.]+)/g)) {
    pieces.push(sql.slice(from, match.index));
    names.push({ whole: match[0], spread: match[1] !== undefined, key: match[2] });
    from = match.index + match[0].length;
  }
  pieces.push(sql.slice(from));
  return { pieces, names };
}

/** Creates the PostgreSQL schema named in the URL before the DataSource uses it. */
export async function ensureSchema(target: DatabaseTarget): Promise<void> {
  if (target.kind !== "postgres" || target.schema === "public") return;
  const { Client } = await import("pg");
  const client = new Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${target.schema}`);
  } finally {
    await client.end();
  }
}
