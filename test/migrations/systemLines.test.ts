import { expect } from "chai";
import type { DataSource } from "typeorm";
import { ROOT_DIR } from "../../host/app";
import type { ModuleMigration } from "../../host/contract";
import { createDataSource, parseDatabaseUrl } from "../../host/database";
import { loadModules } from "../../host/loader/ModuleLoader";
import { hostMigrations } from "../../host/migrations";
import { hostEntities } from "../../host/models";
import { freshPostgresUrl, skipUnlessPostgres } from "../support/postgres";
import { tempSqliteUrl } from "../support/testHost";

/** The migration that gives system lines their key and parameters. */
const SYSTEM_KEYS_TIMESTAMP = 1764200000000;

const timestamp = (m: ModuleMigration) => Number(/(\d{13})$/.exec(m.name)?.[1]);
const allMigrations = [...hostMigrations, ...loadModules([ROOT_DIR]).flatMap((m) => m.migrations)];

/** Lines as earlier versions stored them: English text only; the queue notice as a bot message. */
const OLD_ROWS = [
  "INSERT INTO livechat_channel (id, name, created_at) VALUES (1, 'Support', '2024-11-20 10:00:00')",
  `INSERT INTO livechat_conversation (id, channel_id, visitor_key, visitor_name, visitor_token_hash, state, created_at, last_visitor_seen_at) VALUES
     (1, 1, 'k1', 'Ann', 'h1', 'closed', '2024-11-20 10:00:00', '2024-11-20 10:00:00')`,
  `INSERT INTO livechat_message (id, conversation_id, author_kind, body, created_at) VALUES
     (1, 1, 'visitor', 'Hello', '2024-11-20 10:00:00'),
     (2, 1, 'bot', 'No operator is available right now. You are in the queue: an operator will answer as soon as possible.', '2024-11-20 10:00:01'),
     (3, 1, 'visitor', 'The visitor ended the conversation.', '2024-11-20 10:00:02'),
     (4, 1, 'system', 'Marc "le Grand" ended the conversation.', '2024-11-20 10:00:03'),
     (5, 1, 'system', 'The visitor left the conversation.', '2024-11-20 10:00:04'),
     (6, 1, 'system', 'The visitor ended the conversation.', '2024-11-20 10:00:05')`,
];

async function migrate(url: string, migrations: ModuleMigration[]): Promise<DataSource> {
  const db = createDataSource(parseDatabaseUrl(url), hostEntities, migrations);
  await db.initialize();
  await db.runMigrations({ transaction: "each" });
  return db;
}

function keysExistingLines(databaseUrl: () => Promise<string>) {
  let db: DataSource | null = null;
  after(async () => {
    await db?.destroy();
  });

  it("gives existing system lines their key and parameters, and turns the bot's queue notice into one", async () => {
    const url = await databaseUrl();
    const old = await migrate(url, allMigrations.filter((m) => timestamp(m) < SYSTEM_KEYS_TIMESTAMP));
    for (const sql of OLD_ROWS) await old.query(sql);
    await old.destroy();

    db = await migrate(url, allMigrations);
    const rows = (await db.query("SELECT id, author_kind, body, system_key, system_params FROM livechat_message ORDER BY id")) as {
      id: number;
      author_kind: string;
      system_key: string | null;
      system_params: string | null;
    }[];
    const seen = rows.map((r) => [Number(r.id), r.author_kind, r.system_key, r.system_params ? JSON.parse(r.system_params) : null]);
    expect(seen).to.deep.equal([
      [1, "visitor", null, null],
      [2, "system", "queued", {}],
      // A visitor who typed the same words wrote a message, not a system line.
      [3, "visitor", null, null],
      [4, "system", "operator_left", { name: 'Marc "le Grand"' }],
      [5, "system", "visitor_left", {}],
      [6, "system", "visitor_ended", {}],
    ]);
  });
}

describe("Migrating system lines to keys and parameters", () => {
  describe("on SQLite", () => {
    keysExistingLines(async () => tempSqliteUrl());
  });

  describe("on PostgreSQL", () => {
    let drop: (() => Promise<void>) | null = null;
    before(async function () {
      await skipUnlessPostgres(this);
    });
    // Registered first, so its DataSource closes before the schema is dropped.
    keysExistingLines(async () => {
      const pg = await freshPostgresUrl("t_migrate_lines");
      drop = pg.drop;
      return pg.url;
    });
    after(async () => {
      await drop?.();
    });
  });
});
