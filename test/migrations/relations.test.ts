import { expect } from "chai";
import type { DataSource } from "typeorm";
import { ROOT_DIR } from "../../host/app";
import type { ModuleMigration } from "../../host/contract";
import { createDataSource, parseDatabaseUrl } from "../../host/database";
import { loadModules } from "../../host/loader/ModuleLoader";
import { hostMigrations } from "../../host/migrations";
import { hostEntities } from "../../host/models";
import { GroupRegistry } from "../../host/users/GroupRegistry";
import { freshPostgresUrl, skipUnlessPostgres } from "../support/postgres";
import { tempSqliteUrl } from "../support/testHost";

/** The first migrations that store lists as join tables: the database is built up to just before them. */
const RELATIONS_TIMESTAMP = 1732410000000;

const timestamp = (m: ModuleMigration) => Number(/(\d{13})$/.exec(m.name)?.[1]);
const allMigrations = [...hostMigrations, ...loadModules([ROOT_DIR]).flatMap((m) => m.migrations)];

/** Rows as the older schema stored them, lists written as comma-separated ids. */
const OLD_ROWS = [
  "INSERT INTO host_user (id, login, name, password_hash, lang_code, created_at) VALUES (1, 'marc', 'Marc', 'x', 'en_US', '2024-11-20 10:00:00')",
  `INSERT INTO host_group (id, name, implies, module) VALUES
     ('base.user', 'Internal User', '', 'base'),
     ('base.admin', 'Settings', 'base.user', 'base'),
     ('livechat.user', 'Operator', 'base.user', 'livechat'),
     ('livechat.manager', 'Administrator', 'livechat.user, base.admin', 'livechat'),
     ('x_y', 'Underscore', '', 'extra'),
     ('xzy', 'Look-alike', '', 'extra'),
     ('extra.odd', 'Odd', 'x_y,gone.group', 'extra')`,
  "INSERT INTO host_user_group (user_id, group_id) VALUES (1, 'livechat.manager')",
  "INSERT INTO livechat_expertise (id, name, name_key) VALUES (1, 'Billing', 'billing'), (2, 'Technical', 'technical'), (12, 'Returns', 'returns')",
  "INSERT INTO livechat_channel (id, name, created_at) VALUES (1, 'Support', '2024-11-20 10:00:00')",
  "INSERT INTO livechat_chatbot_script (id, name, bot_name) VALUES (1, 'Triage', 'Bot')",
  `INSERT INTO livechat_chatbot_step (id, script_id, sequence, type, text, expertise_ids) VALUES
     (1, 1, 10, 'question', 'What about?', ''),
     (2, 1, 20, 'forward', 'To billing', '1,12'),
     (3, 1, 30, 'forward', 'To whoever knows', '12,99')`,
  `INSERT INTO livechat_conversation
     (id, channel_id, visitor_key, visitor_name, visitor_token_hash, state, requested_expertise, created_at, last_visitor_seen_at) VALUES
     (1, 1, 'k1', 'Ann', 'h1', 'open', '2', '2024-11-20 10:00:00', '2024-11-20 10:00:00'),
     (2, 1, 'k2', 'Bob', 'h2', 'waiting', '', '2024-11-20 10:00:00', '2024-11-20 10:00:00'),
     (3, 1, 'k3', 'Cy', 'h3', 'closed', '12,1,1', '2024-11-20 10:00:00', '2024-11-20 10:00:00')`,
  "INSERT INTO livechat_message (id, conversation_id, author_kind, body, created_at) VALUES (1, 3, 'visitor', 'Hello', '2024-11-20 10:00:00')",
];

async function migrate(url: string, migrations: ModuleMigration[]): Promise<DataSource> {
  const db = createDataSource(parseDatabaseUrl(url), hostEntities, migrations);
  await db.initialize();
  await db.runMigrations({ transaction: "each" });
  return db;
}

const pairs = async (db: DataSource, sql: string) =>
  ((await db.query(sql)) as { a: string | number; b: string | number }[]).map((r) => `${r.a}:${r.b}`);

function migratesOldRows(databaseUrl: () => Promise<string>) {
  let db: DataSource | null = null;
  after(async () => {
    await db?.destroy();
  });

  it("turns comma-separated lists into join rows, drops the old columns, and loses nothing else", async () => {
    const url = await databaseUrl();
    const old = await migrate(url, allMigrations.filter((m) => timestamp(m) < RELATIONS_TIMESTAMP));
    for (const sql of OLD_ROWS) await old.query(sql);
    await old.destroy();

    db = await migrate(url, allMigrations);
    expect(await pairs(db, "SELECT step_id AS a, expertise_id AS b FROM livechat_chatbot_step_expertise ORDER BY step_id, expertise_id")).to.deep.equal([
      "2:1",
      "2:12",
      "3:12",
    ]);
    expect(
      await pairs(db, "SELECT conversation_id AS a, expertise_id AS b FROM livechat_conversation_expertise ORDER BY conversation_id, expertise_id"),
    ).to.deep.equal(["1:2", "3:1", "3:12"]);
    expect(await pairs(db, "SELECT group_id AS a, implied_group_id AS b FROM host_group_implication ORDER BY group_id, implied_group_id")).to.deep.equal([
      "base.admin:base.user",
      "extra.odd:x_y",
      "livechat.manager:base.admin",
      "livechat.manager:livechat.user",
      "livechat.user:base.user",
    ]);

    const runner = db.createQueryRunner();
    try {
      expect((await runner.getTable("host_group"))?.findColumnByName("implies")).to.equal(undefined);
      expect((await runner.getTable("livechat_chatbot_step"))?.findColumnByName("expertise_ids")).to.equal(undefined);
      expect((await runner.getTable("livechat_conversation"))?.findColumnByName("requested_expertise")).to.equal(undefined);
    } finally {
      await runner.release();
    }
    // Rebuilding a table to drop a column must not cascade into the rows that refer to it.
    expect(await pairs(db, "SELECT conversation_id AS a, body AS b FROM livechat_message")).to.deep.equal(["3:Hello"]);
    expect(await pairs(db, "SELECT user_id AS a, group_id AS b FROM host_user_group")).to.deep.equal(["1:livechat.manager"]);
    expect(await pairs(db, "SELECT id AS a, state AS b FROM livechat_conversation ORDER BY id")).to.deep.equal(["1:open", "2:waiting", "3:closed"]);

    const groups = new GroupRegistry();
    await groups.load(db);
    expect(groups.expand(["livechat.manager"])).to.deep.equal(["base.admin", "base.user", "livechat.manager", "livechat.user"]);
  });
}

describe("Migrating lists to join tables", () => {
  describe("on SQLite", () => {
    migratesOldRows(async () => tempSqliteUrl());
  });

  describe("on PostgreSQL", () => {
    let drop: (() => Promise<void>) | null = null;
    before(async function () {
      await skipUnlessPostgres(this);
    });
    // Registered first, so its DataSource closes before the schema is dropped.
    migratesOldRows(async () => {
      const pg = await freshPostgresUrl("t_migrate");
      drop = pg.drop;
      return pg.url;
    });
    after(async () => {
      await drop?.();
    });
  });
});
