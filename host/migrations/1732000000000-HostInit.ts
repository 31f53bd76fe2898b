import { MigrationInterface, QueryRunner, Table, TableIndex } from "typeorm";
import { portableType } from "../contract";

/** The host's own tables. Written with typeorm's schema API so that it runs on SQLite and PostgreSQL. */
export class HostInit1732000000000 implements MigrationInterface {
  name = "HostInit1732000000000";

  async up(q: QueryRunner): Promise<void> {
    const date = portableType(q, Date);
    const bool = portableType(q, Boolean);
    const id = { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" as const };

    await q.createTable(
      new Table({
        name: "host_user",
        columns: [
          id,
          { name: "login", type: "varchar", length: "64", isUnique: true },
          { name: "name", type: "varchar", length: "128" },
          { name: "password_hash", type: "varchar", length: "255" },
          { name: "lang_code", type: "varchar", length: "16" },
          { name: "active", type: bool, default: true },
          { name: "created_at", type: date },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "host_group",
        columns: [
          { name: "id", type: "varchar", length: "64", isPrimary: true },
          { name: "name", type: "varchar", length: "128" },
          { name: "implies", type: "varchar", length: "512", default: "''" },
          { name: "module", type: "varchar", length: "64" },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "host_user_group",
        columns: [
          { name: "user_id", type: "integer", isPrimary: true },
          { name: "group_id", type: "varchar", length: "64", isPrimary: true },
        ],
        foreignKeys: [
          { columnNames: ["user_id"], referencedTableName: "host_user", referencedColumnNames: ["id"], onDelete: "CASCADE" },
          { columnNames: ["group_id"], referencedTableName: "host_group", referencedColumnNames: ["id"], onDelete: "CASCADE" },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "host_language",
        columns: [
          id,
          { name: "code", type: "varchar", length: "16", isUnique: true },
          { name: "iso_code", type: "varchar", length: "8" },
          { name: "name", type: "varchar", length: "64" },
          { name: "enabled", type: bool, default: false },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "host_session",
        columns: [
          { name: "sid", type: "varchar", length: "128", isPrimary: true },
          { name: "data", type: "text" },
          { name: "expires_at", type: date },
        ],
        indices: [new TableIndex({ columnNames: ["expires_at"] })],
      }),
    );
    await q.createTable(
      new Table({
        name: "host_bus_notification",
        columns: [
          id,
          { name: "channel", type: "varchar", length: "128" },
          { name: "type", type: "varchar", length: "64" },
          { name: "payload", type: "text" },
          { name: "created_at", type: date },
        ],
        indices: [new TableIndex({ columnNames: ["channel", "id"] }), new TableIndex({ columnNames: ["created_at"] })],
      }),
    );
    await q.createTable(
      new Table({
        name: "host_presence",
        columns: [
          { name: "user_id", type: "integer", isPrimary: true },
          { name: "last_activity_at", type: date, isNullable: true },
          { name: "last_seen_at", type: date, isNullable: true },
        ],
        foreignKeys: [{ columnNames: ["user_id"], referencedTableName: "host_user", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
    await q.createTable(
      new Table({
        name: "host_job",
        columns: [
          { name: "name", type: "varchar", length: "128", isPrimary: true },
          { name: "next_run_at", type: date },
          { name: "last_run_at", type: date, isNullable: true },
          { name: "last_instance", type: "varchar", length: "64", isNullable: true },
          { name: "run_count", type: "integer", default: 0 },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "host_module",
        columns: [
          { name: "name", type: "varchar", length: "64", isPrimary: true },
          { name: "version", type: "varchar", length: "32" },
          { name: "title", type: "varchar", length: "128" },
          { name: "state", type: "varchar", length: "16" },
          { name: "installed_at", type: date },
          { name: "updated_at", type: date },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "host_setting",
        columns: [
          { name: "key", type: "varchar", length: "128", isPrimary: true },
          { name: "value", type: "text" },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      "host_setting",
      "host_module",
      "host_job",
      "host_presence",
      "host_bus_notification",
      "host_session",
      "host_language",
      "host_user_group",
      "host_group",
      "host_user",
    ]) {
      await q.dropTable(table);
    }
  }
}
