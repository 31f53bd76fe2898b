import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { portableType } from "../host/contract";

/** Operator profiles, languages, expertise, channels and their members. Portable: SQLite and PostgreSQL. */
export class LivechatOperators1732100000000 implements MigrationInterface {
  name = "LivechatOperators1732100000000";

  async up(q: QueryRunner): Promise<void> {
    const date = portableType(q, Date);
    const id = { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" as const };
    const toUser = { columnNames: ["user_id"], referencedTableName: "host_user", referencedColumnNames: ["id"], onDelete: "CASCADE" };
    const toChannel = {
      columnNames: ["channel_id"],
      referencedTableName: "livechat_channel",
      referencedColumnNames: ["id"],
      onDelete: "CASCADE",
    };

    await q.createTable(
      new Table({
        name: "livechat_operator_profile",
        columns: [
          { name: "user_id", type: "integer", isPrimary: true },
          { name: "chat_name", type: "varchar", length: "64", default: "''" },
        ],
        foreignKeys: [toUser],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_operator_lang",
        columns: [
          { name: "user_id", type: "integer", isPrimary: true },
          { name: "lang_code", type: "varchar", length: "16", isPrimary: true },
        ],
        foreignKeys: [toUser],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_expertise",
        columns: [
          id,
          { name: "name", type: "varchar", length: "64" },
          { name: "name_key", type: "varchar", length: "64", isUnique: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_expertise_operator",
        columns: [
          { name: "expertise_id", type: "integer", isPrimary: true },
          { name: "user_id", type: "integer", isPrimary: true },
        ],
        foreignKeys: [
          { columnNames: ["expertise_id"], referencedTableName: "livechat_expertise", referencedColumnNames: ["id"], onDelete: "CASCADE" },
          toUser,
        ],
        indices: [new TableIndex({ columnNames: ["user_id"] })],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_channel",
        columns: [
          id,
          { name: "name", type: "varchar", length: "128" },
          { name: "welcome_message", type: "text", default: "''" },
          { name: "button_text", type: "varchar", length: "64", default: "'Have a question? Chat with us.'" },
          { name: "max_sessions", type: "integer", isNullable: true },
          { name: "created_at", type: date },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_channel_member",
        columns: [
          { name: "channel_id", type: "integer", isPrimary: true },
          { name: "user_id", type: "integer", isPrimary: true },
          { name: "joined_at", type: date },
        ],
        foreignKeys: [toChannel, toUser],
        indices: [new TableIndex({ columnNames: ["user_id"] })],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_channel_membership_event",
        columns: [
          id,
          { name: "channel_id", type: "integer" },
          { name: "user_id", type: "integer" },
          { name: "action", type: "varchar", length: "8" },
          { name: "reason", type: "varchar", length: "16" },
          { name: "actor_id", type: "integer", isNullable: true },
          { name: "at", type: date },
        ],
        foreignKeys: [toChannel, toUser],
        indices: [new TableIndex({ columnNames: ["channel_id", "at"] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      "livechat_channel_membership_event",
      "livechat_channel_member",
      "livechat_channel",
      "livechat_expertise_operator",
      "livechat_expertise",
      "livechat_operator_lang",
      "livechat_operator_profile",
    ]) {
      await q.dropTable(table);
    }
  }
}
