import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DataSource } from "typeorm";
import { createDataSource, ensureSchema, parseDatabaseUrl, type DatabaseTarget } from "../../host/database";
import type { SyncFile } from "../../host/durableCommits";
import { hostMigrations } from "../../host/migrations";
import { hostEntities } from "../../host/models";
import { freshPostgresUrl } from "./postgres";

/**
 * A fresh database with the host's tables only, for tests of host parts (bus, presence, scheduler,
 * settings) without a whole host. `db` is the first instance; `open()` adds another on the same
 * database, as a second server would have.
 */
export class HostDatabase {
  private readonly sources: DataSource[] = [];
  /** Migrations run once, by the first DataSource; the others wait for them (opens may be concurrent). */
  private migrated: Promise<unknown> | null = null;
  db!: DataSource;

  private constructor(
    readonly target: DatabaseTarget,
    private readonly cleanup: () => Promise<void>,
    private readonly syncLog?: SyncFile,
  ) {}

  /** A temporary SQLite file (its log flushed by `syncLog` if given), or a schema of its own on the test PostgreSQL. */
  static async create(kind: "sqlite" | "postgres", schemaPrefix = "t_hostdb", syncLog?: SyncFile): Promise<HostDatabase> {
    let database: HostDatabase;
    if (kind === "sqlite") {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "livechat-hostdb-"));
      database = new HostDatabase(parseDatabaseUrl(`sqlite:${path.join(dir, "host.sqlite")}`), async () => {
        fs.rmSync(dir, { recursive: true, force: true });
      }, syncLog);
    } else {
      const pg = await freshPostgresUrl(schemaPrefix);
      database = new HostDatabase(parseDatabaseUrl(pg.url), () => pg.drop());
    }
    try {
      await ensureSchema(database.target);
      database.db = await database.open();
    } catch (error) {
      await database.close();
      throw error;
    }
    return database;
  }

  async open(): Promise<DataSource> {
    const ds = createDataSource(this.target, hostEntities, hostMigrations, this.syncLog);
    await ds.initialize();
    this.sources.push(ds);
    this.migrated ??= ds.runMigrations();
    await this.migrated;
    return ds;
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.splice(0).map((ds) => (ds.isInitialized ? ds.destroy() : undefined)));
    await this.cleanup();
  }
}
